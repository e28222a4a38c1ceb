"""Build a study's de-identified data set from the clients, measures and fidelity records.

One row per enrolled person and wave, columns in the order of the research contract. The
builder reads with a fixed number of queries (teams, then clients, episodes, responses and
the chosen responses' answers in chunks of ``CHUNK``, then the teams' fidelity reviews) and
works on whole columns with pandas and numpy, so 50,000 people take seconds, not a query each.

The person's *study episode* is their earliest episode in the study's teams (every team of its
programmes when the study names none): it gives the team and programme codes, years in service,
days in episode and discharge. Only responses recorded in an episode of those teams count.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from tandem import stats
from tandem.clients.models import Client, Episode, Gender
from tandem.fidelity.series import EXPOSURE_WINDOWS_DAYS, review_points_for
from tandem.measures.models import Response
from tandem.measures.registry import Instrument, get_instrument
from tandem.measures.scoring import answer_matrix
from tandem.orgs.models import Team
from tandem.research.dataset import deid
from tandem.research.dataset.spec import Dataset, DatasetSpec, Variable
from tandem.research.dataset.writers import canonical_csv

# People per query: keeps each IN list under SQLite's limit on query parameters.
CHUNK = 10_000
DAYS_PER_YEAR = 365.25
TOTAL = "total"

DIAGNOSIS_GROUP_LABELS: dict[str | int, str] = {
    "psychotic": gettext_noop("Psychotic disorder"),
    "bipolar": gettext_noop("Bipolar disorder"),
    "depressive": gettext_noop("Depressive disorder"),
    "anxiety": gettext_noop("Anxiety disorder"),
    "personality": gettext_noop("Personality disorder"),
    "substance": gettext_noop("Substance use disorder"),
    "other": gettext_noop("Other, or a group of fewer than the minimum cell size"),
    "not_recorded": gettext_noop("Not recorded"),
}
DISCHARGED_LABELS: dict[str | int, str] = {0: gettext_noop("No"), 1: gettext_noop("Yes")}


def _column_part(text: str) -> str:
    """A lower-case name part safe for SPSS, Stata and R (letters, digits, underscores)."""
    return re.sub(r"[^a-z0-9_]", "_", text.lower())


@dataclass(frozen=True)
class _Measure:
    """An instrument of the data set and the names of its columns."""

    instrument: Instrument
    prefix: str
    total: str | None  # the score reported as {prefix}_total
    subscales: tuple[str, ...]

    @property
    def code(self) -> str:
        return self.instrument.code

    def score_columns(self) -> list[tuple[str, str]]:
        """(column, score name) of the total and the subscales."""
        found = [(f"{self.prefix}_total", self.total)] if self.total else []
        return found + [(f"{self.prefix}_{_column_part(name)}", name) for name in self.subscales]

    def item_columns(self) -> list[tuple[str, str]]:
        return [(f"{self.prefix}_{_column_part(i)}", i) for i in self.instrument.item_ids]


def _measure_of(code: str) -> _Measure:
    instrument = get_instrument(code)
    names = instrument.score_names
    # An instrument without a score named "total" reports its last (headline) score as the
    # total, e.g. the PGI index or the QOLI-20 overall rating.
    total = TOTAL if TOTAL in names else (names[-1] if names else None)
    return _Measure(
        instrument=instrument,
        prefix=_column_part(instrument.code),
        total=total,
        subscales=tuple(name for name in names if name != total),
    )


def _check_spec(spec: DatasetSpec) -> None:
    codes = [wave.code for wave in spec.waves]
    if len(set(codes)) != len(codes):
        raise ValueError("waves: a wave code is used twice")
    unknown = {wave for wave, _ in spec.measures} - set(codes)
    if unknown:
        raise ValueError(f"measures: no wave {sorted(unknown)[0]!r} in the protocol")
    if spec.exposure_days not in EXPOSURE_WINDOWS_DAYS:
        raise ValueError(f"exposure_days must be one of {EXPOSURE_WINDOWS_DAYS}")
    if spec.date_mode not in ("shift", "days"):
        raise ValueError(f"date_mode must be 'shift' or 'days', got {spec.date_mode!r}")
    if spec.min_cell < 1:
        raise ValueError("min_cell must be at least 1")
    ids = [person.client_id for person in spec.enrolled]
    if len(set(ids)) != len(ids):
        raise ValueError("enrolled: a client is enrolled twice")
    for wave in spec.waves:
        if wave.before_days < 0 or wave.after_days < 0:
            raise ValueError(f"wave {wave.code!r}: windows cannot be negative")


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _days(values: Any) -> pd.Series:
    """Dates (``date`` objects or None) as a datetime64 column."""
    days: pd.Series = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce").astype(
        "datetime64[s]"
    )
    return days


def _iso(days: pd.Series) -> pd.Series:
    """Dates as ISO strings, None where missing."""
    text: pd.Series = days.dt.strftime("%Y-%m-%d").astype(object)
    return text.where(days.notna(), None)


def _scope_teams(spec: DatasetSpec) -> pd.DataFrame:
    """The study's teams with their codes: T01... by team pk, P1... by programme pk."""
    teams = Team.objects.filter(programme_id__in=spec.programme_ids)
    if spec.team_ids:
        teams = teams.filter(pk__in=spec.team_ids)
    rows = list(teams.order_by("pk").values_list("pk", "programme_id"))
    frame = pd.DataFrame(rows, columns=["team_id", "programme_id"], dtype="int64")
    width = max(2, len(str(len(frame))))
    frame["team"] = [f"T{n:0{width}d}" for n in range(1, len(frame) + 1)]
    programme_codes = {pk: f"P{n}" for n, pk in enumerate(sorted(set(spec.programme_ids)), 1)}
    frame["programme"] = frame["programme_id"].map(programme_codes)
    return frame


