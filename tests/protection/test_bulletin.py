"""The progress bulletin: every figure against a hand-counted fixture, its links, PDF and Excel."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.activities import cases as case_service
from app.core.dates import today_cn
from app.protection import agreements, bulletin, measures, services
from tests import factories
from tests.protection.helpers import agreement_input

G = services.GuardianInput


def _closed_gap(actor, child, means, days_ago, placement=None):
    item = services.open_item(actor, child, "gap", "none", on_date=today_cn() - timedelta(days=20))
    services.close_gap(actor, item, means, today_cn() - timedelta(days=days_ago), G("某人", "叔叔", confirmed=True),
                       placement=placement)
    return item


@pytest.fixture
def counted(world, db):
    """Region A: 4 gaps closed in the period (entrusted, parent returned, 村委会, 救助站), 1 closed
    before it, 1 open; a dropout back at school and one still out; a hukou registered; a case with
    2 批评教育, 1 治安处罚, 1 刑事责任, 1 revocation granted and 1 still pending; a hazard fixed and
    one open. Region B: a gap closed in the period (never counted for A)."""
    d = world.user("village_director")
    v = world.a.village
    kids = [factories.child(v, name=f"儿童{n}") for n in range(8)]
    _closed_gap(d, kids[0], "entrusted", 5)
    _closed_gap(d, kids[1], "parent_returned", 4)
    _closed_gap(d, kids[2], "temporary", 3, "village_committee")
    _closed_gap(d, kids[3], "temporary", 2, "rescue_station")
    _closed_gap(d, kids[4], "entrusted", 15)  # before the period
    services.open_item(d, kids[5], "gap", "none", on_date=today_cn() - timedelta(days=20))
    _closed_gap(world.user("village_director", "b"), factories.child(world.b.village, name="乙村"), "entrusted", 3)
    back = services.open_item(d, kids[6], "dropout", "dropped_out", on_date=today_cn() - timedelta(days=20))
    services.add_step(d, back, "attempt", today_cn() - timedelta(days=8), "校长", result="agreed")
    services.close_item(d, back, "returned", today_cn() - timedelta(days=1), "回校读初二",
                        schooling=services.Schooling("junior"))
    services.open_item(d, kids[7], "dropout", "dropped_out", on_date=today_cn() - timedelta(days=20))
    hukou = services.open_item(d, kids[7], "hukou", "no_hukou", on_date=today_cn() - timedelta(days=20))
    services.close_item(d, hukou, "registered", today_cn(), "水尾镇派出所")
    case = case_service.open_case(d, kids[5], None, ["alone"], "")
    for kind, status in (("criticism", "done"), ("criticism", "done"), ("public_security_penalty", "done"),
                         ("criminal_liability", "done"), ("revocation", "granted"), ("revocation", "in_progress")):
        measures.add_measure(d, case, kind, today_cn() - timedelta(days=2), status=status)
    fixed = services.open_item(d, kids[0], "finding", "hazard", on_date=today_cn() - timedelta(days=9), summary="电线")
    services.close_item(d, fixed, "resolved", today_cn(), "已更换")
    services.open_item(d, kids[1], "finding", "hazard", on_date=today_cn() - timedelta(days=9), summary="门锁")
    # 确认书: 10 children of region A need one (all have both parents away); 2 signed in the
    # period, 1 before it; region B's is never counted for A
    for kid, days_ago in ((kids[0], 3), (kids[1], 2), (kids[2], 20)):
        agreements.record(d, kid, agreement_input(signed_on=today_cn() - timedelta(days=days_ago)))
    agreements.record(world.user("village_director", "b"), world.b.child, agreement_input())
    db.session.commit()
    return f"{(today_cn() - timedelta(days=10)).isoformat()}..{today_cn().isoformat()}"


EXPECTED = {"gaps_closed": 4, "temp_village": 1, "temp_rescue": 1, "temp_welfare": 0, "temp_relatives": 0,
            "entrusted": 1, "parent_returned": 1, "gaps_open": 1, "reports": 1, "dropouts_returned": 1,
            "dropouts_open": 1, "hukou_registered": 1, "hukou_open": 0, "criticism": 2, "penalty": 1, "criminal": 1,
            "revoked": 1, "hazards_fixed": 1, "hazards_open": 1, "agreements_signed": 2, "agreements_missing": 7}


def test_every_figure_matches_the_hand_count(world, db, counted):
    from app.reports.common import parse_period
    from app.reports.scope import resolve_region

    b = bulletin.build(resolve_region(None, division_id=world.a.county.id), parse_period(counted))
    assert {key: b.figure(key).value for key in EXPECTED} == EXPECTED
    assert "共帮助4名无人监护" in b.paragraph and "1人由村居委会、1人由救助管理机构提供临时监护" in b.paragraph
    assert "签订《委托监护责任确认书》2份，确认书签订率30.0%（7名儿童尚未签订）" in b.paragraph
    assert "批评教育失职父母2人，治安管理处罚1人" in b.paragraph and "撤销失职父母监护权案例1个" in b.paragraph


def test_each_figure_links_to_its_list(world, db, counted, login):
    browser = login("coordinator")
    page = browser.get(f"/duties/bulletin?division={world.a.county.id}&period={counted}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "专项行动进展通报" in html
    from app.reports.common import parse_period
    from app.reports.scope import resolve_region

    b = bulletin.build(resolve_region(None, division_id=world.a.county.id), parse_period(counted))
    for key in ("gaps_closed", "temp_rescue", "dropouts_returned", "criticism", "hazards_open", "agreements_signed",
                "agreements_missing"):
        link = b.figure(key).link
        assert link.replace("&", "&amp;") in html
        listing = browser.get(link).get_data(as_text=True)
        assert listing.count('class="primary"') == EXPECTED[key], key
    assert browser.get(f"/duties/bulletin?division={world.b.county.id}").status_code == 404
    assert login("school_staff").get("/duties/bulletin").status_code == 403
    bad = browser.get(f"/duties/bulletin?division={world.a.county.id}&period=last-year")
    assert bad.status_code == 400 and "期间应为季度" in bad.get_data(as_text=True)


def test_the_bulletin_is_issued_as_pdf_and_excel_with_the_same_figures(world, db, counted, tmp_path):
    from tests.reports.conftest import issue, pdf_text

    coordinator = world.user("coordinator")
    row, data = issue("bulletin", coordinator, division_id=world.a.county.id, period=counted)
    text = pdf_text(data, tmp_path)
    flat = "".join(text.split())
    assert "农村留守儿童关爱保护专项行动进展通报" in flat and "共帮助4名无人监护" in flat and row.number in flat
    links = [a.get_object()["/A"].get("/URI") for page in PdfReader(io.BytesIO(data)).pages
             for a in page.get("/Annots") or []]
    assert any("/duties/?kind=gap" in (uri or "") for uri in links)  # the figures are links to the web lists
    row, data = issue("bulletin", coordinator, division_id=world.a.county.id, period=counted, file_format="xlsx")
    ws = load_workbook(io.BytesIO(data)).active
    values = {r[1].strip(): r[2] for r in ws.iter_rows(values_only=True) if r and isinstance(r[2], int)}
    assert values["得到有效监护的无人监护和父或母一方无监护能力儿童"] == 4 and values["批评教育失职父母"] == 2
    with pytest.raises(Exception):
        issue("bulletin", world.user("coordinator", "b"), division_id=world.a.county.id, period=counted)
