"""Canary: identifying strings planted in the records never reach a data set file.

Names, e-mails, phones, street addresses, dates of birth (in every common spelling), contact
notes, free-text answers, a transition plan and an external identifier are planted; the data
set is built in both date modes and written in every format; no output byte holds any of them,
nor does any value read back (after decompressing Parquet), nor any client id.
"""

from __future__ import annotations

import io
import struct
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest

from tandem.clients.models import ExternalIdentifier
from tandem.practice.models import Contact, ContactMode
from tandem.research.dataset.build import build_dataset
from tandem.research.dataset.spec import Dataset
from tandem.research.dataset.writers import ExportFile, write_dataset
from tests.factories import UserFactory
from tests.research.dataset_records import StudyRecords, day, respond, study_records

pytestmark = pytest.mark.django_db

BIRTHDAYS = (date(1961, 8, 23), date(1974, 11, 9), date(1988, 2, 14))
FIRST_CLIENT_PK = 918_273_640


def date_spellings(born: date) -> list[str]:
    """The ways a date of birth may be written: ISO, day first, month first, compact, words."""
    d, m, y = born.day, born.month, born.year
    month = born.strftime("%B")
    return [
        born.isoformat(),
        f"{y}/{m:02d}/{d:02d}",
        f"{y}{m:02d}{d:02d}",
        f"{d:02d}/{m:02d}/{y}",
        f"{m:02d}/{d:02d}/{y}",
        f"{d}/{m}/{y}",
        f"{m}/{d}/{y}",
        f"{d:02d}.{m:02d}.{y}",
        f"{d:02d}-{m:02d}-{y}",
        f"{m:02d}-{d:02d}-{y}",
        f"{d} {month} {y}",
        f"{month} {d}, {y}",
        f"{d} {month[:3]} {y}",
        f"{month[:3]} {d}, {y}",
    ]


def plant(records: StudyRecords) -> list[str]:
    """Clients full of identifying details, enrolled with responses; the planted strings."""
    planted: list[str] = []
    worker = UserFactory.create()
    for n, born in enumerate(BIRTHDAYS):
        given, family, preferred = f"Canarygiven{n}", f"Zyxwquist{n}", f"Birdie{n}"
        email = f"canary.person{n}@mailbox.example"
        phone = f"514 555-01{n}7"
        street = f"{4200 + n} Rue des Canaris-Jaunes"
        note = f"Canarynote {n}: met at the shelter on Rue Fauxbourg"
        area = f"Canaryarea {n}: reconnect with my sister Odalys"
        plan = f"Canaryplan {n}: move in with cousin Tiberius"
        chart = f"CHART-CANARY-{n}X7"
        episode = records.enrol(
            team=records.team_a if n % 2 else records.team_b,
            date_of_birth=born,
            given_name=given,
            family_name=family,
            preferred_name=preferred,
            email=email,
            phone=phone,
            address=f"{street}\nMontréal QC H2X 1Y4",
            id=FIRST_CLIENT_PK + n,
        )
        episode.transition_plan = plan
        episode.save()
        client = episode.client
        ExternalIdentifier.objects.create(client=client, system="Hospital chart", value=chart)
        Contact.objects.create(
            client=client,
            episode=episode,
            worker=worker,
            occurred_on=day(1),
            minutes=30,
            mode=ContactMode.OFFICE,
            note=note,
        )
        respond(episode, "rprs", day(n))
        respond(episode, "pgi", day(n), {"area1": area, "area2": email})
        respond(episode, "rprs", day(180 + n))
        planted += [given, family, preferred, email, phone, street, "H2X 1Y4", note, area]
        planted += [plan, chart, *date_spellings(born)]
    return planted


def written_files(dataset: Dataset) -> list[ExportFile]:
    return [f for fmt in ("csv", "sav", "parquet") for f in write_dataset(dataset, fmt)]


def values_read_back(written: ExportFile, tmp_path: Path) -> pd.DataFrame:
    if written.name.endswith(".csv"):
        return pd.read_csv(io.BytesIO(written.content), dtype=str, keep_default_na=False)
    if written.name.endswith(".sav"):
        path = tmp_path / written.name
        path.write_bytes(written.content)
        frame: pd.DataFrame = pyreadstat.read_sav(str(path))[0]
        return frame
    table: pd.DataFrame = pq.read_table(io.BytesIO(written.content)).to_pandas()
    return table


@pytest.mark.parametrize("date_mode", ["days", "shift"])
def test_no_planted_string_or_client_id_reaches_any_file(date_mode: str, tmp_path: Path) -> None:
    records = study_records()
    planted = plant(records)
    client_ids = [str(FIRST_CLIENT_PK + n) for n in range(len(BIRTHDAYS))]
    spec = records.spec(
        date_mode=date_mode,  # type: ignore[arg-type]  # the parametrised literal
        measures=(("baseline", "rprs"), ("baseline", "pgi"), ("m6", "rprs")),
        min_cell=1,
    )
    dataset = build_dataset(spec)
    assert dataset.frame["rprs_day"].notna().sum() == 6
    assert dataset.frame["pgi_day"].notna().sum() == 3
    files = written_files(dataset)
    assert {f.name for f in files} == {
        "dataset.csv",
        "dataset_dictionary.csv",
        "dataset.sav",
        "dataset.parquet",
    }
    for written in files:
        raw = written.content
        for text in planted + client_ids:
            for encoding in ("utf-8", "utf-16-le"):
                assert text.encode(encoding) not in raw, (written.name, text)
            assert text.lower().encode() not in raw.lower(), (written.name, text)
        for pk in client_ids:
            assert struct.pack("<d", float(pk)) not in raw
            assert struct.pack("<q", int(pk)) not in raw
        read = values_read_back(written, tmp_path)
        cells = [str(value) for value in read.to_numpy().ravel()] + list(read.columns)
        joined = "\n".join(cells).lower()
        for text in planted + client_ids:
            assert text.lower() not in joined, (written.name, text)
        numbers = read.apply(pd.to_numeric, errors="coerce")
        assert not numbers.isin([float(pk) for pk in client_ids]).any().any()
