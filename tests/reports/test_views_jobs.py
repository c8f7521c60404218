"""Report pages: issue and download, verification (public) with checksum comparison, scope and
role refusals, background jobs (in-process and RQ), the dashboards and the command line."""
import hashlib
import re
import io
import os
import time

import pytest
import sqlalchemy as sa

from app.core.dates import today_cn
from tests.conftest import IN_CI
from tests.reports.conftest import pdf_text

QUARTER = f"{today_cn().year}-Q{(today_cn().month - 1) // 3 + 1}"


def _login(browser, world, role, region="a"):
    username = "admin" if role == "admin" else world.user(role, region).username
    assert browser.login(username).status_code == 302


def test_issue_download_and_verify(world, activity, browser, app, db, tmp_path):
    from app.reports.models import IssuedReport

    _login(browser, world, "coordinator")
    response = browser.post("/reports/ledger", {"division": world.a.county.id, "period": QUARTER, "format": "pdf"},
                            token_from="/reports/ledger")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    row = db.session.scalar(sa.select(IssuedReport).order_by(IssuedReport.id.desc()))
    assert row.sha256 == hashlib.sha256(data).hexdigest() and row.organisation == world.a.federation.name
    assert "活动台账" in pdf_text(data, tmp_path)
    browser.logout()
    # an assessor without an account checks it
    page = browser.get(f"/reports/verify/{row.verification_code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and row.number in html and row.sha256 in html and "关爱服务活动台账" in html
    assert world.a.child.name not in html and world.user("coordinator").display_name not in html
    # the key totals, to compare with the paper: the same figures the PDF prints
    assert "主要数字" in html and "活动次数" in html and "志愿服务时长" in html
    text = re.sub(r"\s+", "", pdf_text(data, tmp_path))
    for label, value in row.figures["items"]:
        assert value in html
    ledger_rows = dict(row.figures["items"])
    assert ledger_rows["志愿服务时长"] in text and f"合计{ledger_rows['活动次数']}{ledger_rows['参与人次']}" in text
    token_page = f"/reports/verify/{row.verification_code}"
    same = browser.post(token_page, {"file": (io.BytesIO(data), "x.pdf")}, token_from=token_page,
                        content_type="multipart/form-data")
    assert "一致：上传的文件与出具的文件完全相同" in same.get_data(as_text=True)
    changed = browser.post(token_page, {"file": (io.BytesIO(data[:-10] + b"%%EOF\n    "), "x.pdf")},
                           token_from=token_page, content_type="multipart/form-data")
    assert "不一致" in changed.get_data(as_text=True)
    assert browser.get("/reports/verify/NOSUCHCODE").status_code == 404
    assert browser.get(f"/reports/verify?code={row.verification_code.lower()}").status_code == 302


def test_scope_and_role_refusals(world, activity, browser):
    _login(browser, world, "coordinator")
    assert browser.post("/reports/ledger", {"division": world.b.county.id, "period": QUARTER},
                        token_from="/reports/ledger").status_code == 404
    assert browser.get(f"/reports/child/{world.b.child.id}").status_code == 404
    assert browser.post(f"/reports/child/{world.b.child.id}", {}, token_from="/reports/").status_code == 404
    assert browser.post("/reports/assessment", {"division": world.a.village.id, "period": QUARTER},
                        token_from="/reports/").status_code == 404  # an assessment is for a county or township
    browser.logout()
    _login(browser, world, "school_staff")
    assert browser.get("/reports/assessment").status_code == 403
    assert browser.get(f"/reports/child/{world.a.pupil.id}").status_code == 403  # no children.export
    assert browser.post("/reports/ledger", {"division": world.a.county.id, "period": QUARTER},
                        token_from="/reports/").status_code == 404  # school staff: their school only
    ok = browser.post("/reports/ledger", {"school": world.a.school.id, "period": QUARTER}, token_from="/reports/")
    assert ok.status_code == 200
    assert browser.post("/reports/ledger", {"school": world.b.school.id, "period": QUARTER},
                        token_from="/reports/").status_code == 404
    browser.logout()
    _login(browser, world, "volunteer")
    assert browser.get("/reports/ledger").status_code == 403
    assert browser.get("/reports/my-certificate").status_code == 302
    own = f"/reports/certificate/{world.a.volunteer.id}"
    assert browser.post(own, {}, token_from=own).status_code == 200
    assert browser.get(f"/reports/certificate/{world.b.volunteer.id}").status_code == 404
    browser.post("/logout", token_from=own)  # a volunteer's home page redirects: take the token here
    _login(browser, world, "coordinator")
    assert browser.post(f"/reports/child/{world.a.child.id}", {"reveal": "1"}, token_from="/reports/").status_code == 200
    browser.logout()
    _login(browser, world, "auditor")
    assert browser.post(f"/reports/child/{world.a.child.id}", {"reveal": "1"}, token_from="/reports/").status_code == 403


def test_rendering_is_audited_and_auditors_change_nothing_else(world, activity, browser, db):
    from app.core.audit import AuditEntry

    def counts():
        tables = [t for t in db.metadata.sorted_tables if t.name not in ("audit_log", "issued_reports",
                                                                        "report_jobs", "user_sessions")]
        return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in tables}

    before = counts()
    _login(browser, world, "auditor")
    assert browser.post(f"/reports/child/{world.a.child.id}", {}, token_from="/reports/").status_code == 200
    assert browser.post("/reports/assessment", {"division": world.a.county.id, "period": QUARTER},
                        token_from="/reports/").status_code == 200
    db.session.expire_all()
    after = counts()
    assert {k: v for k, v in after.items() if k != "users"} == {k: v for k, v in before.items() if k != "users"}
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.username == world.user("auditor").username)))
    assert {"report.issue", "child.export"} <= actions
    exported = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "child.export"))
    assert exported.object_id == str(world.a.child.id)


