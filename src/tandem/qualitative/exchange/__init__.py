"""REFI-QDA exchange: qualitative projects as ``.qdpx`` and codebooks as ``.qdc``.

Pure Python over lxml, without Django: the qualitative app's services turn these
dataclasses into models and back. The schemas in ``schemas/`` are the REFI-QDA 1.0 files
(MIT licence, Copyright 2019 REFI, www.qdasoftware.org), unedited.
"""

from tandem.qualitative.exchange.archive import ReadLimits
from tandem.qualitative.exchange.errors import ExchangeError, Problem
from tandem.qualitative.exchange.model import (
    Case,
    Code,
    Codebook,
    Coding,
    Note,
    Project,
    Source,
    User,
    Variable,
    VariableType,
    VariableValue,
)
from tandem.qualitative.exchange.reader import read_qdc, read_qdpx
from tandem.qualitative.exchange.writer import write_qdc, write_qdpx

__all__ = [
    "Case",
    "Code",
    "Codebook",
    "Coding",
    "ExchangeError",
    "Note",
    "Problem",
    "Project",
    "ReadLimits",
    "Source",
    "User",
    "Variable",
    "VariableType",
    "VariableValue",
    "read_qdc",
    "read_qdpx",
    "write_qdc",
    "write_qdpx",
]
