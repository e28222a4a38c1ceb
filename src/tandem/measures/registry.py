"""The instrument registry: declarative definitions validated on load.

Public API (stable; the measures app, the importer and the FHIR mapping build on it):

- ``get_instrument(code) -> Instrument``: one definition by code (case-insensitive, ``-`` and
  ``_`` interchangeable: ``"WAI-SR"`` finds ``wai_sr``); raises ``UnknownInstrumentError``.
- ``all_instruments() -> list[Instrument]``: every definition, sorted by code.
- ``parse_definition(document) -> Instrument`` / ``load_definition_file(path) -> Instrument``:
  validate a mapping or a YAML/JSON file against the schema; raise ``DefinitionError`` with one
  line per problem.
- ``Instrument``: ``code``, ``version``, ``title``, ``respondent``, ``scales`` (response scales by
  name), ``items`` (scored items, ``q1`` … ``qN`` in published order), ``text_items`` (free-text
  fields, e.g. the areas a client names in the PGI; never scored), ``scores`` (subscales and
  totals, in output order), ``languages``, ``licence``, ``unverified``. Helpers:
  ``item(id)``, ``item_ids``, ``score_names``, ``scale_of(item)``, ``score(name)``, and
  ``Score.valid_range`` (lowest and highest score the rule can give).

Definitions are frozen pydantic models; compare them with ``==``. Scoring lives in
``tandem.measures.scoring`` (pure, no Django).

Where definitions come from: the built-in files in ``tandem/measures/instruments/*.yaml``, then
every ``*.yaml``/``*.yml``/``*.json`` file in the folders named by the environment variable
``TANDEM_INSTRUMENTS_DIR`` (several folders separated by ``os.pathsep``). A local file whose
code equals a built-in one replaces it: this is how an agency loads the licensed COSE scoring key
(copy ``cose.yaml``, set the reversed items and the subscale map, give it a new ``version``).
Every file is validated by the same schema, so a broken local file stops start-up with a message
naming the file and the field.

This module imports pydantic, PyYAML and the standard library only: the ``tandem score`` command
runs without Django.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

BUILTIN_DIR = Path(__file__).resolve().parent / "instruments"
INSTRUMENTS_DIR_ENV = "TANDEM_INSTRUMENTS_DIR"
DEFAULT_MAX_MISSING_FRACTION = 0.2

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
ItemId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$")]


class DefinitionError(ValueError):
    """An instrument definition does not satisfy the schema."""


class UnknownInstrumentError(LookupError):
    """No instrument has this code."""


class Respondent(StrEnum):
    CLIENT = "client"
    WORKER = "worker"
    ASSESSOR = "assessor"


class Rule(StrEnum):
    SUM = "sum"
    MEAN = "mean"
    COUNT = "count"
    WEIGHTED = "weighted"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ResponseOption(_Frozen):
    value: float
    label: str = Field(min_length=1, max_length=80)


class ResponseScale(_Frozen):
    """Allowed answers to an item.

    A categorical scale accepts exactly the option values; a continuous one (``continuous:
    true``, e.g. the ORS visual-analogue lines) accepts any number from ``min`` to ``max`` and its
    options only label the anchors.
    """

    min: float
    max: float
    options: tuple[ResponseOption, ...] = Field(min_length=1)
    continuous: bool = False

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.min >= self.max:
            raise ValueError("min must be below max")
        values = [option.value for option in self.options]
        if len(set(values)) != len(values):
            raise ValueError("option values must be unique")
        if any(not self.min <= value <= self.max for value in values):
            raise ValueError("every option value must lie between min and max")
        if not self.continuous and (min(values) != self.min or max(values) != self.max):
            raise ValueError("the lowest and highest options must equal min and max")
        return self

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(option.value for option in self.options)

    def reverse(self, value: float) -> float:
        """Reverse-key an answer: ``min + max - value`` (7 - x on a 1-6 scale)."""
        return self.min + self.max - value

    def label_of(self, value: float) -> str | None:
        for option in self.options:
            if option.value == value:
                return option.label
        return None


class Item(_Frozen):
    id: ItemId
    label: str = Field(min_length=1, max_length=80)
    scale: Identifier = "default"
    reverse: bool = False


class TextItem(_Frozen):
    """A free-text field recorded with the response and never scored (PGI area names)."""

    id: ItemId
    label: str = Field(min_length=1, max_length=80)


class Rescale(_Frozen):
    """A linear transform of the raw score, e.g. RPRS 24-96 to 0-100: (x - 24) / 72 x 100."""

    from_range: tuple[float, float]
    to_range: tuple[float, float]

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.from_range[0] == self.from_range[1]:
            raise ValueError("from_range must not be empty")
        return self

    def apply(self, value: float) -> float:
        (a, b), (c, d) = self.from_range, self.to_range
        return c + (value - a) * (d - c) / (b - a)


class Score(_Frozen):
    """One subscale or total.

    Rules:

    - ``sum``: the sum of the items (reverse-keyed first). With up to the allowed number missing,
      prorated: mean of the answered items x number of items.
    - ``mean``: the mean of the answered items.
    - ``count``: how many items have one of ``count_values`` (CANSAS met / unmet needs); not
      prorated.
    - ``weighted``: idiographic index (PGI): Σ(rating x points) / ``budget`` over the areas, with
      ``items`` the ratings and ``weights`` the points, in the same order. Not scored unless the
      points add up to the budget and every area given points has a rating.

    ``max_missing`` (a count) overrides ``max_missing_fraction`` (default 20%); beyond it the
    score is not scored. ``range`` must equal the range the rule gives (checked on load).
    """

    name: Identifier
    label: str = Field(min_length=1, max_length=80)
    items: tuple[ItemId, ...] = Field(min_length=1)
    rule: Rule = Rule.SUM
    max_missing_fraction: float = Field(default=DEFAULT_MAX_MISSING_FRACTION, ge=0, le=1)
    max_missing: int | None = Field(default=None, ge=0)
    count_values: tuple[float, ...] = ()
    weights: tuple[ItemId, ...] = ()
    budget: float | None = Field(default=None, gt=0)
    rescale: Rescale | None = None
    range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if len(set(self.items)) != len(self.items):
            raise ValueError(f"score {self.name}: an item is listed twice")
        if self.rule is Rule.COUNT and not self.count_values:
            raise ValueError(f"score {self.name}: a count rule needs count_values")
        if self.rule is not Rule.COUNT and self.count_values:
            raise ValueError(f"score {self.name}: count_values belongs to the count rule")
        if self.rule is Rule.WEIGHTED:
            if len(self.weights) != len(self.items) or self.budget is None:
                raise ValueError(
                    f"score {self.name}: a weighted rule needs one weight item per rated item "
                    "and a budget"
                )
        elif self.weights or self.budget is not None:
            raise ValueError(f"score {self.name}: weights and budget belong to the weighted rule")
        return self

    @property
    def allowed_missing(self) -> int:
        """How many of the items may be missing before the score is not scored."""
        if self.rule is Rule.WEIGHTED:
            return len(self.items)
        if self.max_missing is not None:
            return min(self.max_missing, len(self.items))
        # The tolerance keeps 0.2 x 10 at 2 despite binary floating point.
        return math.floor(self.max_missing_fraction * len(self.items) + 1e-9)


class Instrument(_Frozen):
    """A validated instrument definition. Structure and scoring only, never item wording."""

    code: Identifier
    version: str = Field(min_length=1, max_length=20)
    title: str = Field(min_length=1, max_length=120)
    respondent: Respondent
    languages: tuple[Literal["en", "fr"], ...] = ("en", "fr")
    licence: str = Field(min_length=1)
    unverified: tuple[str, ...] = ()
    scales: dict[Identifier, ResponseScale]
    items: tuple[Item, ...] = Field(min_length=1)
    text_items: tuple[TextItem, ...] = ()
    scores: tuple[Score, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        ids = [item.id for item in self.items] + [item.id for item in self.text_items]
        if len(set(ids)) != len(ids):
            raise ValueError("item ids must be unique")
        known = {item.id for item in self.items}
        for item in self.items:
            if item.scale not in self.scales:
                raise ValueError(f"item {item.id}: unknown scale {item.scale!r}")
        names = [score.name for score in self.scores]
        if len(set(names)) != len(names):
            raise ValueError("score names must be unique")
        for score in self.scores:
            for item_id in (*score.items, *score.weights):
                if item_id not in known:
                    raise ValueError(f"score {score.name}: unknown item {item_id!r}")
            if score.rule in (Rule.COUNT, Rule.WEIGHTED) and any(
                self.item(item_id).reverse for item_id in score.items
            ):
                raise ValueError(f"score {score.name}: reverse keying needs a sum or mean rule")
            low, high = self.valid_range(score)
            if score.range is not None and not (
                math.isclose(score.range[0], low, abs_tol=1e-9)
                and math.isclose(score.range[1], high, abs_tol=1e-9)
            ):
                raise ValueError(
                    f"score {score.name}: declared range {score.range[0]:g}-{score.range[1]:g} "
                    f"but the rule gives {low:g}-{high:g}"
                )
        return self

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    @property
    def score_names(self) -> tuple[str, ...]:
        return tuple(score.name for score in self.scores)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def score(self, name: str) -> Score:
        for score in self.scores:
            if score.name == name:
                return score
        raise KeyError(name)

    def scale_of(self, item: Item | str) -> ResponseScale:
        found = self.item(item) if isinstance(item, str) else item
        return self.scales[found.scale]

    def valid_range(self, score: Score) -> tuple[float, float]:
        """Lowest and highest value the score can take, after rescaling."""
        scales = [self.scale_of(item_id) for item_id in score.items]
        if score.rule is Rule.SUM:
            low, high = sum(s.min for s in scales), sum(s.max for s in scales)
        elif score.rule is Rule.MEAN:
            low, high = min(s.min for s in scales), max(s.max for s in scales)
        elif score.rule is Rule.COUNT:
            low, high = 0.0, float(len(scales))
        else:
            low, high = min(s.min for s in scales), max(s.max for s in scales)
        if score.rescale is not None:
            low, high = sorted((score.rescale.apply(low), score.rescale.apply(high)))
        return float(low), float(high)


def _describe(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        lines.append(f"{where}: {problem['msg']}" if where else problem["msg"])
    return "\n".join(lines)


def parse_definition(document: Mapping[str, Any]) -> Instrument:
    """Validate a definition given as a mapping (parsed YAML or JSON)."""
    if not isinstance(document, Mapping):
        raise DefinitionError("an instrument definition must be a mapping")
    try:
        return Instrument.model_validate(dict(document))
    except ValidationError as exc:
        raise DefinitionError(_describe(exc)) from None


def read_document(path: Path) -> Any:
    """Parse a YAML or JSON file (JSON is YAML, but JSON errors read better from json)."""
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise DefinitionError(f"{path.name}: not valid YAML/JSON: {exc}") from None


def load_definition_file(path: Path | str) -> Instrument:
    """Read and validate one definition file; errors name the file."""
    path = Path(path)
    try:
        return parse_definition(read_document(path))
    except DefinitionError as exc:
        raise DefinitionError(f"{path.name}: {exc}") from None


def definition_document(instrument: Instrument) -> dict[str, Any]:
    """The definition as a plain mapping that ``parse_definition`` accepts back."""
    return instrument.model_dump(mode="json", exclude_defaults=True)


def normalise_code(code: str) -> str:
    return code.strip().lower().replace("-", "_")


def _definition_files() -> list[Path]:
    files = sorted(BUILTIN_DIR.glob("*.yaml"))
    for folder in filter(None, os.environ.get(INSTRUMENTS_DIR_ENV, "").split(os.pathsep)):
        directory = Path(folder)
        if not directory.is_dir():
            raise DefinitionError(f"{INSTRUMENTS_DIR_ENV}: {folder} is not a folder")
        files += sorted(
            path
            for path in directory.iterdir()
            if path.suffix.lower() in {".yaml", ".yml", ".json"}
        )
    return files


@cache
def _registry() -> dict[str, Instrument]:
    found: dict[str, Instrument] = {}
    for path in _definition_files():
        instrument = load_definition_file(path)
        # Later folders replace earlier ones: a local definition overrides the built-in.
        found[instrument.code] = instrument
    return found


def reload() -> None:
    """Forget the loaded definitions (after changing ``TANDEM_INSTRUMENTS_DIR``)."""
    _registry.cache_clear()


def get_instrument(code: str) -> Instrument:
    """The definition with this code; raise ``UnknownInstrumentError`` if there is none."""
    try:
        return _registry()[normalise_code(code)]
    except KeyError:
        raise UnknownInstrumentError(f"unknown instrument {code!r}") from None


def all_instruments() -> list[Instrument]:
    """Every known definition, sorted by code."""
    return [instrument for _code, instrument in sorted(_registry().items())]
