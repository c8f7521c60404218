"""志愿者花名册: every volunteer in service on the period's last day, village by village (every
village listed), with their pairs and service; no ID or phone numbers."""
import io
import re

from openpyxl import load_workbook

from tests.reports.conftest import issue, pdf_text
from tests.reports.test_print import _quarter, _second_township


def test_volunteer_roster_lists_every_village_and_adds_up(world, activity, tmp_path, db):
    town, twin, empty, kid = _second_township(world)
    v = world.a.volunteer
    v.status = "approved"
    db.session.commit()
    row, data = issue("volunteer_roster", world.user("coordinator"), division_id=world.a.county.id,
                      period=_quarter())
    text = re.sub(r"\s+", "", pdf_text(data, tmp_path))
    assert v.name in text and v.id_number not in text and v.phone not in text
    assert f"{world.a.township.name}{world.a.village.name}（1人）" in text
    assert "乙镇无童村（0人）本村(社区)无在册志愿者" in text
    figures = dict(row.figures["items"])
    assert figures["在册志愿者"] == "1" and figures["结对儿童"] == "1"
    # a talk, a visit (activity fixture) and the school event the volunteer attended
    assert figures["服务次数"] == "3" and figures["服务时长"] == "3小时"
    assert "数据核对" in text and "不一致" not in text
    row, data = issue("volunteer_roster", world.user("coordinator"), division_id=world.a.county.id,
                      period=_quarter(), file_format="xlsx")
    ws = load_workbook(io.BytesIO(data))["志愿者花名册"]
    values = list(ws.iter_rows(values_only=True))
    body = [r for r in values if isinstance(r[1], int)]
    assert [r[1] for r in body] == [1] and body[0][9] == 3.0


def test_an_exited_or_unapproved_volunteer_is_not_on_the_roster(world, db):
    from app.reports import volunteer_roster
    from app.reports.common import parse_period
    from app.reports.scope import resolve_region

    world.a.volunteer.status = "applied"
    db.session.commit()
    built = volunteer_roster.build(resolve_region(None, division_id=world.a.county.id), parse_period(_quarter()))
    assert built.total == 0 and built.checks.ok
