"""Built-in fidelity scale structures (``<code>.yaml``): domains and items, no wording.

``load_builtin_scale(code)`` validates a file and returns a frozen ``BuiltinScale``; the service
``tandem.fidelity.services.install_builtin_scale`` copies it into an agency's scale, where the
agency writes its own labels and anchor text. This module imports PyYAML and the standard
library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

BUILTIN_DIR = Path(__file__).resolve().parent
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class ScaleDefinitionError(ValueError):
    """A built-in scale file does not have the expected shape."""


@dataclass(frozen=True, slots=True)
class BuiltinItem:
    code: str
    label: str


@dataclass(frozen=True, slots=True)
class BuiltinDomain:
    code: str
    name: str
    items: tuple[BuiltinItem, ...]


@dataclass(frozen=True, slots=True)
class BuiltinScale:
    code: str
    version: str
    name: str
    description: str
    high_fidelity_threshold: float | None
    high_fidelity_domain_count: int | None
    domains: tuple[BuiltinDomain, ...]

    @property
    def n_items(self) -> int:
        return sum(len(domain.items) for domain in self.domains)


def _text(where: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScaleDefinitionError(f"{where}: a non-empty text is required")
    return value.strip()


def _code(where: str, value: object) -> str:
    code = _text(where, value)
    if not CODE_PATTERN.match(code):
        raise ScaleDefinitionError(f"{where}: {code!r} is not a lower-case code")
    return code


def parse_scale(document: Any) -> BuiltinScale:
    """Validate a parsed scale file; raise ``ScaleDefinitionError`` naming the bad field."""
    if not isinstance(document, dict):
        raise ScaleDefinitionError("scale: the file must hold a mapping")
    raw_domains = document.get("domains")
    if not isinstance(raw_domains, list) or not raw_domains:
        raise ScaleDefinitionError("domains: at least one domain is required")
    domains: list[BuiltinDomain] = []
    for d, raw in enumerate(raw_domains):
        if not isinstance(raw, dict):
            raise ScaleDefinitionError(f"domains[{d}]: must be a mapping")
        raw_items = raw.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            raise ScaleDefinitionError(f"domains[{d}].items: at least one item is required")
        items = []
        for i, item in enumerate(raw_items):
            if not isinstance(item, dict):
                raise ScaleDefinitionError(f"domains[{d}].items[{i}]: must be a mapping")
            items.append(
                BuiltinItem(
                    code=_code(f"domains[{d}].items[{i}].code", item.get("code")),
                    label=_text(f"domains[{d}].items[{i}].label", item.get("label")),
                )
            )
        if len({item.code for item in items}) != len(items):
            raise ScaleDefinitionError(f"domains[{d}].items: item codes repeat")
        domains.append(
            BuiltinDomain(
                code=_code(f"domains[{d}].code", raw.get("code")),
                name=_text(f"domains[{d}].name", raw.get("name")),
                items=tuple(items),
            )
        )
    if len({domain.code for domain in domains}) != len(domains):
        raise ScaleDefinitionError("domains: domain codes repeat")
    threshold = document.get("high_fidelity_threshold")
    if threshold is not None and not isinstance(threshold, int | float):
        raise ScaleDefinitionError("high_fidelity_threshold: must be a number")
    count = document.get("high_fidelity_domain_count")
    if count is not None and (not isinstance(count, int) or count < 1):
        raise ScaleDefinitionError("high_fidelity_domain_count: must be a positive integer")
    return BuiltinScale(
        code=_code("code", document.get("code")),
        version=_text("version", str(document.get("version", ""))),
        name=_text("name", document.get("name")),
        description=str(document.get("description", "")).strip(),
        high_fidelity_threshold=None if threshold is None else float(threshold),
        high_fidelity_domain_count=count,
        domains=tuple(domains),
    )


def builtin_scale_codes() -> list[str]:
    """Codes of the scale files shipped with Tandem."""
    return sorted(path.stem for path in BUILTIN_DIR.glob("*.yaml"))


@cache
def load_builtin_scale(code: str) -> BuiltinScale:
    """The built-in structure ``code``; ``LookupError`` when there is none."""
    if code not in builtin_scale_codes():
        raise LookupError(f"code: no built-in fidelity scale {code!r}")
    path = BUILTIN_DIR / f"{code}.yaml"
    scale = parse_scale(yaml.safe_load(path.read_text(encoding="utf-8")))
    if scale.code != code:
        raise ScaleDefinitionError(f"{path.name}: code {scale.code!r} differs from the file name")
    return scale
