"""Roster import through the web: upload → preview → save nothing / only the good rows."""
from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.children import roster
from app.children.models import Child
from app.core.audit import AuditEntry
from app.core.idcard import make_id_number
from tests.children.conftest import valid_record

pytestmark = pytest.mark.usefixtures("world")

ROW = re.compile(r'<td class="primary">第 (\d+) 行</td>.*?<ul class="reasons">(.*?)</ul>', re.S)


def _preview(web, content: bytes, name: str = "roster.xlsx"):
    response = web.upload("/children/import", content, name)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    token = re.search(r"token=([\w-]+)", location).group(1)
    return token, web.get(location)


def _bad_rows(html: str) -> dict[int, list[str]]:
    return {int(n): [unescape(t) for t in re.findall(r"<li>(.*?)</li>", reasons)] for n, reasons in ROW.findall(html)}


def _count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Child))


def test_sample_preview_reports_exactly_the_planted_errors(web, sample_county, sample_path, truth, db):
    web.login("coordinator")
    _, page = _preview(web, sample_path.read_bytes())
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    bad = _bad_rows(html)
    result = roster.parse_roster(sample_path)
    seq_of = {row.row_number: row.seq for row in result.rows}
    assert {str(seq_of[n]) for n in bad} == set(truth["bad"])
    for row_number, reasons in bad.items():
        code = truth["bad"][str(seq_of[row_number])]
        assert any(truth["messages"][code] in r for r in reasons), (row_number, reasons)
    assert "与第53行重复" in html  # the duplicate points to its first row
    assert f'{len(truth["bad"])}</span><span class="stat-label">未通过校验' in html
    assert _count(db) == 4  # the preview saved nothing


def test_save_only_the_good_rows(web, sample_county, sample_path, truth, db):
    web.login("coordinator")
    token, _ = _preview(web, sample_path.read_bytes())
    before = _count(db)
    done = web.post("/children/import/confirm", {"token": token, "choice": "good"})
    assert done.status_code == 200
    good = truth["rows"] - len(truth["bad"])
    assert _count(db) == before + good
    kid = db.session.scalar(sa.select(Child).where(Child.id_number == "522626202205144442"))
    assert kid.division.name == "鱼塘村" and kid.division.parent.name == "水尾镇"
    assert kid.name_pinyin and kid.categories is not None and kid.tier in ("urgent", "key", "normal")
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "child.import")).all()
    assert len(entries) == good and all(e.detail["row"] for e in entries)
    summary = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "children.import"))
    assert summary.detail["created"] == good and summary.detail["bad"] == len(truth["bad"])


def test_save_nothing(web, sample_county, sample_path, db):
    web.login("coordinator")
    token, _ = _preview(web, sample_path.read_bytes())
    before = _count(db)
    response = web.post("/children/import/confirm", {"token": token, "choice": "none"})
    assert response.status_code == 302
    assert _count(db) == before
    # the upload is gone: a later confirmation is refused
    again = web.post("/children/import/confirm", {"token": token, "choice": "good"})
    assert again.status_code == 302 and "/children/import" in again.headers["Location"]
    assert _count(db) == before


def _record(i: int, **over) -> dict:
    """A valid parsed record for region A's village."""
    born = date(date.today().year - 9, 5, 1 + i)
    record = valid_record()
    record.update(seq=None, name=f"导入儿童{i}", sex="female", birth_date=born,
                  id_number=make_id_number("522626", born, 300 + 2 * i), township="a镇", village="a村",
                  school_name="a小学")
    record.update(over)
    return record


def _roster(records: list[dict]) -> bytes:
    buf = io.BytesIO()
    roster.write_roster(records, buf, fill_date=date.today(), include_extra=True)
    return buf.getvalue()


