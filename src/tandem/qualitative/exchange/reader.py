"""Read REFI-QDA ``.qdpx`` projects and ``.qdc`` codebooks as other tools write them.

Tolerant of what the tools vary in (GUID case and braces, ``sources/`` or ``Sources/``, any
``.qde`` name, inline ``PlainTextContent`` or ``plainTextPath="internal://..."``, coders on
the coding or only on its selection) and strict about what would corrupt a project or the
server: every problem is collected with its element and line, and any problem refuses the
whole file.
"""

from __future__ import annotations

from tandem.qualitative.exchange.archive import Archive, ReadLimits
from tandem.qualitative.exchange.elements import ElementReader, path
from tandem.qualitative.exchange.errors import ExchangeError, Problem
from tandem.qualitative.exchange.model import Codebook, Project
from tandem.qualitative.exchange.project_reader import ProjectReader
from tandem.qualitative.exchange.xmlio import local, parse_untrusted

__all__ = ["read_qdc", "read_qdpx"]


def read_qdpx(data: bytes, *, limits: ReadLimits | None = None) -> Project:
    """Return the project a ``.qdpx`` file holds; raise ``ExchangeError`` listing every problem.

    Text with ``\\r\\n`` or ``\\r`` line endings is normalised to ``\\n`` and the selection
    offsets are moved to match, so that offsets stay on the same characters.
    """
    limits = limits or ReadLimits()
    archive = Archive(data, limits)
    if archive.problems:
        raise ExchangeError(archive.problems)
    candidates = archive.root_files(".qde")
    if not candidates:
        raise ExchangeError(
            [Problem("no-project-xml", "file", "has no project XML (a .qde file at the zip root)")]
        )
    preferred = [name for name in candidates if name.lower() == "project.qde"]
    if not preferred and len(candidates) > 1:
        raise ExchangeError(
            [Problem("several-project-xml", "file", f"has several project XML files: {candidates}")]
        )
    qde_name = (preferred or candidates)[0]
    info = archive.find(qde_name)
    raw = archive.read(info) if info is not None else None
    if raw is None:
        raise ExchangeError(archive.problems)
    root, problems = parse_untrusted(raw, qde_name)
    if problems:
        raise ExchangeError(problems)
    if local(root) != "Project":
        raise ExchangeError(
            [
                Problem(
                    "not-project",
                    qde_name,
                    f"has root <{local(root)}>, not <Project>",
                    root.sourceline,
                )
            ]
        )
    project = ProjectReader(root, archive).read()
    return project


def read_qdc(data: bytes, *, limits: ReadLimits | None = None) -> Codebook:
    """Return the codebook a ``.qdc`` file holds; raise ``ExchangeError`` listing every problem."""
    limits = limits or ReadLimits()
    if len(data) > limits.max_bytes:
        raise ExchangeError(
            [Problem("too-large", "file", f"is larger than the {limits.max_bytes:,} bytes allowed")]
        )
    root, problems = parse_untrusted(data, "codebook")
    if problems:
        raise ExchangeError(problems)
    if local(root) != "CodeBook":
        raise ExchangeError(
            [
                Problem(
                    "not-codebook",
                    "codebook",
                    f"has root <{local(root)}>, not <CodeBook>",
                    root.sourceline,
                )
            ]
        )
    reader = ElementReader()
    codes = tuple(reader.code(element) for element in path(root, "Codes", "Code"))
    if not codes:
        reader.problem("codebook-empty", root, "has no code")
    if reader.problems:
        raise ExchangeError(reader.problems)
    return Codebook(codes=codes, origin=root.get("origin") or "")
