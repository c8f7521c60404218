"""The route × role × scope walk (tests/core/test_policies.py) checks status codes; this checks what
the Excel exports and the edit pages *contain* for every role: only rows in scope, and ID and phone
numbers in full only for the roles that may reveal them (the download being audited as a reveal)."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from app.core.idcard import mask_id_number
from app.core.permissions import PERMISSIONS

ROLES = ["volunteer", "school_staff", "coordinator", "village_director", "auditor", "admin"]


def _text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return " ".join(str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r if v)


@pytest.mark.parametrize("role", ROLES)
def test_roster_export_holds_only_rows_in_scope_masked_unless_revealed(login, world, role):
    response = login(role).get("/children/export.xlsx")
    if role not in PERMISSIONS["children.export"]:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    text = _text(response.data)
    reveal = role in PERMISSIONS["children.reveal"]
    mine = [world.a.child, world.a.pupil] + ([world.b.child, world.b.pupil] if role == "admin" else [])
    for child in mine:
        assert child.name in text
        assert (child.id_number in text) is reveal and (child.guardian_phone in text) is reveal
        if not reveal:
            assert mask_id_number(child.id_number) in text
    if role != "admin":
        assert world.b.child.name not in text and world.b.child.id_number not in text


@pytest.mark.parametrize("role", ROLES)
def test_registration_form_export_by_role_and_scope(login, world, role):
    browser = login(role)
    inside = browser.get(f"/children/{world.a.child.id}/form.xlsx")
    outside = browser.get(f"/children/{world.b.child.id}/form.xlsx")
    if role not in PERMISSIONS["children.export"]:
        assert inside.status_code == outside.status_code == 403
        return
    assert inside.status_code == 200
    assert outside.status_code == (200 if role == "admin" else 404)
    text = _text(inside.data)
    assert (world.a.child.id_number in text) is (role in PERMISSIONS["children.reveal"])


@pytest.mark.parametrize("role", ROLES)
def test_edit_pages_by_role_and_scope_never_show_full_numbers(login, world, role):
    browser = login(role)
    inside = browser.get(f"/children/{world.a.child.id}/edit")
    outside = browser.get(f"/children/{world.b.child.id}/edit")
    if role not in PERMISSIONS["children.edit"]:
        assert inside.status_code == outside.status_code == 403
        return
    assert inside.status_code == 200
    assert outside.status_code == (200 if role == "admin" else 404)
    html = inside.get_data(as_text=True)
    assert world.a.child.id_number not in html and world.a.child.guardian_phone not in html
