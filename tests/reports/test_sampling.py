"""The assessor's sample: a seeded draw per village that anyone can repeat, each verification call
or visit recorded (with clear refusals), the discrepancy rate per village, and 404 outside scope."""
import io
import re
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from app.core.dates import today_cn
from tests.reports.conftest import issue, pdf_text
from tests.reports.test_print import _quarter, _second_township
from tests.reports.test_views_jobs import _login


def _draw(world, per_village=5, seed=20261207):
    from app.reports.common import parse_period
    from app.reports.sampling import draw
    from app.reports.scope import resolve_region

    return draw(world.user("auditor"), resolve_region(None, division_id=world.a.county.id),
                parse_period(_quarter()), per_village, seed)


def _many_children(world, n=12):
    from tests.factories import child

    return [child(world.a.village, name=f"抽样儿童{k:02d}") for k in range(n)]


def test_the_same_seed_draws_the_same_children_and_another_seed_others(world, db):
    _many_children(world)
    _second_township(world)
    first = [(i.village_id, i.child_id) for i in _draw(world).items]
    again = [(i.village_id, i.child_id) for i in _draw(world).items]
    other = [(i.village_id, i.child_id) for i in _draw(world, seed=1).items]
    assert first == again and first != other
    assert sum(v == world.a.village.id for v, _ in first) == 5  # 14 on the roster, 5 drawn
    assert len(first) == 5 + 1  # the twin village's only child; the empty village gives none
    from app.reports.sampling import pick

    assert pick(7, "x", list(range(100)), 3) == pick(7, "x", list(range(100)), 3)


def test_recording_checks_and_the_discrepancy_rate(world, db, tmp_path):
    from app.reports.sampling import CheckInput, SampleError, record_check

    _many_children(world, 3)
    sample = _draw(world, per_village=4)
    db.session.commit()
    a, b, c, d = sample.items
    auditor = world.user("auditor")
    today = today_cn()
    for bad, field in ((CheckInput("mail", today, True, True), "method"),
                       (CheckInput("call", None, True, True), "checked_on"),
                       (CheckInput("call", today + timedelta(days=1), True, True), "checked_on"),
                       (CheckInput("call", today, False, True), "care_confirmed"),
                       (CheckInput("call", today, True, True, ["nonsense"]), "discrepancies")):
        try:
            record_check(auditor, a, bad)
            raise AssertionError("accepted")
        except SampleError as exc:
            assert exc.field == field and exc.message
    record_check(auditor, a, CheckInput("call", today, True, True))
    record_check(auditor, b, CheckInput("visit", today, True, False, ["carer", "care"], "结对志愿者已外出务工"))
    record_check(auditor, c, CheckInput("call", today, False, False))
    db.session.commit()
    row, data = issue("sample_check", world.user("coordinator"), division_id=world.a.county.id, period=_quarter())
    figures = dict(row.figures["items"])
    assert figures["随机种子"] == "20261207" and figures["抽取人数"] == "4" and figures["已核实"] == "3"
    assert figures["有不符"] == "1" and figures["不符率"] == "33.3%"
    text = re.sub(r"\s+", "", pdf_text(data, tmp_path))
    assert "关爱人或结对不符" in text and "未核实" in text and "不一致" not in text
    row, data = issue("sample_check", world.user("coordinator"), division_id=world.a.county.id, period=_quarter(),
                      file_format="xlsx")
    ws = load_workbook(io.BytesIO(data))["各村核查"]
    total = next(r for r in ws.iter_rows() if r[0].value == "合计")
    assert [x.value for x in total[1:7]] == [5, 4, 3, 2, 1, 1] and abs(total[7].value - 1 / 3) < 1e-9


def test_no_sample_yet_is_a_clear_refusal(world):
    from app.reports.common import ParameterError
    from app.reports.registry import ReportRequest
    from app.reports.service import build_context, prepare

    req = ReportRequest("sample_check", division_id=world.a.county.id, period=_quarter())
    try:
        build_context(prepare(req, None), None)
        raise AssertionError("built")
    except ParameterError as exc:
        assert "尚未抽样" in exc.message


def test_pages_draw_record_and_refuse_out_of_scope(world, browser, db):
    from app.reports.models import VerificationItem, VerificationSample

    _many_children(world, 2)
    db.session.commit()
    _login(browser, world, "auditor")
    page = browser.get("/reports/samples")
    assert page.status_code == 200 and "抽取样本" in page.get_data(as_text=True)
    bad = browser.post("/reports/samples", {"division": world.a.county.id, "period": _quarter(), "per_village": "0",
                                            "seed": "42"}, token_from="/reports/samples")
    assert bad.status_code == 400 and "每村抽取人数应为1到50" in bad.get_data(as_text=True)
    assert 'value="42"' in bad.get_data(as_text=True)  # what was typed is kept
    assert browser.post("/reports/samples", {"division": world.b.county.id, "period": _quarter(), "per_village": "2"},
                        token_from="/reports/samples").status_code == 404
    done = browser.post("/reports/samples", {"division": world.a.county.id, "period": _quarter(), "per_village": "2",
                                             "seed": "42"}, token_from="/reports/samples")
    assert done.status_code == 302
    sample = db.session.scalar(sa.select(VerificationSample).order_by(VerificationSample.id.desc()))
    assert sample.seed == 42 and len(sample.items) == 2
    url = f"/reports/samples/{sample.id}"
    item = sample.items[0]
    refused = browser.post(url + "/check", {"item": item.id, "method": "call", "checked_on": "",
                                            "note": "打了两次"}, token_from=url)
    assert refused.status_code == 400 and "请填写核实日期" in refused.get_data(as_text=True)
    assert "打了两次" in refused.get_data(as_text=True)
    ok = browser.post(url + "/check", {"item": item.id, "method": "visit", "checked_on": today_cn().isoformat(),
                                       "reached": "1", "care_confirmed": "1"}, token_from=url)
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(VerificationItem, item.id).method == "visit"
    browser.logout()
    _login(browser, world, "coordinator", "b")
    assert browser.get(url).status_code == 404
    assert browser.post(url + "/check", {"item": item.id}, token_from="/reports/samples").status_code == 404
    browser.logout()
    _login(browser, world, "village_director")
    assert browser.get(url).status_code == 403
