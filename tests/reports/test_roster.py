"""花名册: a numbered roster listing every village (zeros too), true on the period's last day."""
import io
import re

from openpyxl import load_workbook

from tests.reports.conftest import issue, pdf_text
from tests.reports.test_print import _quarter, _second_township


def test_numbered_roster_lists_every_village(world, activity, tmp_path, db):
    import sqlalchemy as sa

    from app.core.audit import AuditEntry

    town, twin, empty, kid = _second_township(world)
    coordinator = world.user("coordinator")
    row, data = issue("roster", coordinator, division_id=world.a.county.id, period=_quarter())
    text = re.sub(r"\s+", "", pdf_text(data, tmp_path))
    assert f"{world.a.township.name}{world.a.village.name}（2人）" in text
    assert f"乙镇{world.a.village.name}（1人）" in text and "乙镇无童村（0人）本村(社区)无在册儿童" in text
    for name in (world.a.child.name, world.a.pupil.name, kid.name):
        assert name in text
    assert world.a.child.id_number not in text and "合计3人" in text
    assert dict(row.figures["items"])["在册儿童"] == "3"
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "children.export")) is not None
    row, data = issue("roster", coordinator, division_id=world.a.county.id, period=_quarter(), file_format="xlsx")
    ws = load_workbook(io.BytesIO(data)).active
    values = list(ws.iter_rows(values_only=True))
    numbers = [r[1] for r in values if isinstance(r[1], int)]
    assert numbers == [1, 2, 3]


def test_roster_page_offers_quarters_and_years_not_ranges(world, browser):
    from tests.reports.test_views_jobs import _login

    _login(browser, world, "coordinator")
    page = browser.get("/reports/roster").get_data(as_text=True)
    assert "花名册" in page and 'name="start"' not in page
