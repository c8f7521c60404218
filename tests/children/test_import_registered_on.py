"""The 登记日期 column: read when present (true registration dates for past periods), today
when absent or blank, refused when after the reporting date or before the birth."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.children import imports, roster
from app.children.models import Child
from app.core.dates import today_cn
from app.core.models import Division
from tests.children.test_import_views import _record
from tests.children.test_roster import OFFICIAL, TITLE_ROWS, combined, data_row

REF = date(2026, 9, 30)


def _sheet(xlsx, child, registered=None, column=True) -> bytes:
    columns = [*OFFICIAL, ("registered_on", None, "登记日期")] if column else OFFICIAL
    return xlsx([*TITLE_ROWS, *combined(columns), data_row(child | {"registered_on": registered}, columns)])


@pytest.mark.parametrize(("cell", "expected"), [
    (date(2024, 3, 5), date(2024, 3, 5)),
    ("2024年3月5日", date(2024, 3, 5)),
    ("2024/3/5", date(2024, 3, 5)),
    (None, None),
])
def test_the_column_is_read_in_every_date_form(xlsx, make_child, cell, expected):
    [row] = roster.parse_roster(_sheet(xlsx, make_child(1), cell)).rows
    assert row.ok, row.reason()
    assert row.record["registered_on"] == expected


def test_a_file_without_the_column_reads_as_before(xlsx, make_child):
    [row] = roster.parse_roster(_sheet(xlsx, make_child(1), column=False)).rows
    assert row.ok and row.record["registered_on"] is None


@pytest.mark.parametrize(("cell", "code"), [
    (REF + timedelta(days=1), "future_registration"),
    ("2001-01-01", "registered_before_birth"),
    ("去年", "bad_date"),
])
def test_impossible_dates_are_refused_with_a_clear_message(xlsx, make_child, cell, code):
    [row] = roster.parse_roster(_sheet(xlsx, make_child(1), cell)).rows
    assert [i.code for i in row.errors] == [code]
    assert "登记日期" in row.reason()


def test_export_round_trips_the_date(record):
    buf = io.BytesIO()
    roster.write_roster([record | {"registered_on": date(2025, 11, 2)}], buf, fill_date=REF, include_extra=True)
    assert roster.parse_roster(buf.getvalue()).records()[0]["registered_on"] == date(2025, 11, 2)


@pytest.mark.usefixtures("world")
def test_saved_children_keep_the_files_date_or_today(world, db):
    county = db.session.get(Division, world.a.county.id)
    rows = [_record(0, registered_on=date(2025, 1, 6)), _record(1, registered_on=None)]
    buf = io.BytesIO()
    roster.write_roster(rows, buf, fill_date=today_cn(), include_extra=True)
    scope = imports.load_scope(county)
    found = imports.preview(io.BytesIO(buf.getvalue()), scope)
    assert found.counts()["bad"] == 0, [r.reason() for r in found.bad_rows]
    imports.save(found, scope, None, on_date=today_cn())
    db.session.commit()
    dates = dict(db.session.execute(sa.select(Child.name, Child.registered_on).where(
        Child.name.in_(["导入儿童0", "导入儿童1"]))).all())
    assert dates == {"导入儿童0": date(2025, 1, 6), "导入儿童1": today_cn()}
    # re-importing without a date is no change: the child keeps the date it was registered on
    again = imports.preview(io.BytesIO(buf.getvalue()), imports.load_scope(county))
    assert again.counts()["updates"] == 0 and again.counts()["unchanged"] == 2
