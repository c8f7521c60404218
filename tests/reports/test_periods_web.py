"""Annual periods and any date range from the web, for the report kinds where they make sense."""
from tests.reports.conftest import pdf_text
from tests.reports.test_views_jobs import _login


def test_annual_and_custom_range_reports_from_the_web(world, activity, browser, tmp_path):
    from app.core.dates import today_cn

    _login(browser, world, "coordinator")
    year = str(today_cn().year)
    page = browser.get("/reports/assessment").get_data(as_text=True)
    assert f'value="{year}"' in page and 'name="start"' in page
    response = browser.post("/reports/assessment", {"division": world.a.county.id, "period": year, "format": "pdf"},
                            token_from="/reports/assessment")
    assert response.status_code == 200 and f"{year}年度" in pdf_text(response.get_data(), tmp_path)
    start, end = f"{int(year) - 1}-12-01", today_cn().isoformat()
    response = browser.post("/reports/ledger", {"division": world.a.county.id, "period": year, "start": start,
                                                "end": end, "format": "pdf"}, token_from="/reports/ledger")
    assert response.status_code == 200
    assert f"{int(year) - 1}年12月1日至" in pdf_text(response.get_data(), tmp_path)
    # an inverted range is refused with a clear message, the dates typed are kept
    response = browser.post("/reports/ledger", {"division": world.a.county.id, "start": end, "end": start,
                                                "format": "pdf"}, token_from="/reports/ledger")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "结束日期不能早于开始日期" in html and f'value="{start}"' in html
    # the quarterly roster statistics take a quarter or a year, not a range
    assert 'name="start"' not in browser.get("/reports/roster-stats").get_data(as_text=True)
    response = browser.post("/reports/roster-stats", {"division": world.a.county.id, "period": year,
                                                      "format": "xlsx"}, token_from="/reports/roster-stats")
    assert response.status_code == 200
