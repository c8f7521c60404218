"""Every region kind of the registry, whatever it is: role and scope enforced through the web
(out of scope is 404), PDF page labels consecutive and naming the true page count, every Excel
sheet numbered with totals equal to the sum of their rows."""
import io
import re

import pytest
from openpyxl import load_workbook

from tests.reports.conftest import issue, pdf_pages
from tests.reports.test_print import _labels, _pages_text, _quarter
from tests.reports.test_views_jobs import _login


@pytest.fixture(autouse=True)
def _sample(world, db):
    """The assessor's sample the 抽样核查结果 reports on (drawn for both regions' counties)."""
    from tests.reports.helpers import _sample

    for r in (world.a, world.b):
        _sample(r, r.users["coordinator"])
    db.session.commit()


def _region_kinds():
    from app.reports.registry import KINDS

    return [k for k in KINDS.values() if k.subject == "region"]


def _division(world, kind, region="a"):
    r = getattr(world, region)
    level = next(level for level in ("county", "township", "village") if level in kind.levels)
    return getattr(r, level).id


@pytest.mark.parametrize("code", [k.code for k in _region_kinds()])
def test_web_form_enforces_role_and_scope(code, world, activity, browser):
    from app.core.permissions import PERMISSIONS
    from app.reports.registry import KINDS

    kind = KINDS[code]
    url = "/reports/" + kind.path
    _login(browser, world, "coordinator")
    assert browser.post(url, {"division": _division(world, kind, "b"), "period": _quarter()},
                        token_from=url).status_code == 404
    ok = browser.post(url, {"division": _division(world, kind), "period": _quarter(), "format": "pdf"},
                      token_from=url)
    assert ok.status_code == 200 and ok.mimetype == "application/pdf"
    browser.logout()
    refused = next(role for role in ("volunteer", "school_staff", "township_supervisor")
                   if role not in PERMISSIONS[kind.permission])
    _login(browser, world, refused)
    assert browser.get(url).status_code == 403


@pytest.mark.parametrize("code", [k.code for k in _region_kinds()])
def test_pdf_page_labels_are_consecutive_and_true(code, world, activity, tmp_path):
    from app.reports.registry import KINDS

    kind = KINDS[code]
    row, data = issue(code, world.user("coordinator"), division_id=_division(world, kind), period=_quarter())
    pages = _pages_text(data, tmp_path)
    assert row.page_count == pdf_pages(data) == len(pages)
    assert _labels(pages) == [(n, len(pages)) for n in range(1, len(pages) + 1)]
    assert "盖章处" in pages[-1]


def _check_totals(kind: str, number: str, data: bytes) -> int:
    """Each numeric cell of a 合计 row below a sheet's filtered rows is the sum of its column (a
    rate, formatted as a percentage, is not a sum and is left out); returns how many totals were
    compared."""
    compared = 0
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        rows = list(ws.iter_rows())
        values = [[c.value for c in r] for r in rows]
        assert any(number in str(r[0] or "") for r in values[:6]), (kind, ws.title)
        assert ws.auto_filter.ref, (kind, ws.title)
        first, last = ws.auto_filter.ref.split(":")
        header_at, end = int(re.sub(r"\D", "", first)), int(re.sub(r"\D", "", last))
        body = values[header_at:end]
        for cells in (r for r in rows[end:] if r and "合计" in (r[0].value, r[1].value if len(r) > 1 else None)):
            for k, cell in enumerate(cells):
                value = cell.value
                if isinstance(value, (int, float)) and not isinstance(value, bool) and k > 0 \
                        and "%" not in cell.number_format:
                    column = [r[k] for r in body if isinstance(r[k], (int, float))]
                    assert abs(sum(column) - value) < 1e-9, (kind, ws.title, k)
                    compared += 1
    return compared


@pytest.mark.parametrize("code", [k.code for k in _region_kinds() if "xlsx" in k.formats])
def test_excel_totals_equal_the_sum_of_their_rows(code, world, activity):
    from app.reports.registry import KINDS

    kind = KINDS[code]
    row, data = issue(code, world.user("coordinator"), division_id=_division(world, kind), period=_quarter(),
                      file_format="xlsx")
    _check_totals(code, row.number, data)