def _people(spec: DatasetSpec) -> pd.DataFrame:
    """One row per enrolled person: ids, enrolment, demographics (not yet de-identified)."""
    ids = [person.client_id for person in spec.enrolled]
    people = pd.DataFrame(
        {
            "client_id": pd.Series(ids, dtype="int64"),
            "enrolled_date": _days([person.enrolled_on for person in spec.enrolled]),
            "diagnosis_group": pd.Series(
                [person.diagnosis_group for person in spec.enrolled], dtype=object
            ),
        }
    )
    rows: list[tuple[int, date, str]] = []
    for chunk in _chunks(ids):
        rows.extend(
            Client.objects.filter(pk__in=chunk).values_list("pk", "date_of_birth", "gender")
        )
    clients = pd.DataFrame(rows, columns=["client_id", "date_of_birth", "gender"])
    clients["client_id"] = clients["client_id"].astype("int64")
    clients["date_of_birth"] = _days(clients["date_of_birth"].tolist())
    people = people.merge(clients, on="client_id", how="left", validate="one_to_one")
    if people["date_of_birth"].isna().any():
        raise ValueError("enrolled: a client does not exist")
    people["study_id"] = deid.study_ids(spec.key, spec.study_pk, ids)
    people["offset_days"] = deid.date_offsets_days(spec.key, spec.study_pk, ids)
    return people


def _study_episodes(ids: Sequence[int], teams: pd.DataFrame) -> pd.DataFrame:
    """Each person's earliest episode in the study's teams."""
    team_ids = teams["team_id"].tolist()
    rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(ids):
        rows.extend(
            Episode.objects.filter(client_id__in=chunk, team_id__in=team_ids).values_list(
                "client_id", "team_id", "start_date", "end_date", "pk"
            )
        )
    episodes = pd.DataFrame(rows, columns=["client_id", "team_id", "start", "end", "episode_id"])
    episodes["start"] = _days(episodes["start"].tolist())
    episodes["end"] = _days(episodes["end"].tolist())
    episodes = episodes.astype({"client_id": "int64", "team_id": "int64"})
    first = episodes.sort_values(["client_id", "start", "episode_id"]).drop_duplicates("client_id")
    return first.merge(teams[["team_id", "team", "programme"]], on="team_id", how="left")