def _wait(db, job_id, seconds=120):
    from app.reports.models import ReportJob

    deadline = time.time() + seconds
    while time.time() < deadline:
        db.session.expire_all()
        job = db.session.get(ReportJob, job_id)
        if job.status in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError("the job did not finish")


def test_background_job_in_process(world, activity, browser, app, db):
    from app.reports.models import ReportJob

    app.config["REPORTS_SYNC_ROWS"] = 0
    app.config["REDIS_URL"] = None
    _login(browser, world, "coordinator")
    response = browser.post("/reports/ledger", {"division": world.a.county.id, "period": QUARTER},
                            token_from="/reports/ledger")
    assert response.status_code == 302 and "/reports/jobs/" in response.headers["Location"]
    job = db.session.scalar(sa.select(ReportJob).order_by(ReportJob.id.desc()))
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "<progress" in page
    job = _wait(db, job.id)
    assert job.status == "done" and job.progress == 100 and job.backend == "thread", job.message
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert job.issued_report.number in page and 'http-equiv="refresh"' not in page
    download = browser.get(f"/reports/jobs/{job.token}/download")
    assert download.status_code == 200 and hashlib.sha256(download.get_data()).hexdigest() == job.issued_report.sha256
    browser.logout()
    _login(browser, world, "coordinator", "b")
    assert browser.get(f"/reports/jobs/{job.token}").status_code == 404  # not theirs


def _redis_url():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        from redis import Redis

        Redis.from_url(url, socket_connect_timeout=2).ping()
        return url
    except Exception as exc:  # noqa: BLE001
        if IN_CI:
            pytest.fail(f"Redis is required in CI but not reachable at {url}: {exc}")
        pytest.skip(f"Redis not reachable at {url} ({exc}); RQ test skipped")


def test_background_job_with_rq(world, activity, app, db):
    from rq import SimpleWorker

    from app.reports import jobs
    from app.reports.registry import ReportRequest

    url = _redis_url()
    app.config["REDIS_URL"] = url
    queue = jobs.queue(url)
    queue.empty()
    job = jobs.submit(ReportRequest("assessment", division_id=world.a.county.id, period=QUARTER),
                      world.user("coordinator"))
    assert job.backend == "rq" and len(queue) == 1
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    job = _wait(db, job.id, 10)
    assert job.status == "done" and job.issued_report.page_count >= 1, job.message
    queue.empty()


def test_cli_render(world, activity, app, db, tmp_path):
    out = tmp_path / "ledger.pdf"
    result = app.test_cli_runner().invoke(args=["reports", "render", "ledger", "--division", world.a.county.code,
                                                "--period", QUARTER, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "XB-" in result.output and "关爱服务活动台账" in pdf_text(out.read_bytes(), tmp_path)
    xlsx = tmp_path / "stats.xlsx"
    result = app.test_cli_runner().invoke(args=["reports", "render", "roster_stats", "--division", world.a.county.code,
                                                "--out", str(xlsx), "--user", world.user("coordinator").username])
    assert result.exit_code == 0, result.output and xlsx.read_bytes()[:2] == b"PK"
    result = app.test_cli_runner().invoke(args=["reports", "render", "ledger", "--division", world.b.county.code,
                                                "--out", str(out), "--user", world.user("coordinator").username])
    assert result.exit_code == 1


def test_dashboard_figures_link_to_their_lists(world, activity, browser):
    _login(browser, world, "coordinator")
    html = browser.get("/reports/dashboard").get_data(as_text=True)
    assert "<svg" in html and "style=" not in html and "<script" not in html.split("</main>")[0]
    assert f"/reports/dashboard/list?metric=uncovered&amp;division={world.a.township.id}" in html
    listing = browser.get(f"/reports/dashboard/list?metric=uncovered&division={world.a.county.id}")
    assert listing.status_code == 200 and world.a.pupil.name in listing.get_data(as_text=True)
    assert browser.get(f"/reports/dashboard/list?metric=uncovered&division={world.b.county.id}").status_code == 404
    assert browser.get(f"/reports/dashboard?division={world.b.county.id}").status_code == 404
    browser.logout()
    _login(browser, world, "school_staff")
    assert browser.get("/reports/dashboard").status_code == 403


def test_find_people_for_personal_reports(world, browser):
    _login(browser, world, "coordinator")
    html = browser.get("/reports/find?q=" + world.a.child.name).get_data(as_text=True)
    assert f"/reports/child/{world.a.child.id}" in html
    assert f"/reports/child/{world.b.child.id}" not in browser.get("/reports/find?q=" + world.b.child.name).get_data(
        as_text=True)
    html = browser.get("/reports/find?q=" + world.a.volunteer.name).get_data(as_text=True)
    assert f"/reports/certificate/{world.a.volunteer.id}" in html
