"""Exports: the 花名册 of the current filter and one child's 登记表; export → import → no changes."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.children import imports, roster
from app.children.models import Child
from app.core.audit import AuditEntry
from app.core.idcard import mask_id_number
from app.core.models import Division

pytestmark = pytest.mark.usefixtures("world")


def test_export_import_round_trip_changes_nothing(web, world, db):
    child = world.a.child
    child.current_address = "=HYPERLINK(\"http://x\")"  # formula-looking text
    child.father_birth_date = child.birth_date.replace(year=child.birth_date.year - 30)
    child.no_id_reason = None
    db.session.commit()
    web.login("coordinator")
    export = web.get("/children/export.xlsx")
    assert export.status_code == 200
    workbook = load_workbook(io.BytesIO(export.data))
    assert workbook.sheetnames == ["花名册", roster.INSTRUCTIONS_SHEET]
    sheet = workbook["花名册"]
    header = [c.value for c in sheet[3]]
    id_col = header.index("公民身份证号码") + 1
    cells = {sheet.cell(r, id_col).value: r for r in range(5, sheet.max_row + 1)}
    row = cells[child.id_number]
    assert sheet.cell(row, id_col).data_type == "s" and sheet.cell(row, id_col).number_format == "@"
    address = sheet.cell(row, [c.value for c in sheet[3]].index("现居住地") + 1).value
    assert address.startswith("'=")
    county = db.session.get(Division, world.a.county.id)
    found = imports.preview(io.BytesIO(export.data), imports.load_scope(county))
    assert found.counts() == {"rows": 2, "bad": 0, "new": 0, "updates": 0, "unchanged": 2}
    token = re.search(r"token=([\w-]+)", web.upload("/children/import", export.data).headers["Location"]).group(1)
    web.post("/children/import/confirm", {"token": token, "choice": "good"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action.in_(("child.import", "child.update")))) == 0
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "child.export"))
    assert entry.detail["count"] == 2


def test_export_follows_the_filter_and_the_scope(web, world):
    web.login("village_director", "b")
    data = web.get("/children/export.xlsx").data
    numbers = {r.record["id_number"] for r in roster.parse_roster(data).rows}
    assert numbers == {world.b.child.id_number, world.b.pupil.id_number}
    data = web.get(f"/children/export.xlsx?school={world.b.school.id}").data
    assert [r.record["name"] for r in roster.parse_roster(data).rows] == [world.b.pupil.name]
    web.browser.logout()
    web.login("volunteer")
    assert web.get("/children/export.xlsx").status_code == 403


def test_registration_form_download(web, world, db):
    web.login("auditor")
    response = web.get(f"/children/{world.a.child.id}/form.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["登记表", roster.INSTRUCTIONS_SHEET]
    sheet = workbook.active
    values = [c.value for row in sheet.iter_rows() for c in row if c.value]
    # the read-only auditor gets the ID number masked (only the roles that may reveal get it in full)
    assert roster.TITLE in values and world.a.child.id_number not in values and "a村" in values
    assert mask_id_number(world.a.child.id_number) in values
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "child.export_form"))
    assert web.get(f"/children/{world.b.child.id}/form.xlsx").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Child)) == 4