def test_existing_child_is_updated_only_when_ticked(web, world, db):
    web.login("coordinator")
    existing = world.a.child
    number = existing.id_number
    rows = [_record(0), _record(1, id_number=number, name=existing.name, sex="male", birth_date=existing.birth_date,
                                guardian_name="新监护人")]
    token, page = _preview(web, _roster(rows))
    html = page.get_data(as_text=True)
    assert "已有档案、内容有变化的儿童（1 人）" in html
    assert "新监护人" in html and "王奶奶" in html  # old → new, field by field
    done = web.post("/children/import/confirm", {"token": token, "choice": "good"})
    assert done.status_code == 200
    db.session.refresh(existing)
    assert existing.guardian_name == "王奶奶"  # not ticked: unchanged
    token, page = _preview(web, _roster(rows))
    row_number = re.search(r'name="update" value="(\d+)"', page.get_data(as_text=True)).group(1)
    web.post("/children/import/confirm", {"token": token, "choice": "good", "update": row_number})
    db.session.refresh(existing)
    assert existing.guardian_name == "新监护人"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "child.import",
                                                           AuditEntry.object_id == str(existing.id))).all()[-1]
    assert entry.detail["changes"]["guardian_name"] == ["王奶奶", "新监护人"]


def test_id_registered_outside_the_users_area_is_reported(web, world, db):
    web.login("village_director")
    other = world.b.child  # region B's child
    rows = [_record(2, id_number=other.id_number, birth_date=other.birth_date, sex="male")]
    token, page = _preview(web, _roster(rows))
    html = page.get_data(as_text=True)
    assert "身份证号码已登记在您负责范围以外的儿童档案中" in html
    web.post("/children/import/confirm", {"token": token, "choice": "good"})
    db.session.refresh(other)
    assert other.division_id == world.b.village.id


def test_rows_outside_the_directors_village_are_rejected(web, world, db):
    from tests.factories import division

    division("522626101202", "邻村", world.a.township)
    db.session.commit()
    web.login("village_director")
    token, page = _preview(web, _roster([_record(3, village="邻村")]))
    assert "村(社区)不在您负责的范围内" in page.get_data(as_text=True)
    before = _count(db)
    web.post("/children/import/confirm", {"token": token, "choice": "good"})
    assert _count(db) == before


def test_duplicate_in_the_file_and_rejection_download(web, db):
    web.login("coordinator")
    first = _record(4)
    rows = [first, _record(5, id_number=first["id_number"], birth_date=first["birth_date"]), _record(6, name=None)]
    token, page = _preview(web, _roster(rows))
    bad = _bad_rows(page.get_data(as_text=True))
    assert list(bad.values()) == [["身份证号码与本表另一行重复(与第5行重复)"], ["姓名为空"]]
    download = web.get(f"/children/import/rejections?token={token}")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.data)).active
    values = list(sheet.values)
    assert values[0][:2] == ("行号", "原因") and "序号" in values[0] and "姓名" in values[0]
    assert [v[0] for v in values[1:]] == sorted(bad)
    assert "重复" in values[1][1]
    id_col = values[0].index("公民身份证号码")
    assert sheet.cell(2, id_col + 1).data_type == "s"


def test_token_is_bound_to_its_user(web, world, browser, app, sample_county, sample_path):
    web.login("coordinator")
    token, _ = _preview(web, sample_path.read_bytes())
    from tests.conftest import Browser

    other = Browser(app.test_client())
    other.login(world.user("coordinator", "b").username)
    response = other.get(f"/children/import/preview?token={token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/children/import")
    assert other.get(f"/children/import/rejections?token={token}").status_code == 302


@pytest.mark.parametrize("content, message", [
    (b"name,id\n", "CSV"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
    (b"", "请选择要导入的 Excel 文件"),
])
def test_file_level_errors_are_shown_on_the_form(web, content, message):
    web.login("coordinator")
    response = web.upload("/children/import", content, "x.xlsx")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_school_staff_and_auditors_cannot_import(web):
    web.login("school_staff")
    assert web.get("/children/import").status_code == 403
    assert web.post("/children/import/confirm", {"token": "x" * 32, "choice": "good"}).status_code == 403