def _responses(ids: Sequence[int], teams: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    """Completed responses to the data set's instruments, in episodes of the study's teams.

    Without their answers: most responses fall outside every window, and decoding the answers
    is the costly part, so only the chosen ones are read (``_with_answers``).
    """
    team_ids = teams["team_id"].tolist()
    rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(ids):
        rows.extend(
            Response.objects.filter(
                client_id__in=chunk,
                instrument_code__in=list(codes),
                completed_at__isnull=False,
                episode__team_id__in=team_ids,
            ).values_list("pk", "client_id", "episode__team_id", "instrument_code", "completed_at")
        )
    frame = pd.DataFrame(rows, columns=["pk", "client_id", "team_id", "code", "completed_at"])
    frame = frame.astype({"pk": "int64", "client_id": "int64", "team_id": "int64"})
    # The local calendar day of completion, as timezone.localdate gives it elsewhere.
    completed_at = pd.to_datetime(frame["completed_at"], utc=True)
    local = completed_at.dt.tz_convert(timezone.get_current_timezone()).dt.tz_localize(None)
    frame["completed_on"] = local.dt.normalize().astype("datetime64[s]")
    frame["completed_at"] = completed_at
    return frame


def _with_answers(chosen: pd.DataFrame) -> pd.DataFrame:
    """The chosen responses with their answers and scores."""
    rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(chosen["pk"].tolist()):
        rows.extend(Response.objects.filter(pk__in=chunk).values_list("pk", "answers", "scores"))
    answers = pd.DataFrame(rows, columns=["pk", "answers", "scores"]).astype({"pk": "int64"})
    return chosen.merge(answers, on="pk", how="left", validate="one_to_one")


def _chosen_responses(
    spec: DatasetSpec, people: pd.DataFrame, responses: pd.DataFrame
) -> pd.DataFrame:
    """For each person, wave and instrument, the response within the wave's window closest to
    the target day (ties: the earliest)."""
    waves = {wave.code: wave for wave in spec.waves}
    plan = pd.DataFrame(
        [
            (
                wave_code,
                get_instrument(code).code,
                waves[wave_code].target_day,
                waves[wave_code].target_day - waves[wave_code].before_days,
                waves[wave_code].target_day + waves[wave_code].after_days,
            )
            for wave_code, code in spec.measures
        ],
        columns=["wave", "code", "target_day", "first_day", "last_day"],
    ).drop_duplicates(["wave", "code"])
    found = responses.merge(people[["client_id", "enrolled_date"]], on="client_id")
    found["day"] = (found["completed_on"] - found["enrolled_date"]).dt.days.astype("int64")
    found = found.merge(plan, on="code")
    found = found[(found["day"] >= found["first_day"]) & (found["day"] <= found["last_day"])]
    found = found.assign(distance=(found["day"] - found["target_day"]).abs())
    found = found.sort_values(
        ["client_id", "wave", "code", "distance", "day", "completed_at", "pk"]
    )
    return found.drop_duplicates(["client_id", "wave", "code"]).reset_index(drop=True)


def _scores(values: Sequence[Any], name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    out = np.full(len(values), np.nan)
    for i, scores in enumerate(values):
        value = scores.get(name) if isinstance(scores, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[i] = float(value)
    return out


def _measure_columns(
    measure: _Measure, chosen: pd.DataFrame, *, shift: bool
) -> tuple[pd.DataFrame, list[str]]:
    """The instrument's columns for each (person, wave) that has a chosen response."""
    mine = chosen[chosen["code"] == measure.code]
    columns: dict[str, Any] = {
        "client_id": mine["client_id"].to_numpy(),
        "wave": mine["wave"].to_numpy(),
        f"{measure.prefix}_day": mine["day"].to_numpy(),
    }
    if shift:
        shifted = mine["completed_on"] + pd.to_timedelta(mine["offset_days"], unit="D")
        columns[f"{measure.prefix}_date"] = _iso(shifted).to_numpy()
    scores = mine["scores"].tolist()
    for column, name in measure.score_columns():
        columns[column] = _scores(scores, name)
    items = answer_matrix(measure.instrument, mine["answers"].tolist(), ignore_unknown=True)
    for j, (column, _item) in enumerate(measure.item_columns()):
        columns[column] = items[:, j]
    frame = pd.DataFrame(columns)
    return frame, [name for name in columns if name not in ("client_id", "wave")]


def _exposure(spec: DatasetSpec, chosen: pd.DataFrame) -> pd.DataFrame:
    """Team fidelity exposure before each person's first chosen response of each wave."""
    first = chosen.sort_values(["client_id", "wave", "completed_on", "completed_at", "pk"])
    first = first.drop_duplicates(["client_id", "wave"])[
        ["client_id", "wave", "team_id", "completed_on"]
    ]
    first = first.assign(exposure=np.nan).reset_index(drop=True)
    if first.empty:
        return first[["client_id", "wave", "exposure"]]
    points = review_points_for(first["team_id"].unique().tolist())
    window = spec.exposure_days
    values = first["exposure"].to_numpy(copy=True)
    for team_id, rows in first.groupby("team_id").groups.items():
        if team_id not in points:
            continue
        days = first.loc[rows, "completed_on"].to_numpy().astype("datetime64[D]")
        # The same series as tandem.fidelity.series: from a window before the earliest day.
        series = stats.interpolate_daily(
            *points[int(team_id)],
            start=days.min() - np.timedelta64(window, "D"),
            end=days.max(),
        )
        values[np.asarray(rows)] = stats.exposure(series, days, window_days=window).values
    first["exposure"] = values
    return first[["client_id", "wave", "exposure"]]


def _variables(
    spec: DatasetSpec, measures: Sequence[_Measure], columns: Sequence[str]
) -> tuple[Variable, ...]:
    with translation.override("en"):
        genders: dict[str | int, str] = {value: str(label) for value, label in Gender.choices}
    genders[deid.OTHER] = gettext_noop(
        "Another gender, or a group of fewer than the minimum cell size"
    )
    fixed: dict[str, Variable] = {
        variable.name: variable
        for variable in (
            Variable("study_id", gettext_noop("Study ID"), "string"),
            Variable(
                "wave",
                gettext_noop("Wave"),
                "string",
                {wave.code: wave.label for wave in spec.waves},
            ),
            Variable("wave_order", gettext_noop("Wave order in the protocol"), "integer"),
            Variable("team", gettext_noop("Team code"), "string"),
            Variable("programme", gettext_noop("Programme code"), "string"),
            Variable(
                "age_years",
                gettext_noop("Age at enrolment, in years (90 = 90 or older)"),
                "integer",
            ),
            Variable("age_band", gettext_noop("Age band at enrolment"), "string"),
            Variable("gender", gettext_noop("Gender"), "string", genders),
            Variable(
                "diagnosis_group",
                gettext_noop("Diagnosis group"),
                "string",
                dict(DIAGNOSIS_GROUP_LABELS),
            ),
            Variable(
                "years_in_service",
                gettext_noop("Years from the first episode start to enrolment"),
                "float",
            ),
            Variable(
                "episode_days",
                gettext_noop("Days from the episode start to the wave's target day or discharge"),
                "integer",
            ),
            Variable(
                "discharged",
                gettext_noop("Discharged by the wave's target day"),
                "integer",
                dict(DISCHARGED_LABELS),
            ),
            Variable("enrolled_on", gettext_noop("Enrolment date (shifted)"), "date"),
            Variable(
                "exposure",
                f"Mean team fidelity over the {spec.exposure_days} days before the wave's "
                "first response",
                "float",
            ),
        )
    }
    for measure in measures:
        title = measure.instrument.title
        p = measure.prefix
        fixed[f"{p}_day"] = Variable(
            f"{p}_day", f"{title}: days from enrolment to the response", "integer"
        )
        fixed[f"{p}_date"] = Variable(f"{p}_date", f"{title}: response date (shifted)", "date")
        for column, name in measure.score_columns():
            label = measure.instrument.score(name).label
            fixed[column] = Variable(column, f"{title}: {label}", "float")
        for column, item_id in measure.item_columns():
            item = measure.instrument.item(item_id)
            options = measure.instrument.scale_of(item).options
            fixed[column] = Variable(
                column,
                f"{title}: {item.label} (raw answer)",
                "float",
                {
                    (int(o.value) if float(o.value).is_integer() else str(o.value)): o.label
                    for o in options
                },
            )
    return tuple(fixed[name] for name in columns)


def build_dataset(spec: DatasetSpec) -> Dataset:
    """The study's de-identified data set (see the module docstring and the contract)."""
    _check_spec(spec)
    shift = spec.date_mode == "shift"
    codes = list(dict.fromkeys(get_instrument(code).code for _, code in spec.measures))
    measures = [_measure_of(code) for code in codes]
    teams = _scope_teams(spec)
    people = _people(spec)
    ids = people["client_id"].tolist()

    people["age_years"] = deid.ages_years(people["date_of_birth"], people["enrolled_date"])
    people["age_band"] = deid.age_bands(people["age_years"])
    people["gender"] = deid.fold_rare(people["gender"], min_cell=spec.min_cell)
    people["diagnosis_group"] = deid.fold_rare(people["diagnosis_group"], min_cell=spec.min_cell)
    people = people.merge(_study_episodes(ids, teams), on="client_id", how="left")
    people["years_in_service"] = (
        (people["enrolled_date"] - people["start"]).dt.days / DAYS_PER_YEAR
    ).round(1)

    waves = pd.DataFrame(
        {
            "wave": [wave.code for wave in spec.waves],
            "wave_order": np.arange(1, len(spec.waves) + 1, dtype="int64"),
            "target_day": [wave.target_day for wave in spec.waves],
        }
    )
    rows = people.merge(waves, how="cross")
    target = rows["enrolled_date"] + pd.to_timedelta(rows["target_day"], unit="D")
    until = rows["end"].where(rows["end"].notna() & (rows["end"] < target), target)
    rows["episode_days"] = (until - rows["start"]).dt.days.astype("Int64")
    discharged = (rows["end"].notna() & (rows["end"] <= target)).astype("Int64")
    rows["discharged"] = discharged.mask(rows["start"].isna())
    if shift:
        rows["enrolled_on"] = _iso(
            rows["enrolled_date"] + pd.to_timedelta(rows["offset_days"], unit="D")
        )

    columns = ["study_id", "wave", "wave_order", "team", "programme", "age_years", "age_band"]
    columns += ["gender", "diagnosis_group", "years_in_service", "episode_days", "discharged"]
    if shift:
        columns.append("enrolled_on")

    chosen = _with_answers(_chosen_responses(spec, people, _responses(ids, teams, codes)))
    chosen = chosen.merge(people[["client_id", "offset_days"]], on="client_id")
    for measure in measures:
        measured, names = _measure_columns(measure, chosen, shift=shift)
        rows = rows.merge(measured, on=["client_id", "wave"], how="left")
        rows[f"{measure.prefix}_day"] = rows[f"{measure.prefix}_day"].astype("Int64")
        columns += names
    rows = rows.merge(_exposure(spec, chosen), on=["client_id", "wave"], how="left")
    columns.append("exposure")

    frame = rows.sort_values(["study_id", "wave_order"])[columns].reset_index(drop=True)
    variables = _variables(spec, measures, columns)
    for variable in variables:
        column = frame[variable.name]
        if variable.kind in ("string", "date"):
            frame[variable.name] = column.astype(object).where(column.notna(), None)
        elif variable.kind == "float":
            frame[variable.name] = column.astype("float64")
    frame["age_years"] = frame["age_years"].astype("int64")
    return Dataset(
        frame=frame,
        variables=variables,
        n_enrolled=len(spec.enrolled),
        sha256=hashlib.sha256(canonical_csv(frame)).hexdigest(),
    )
