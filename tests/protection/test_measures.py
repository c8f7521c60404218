"""Case measures: structured stages, the follow-up a 告诫书 requires, and the proposal to the record."""
import re

import pytest
import sqlalchemy as sa

from app.activities import cases as case_service
from app.core.dates import today_cn
from app.protection import measures, services
from app.protection.models import CaseMeasure, DutyItem


def _case(world, db):
    case = case_service.open_case(world.user("village_director"), world.a.child, None, ["alone"], "独自在家")
    db.session.commit()
    return case


def test_a_warning_letter_schedules_the_village_follow_up_visit(world, db):
    case = _case(world, db)
    measures.add_measure(world.user("village_director"), case, "warning_letter", today_cn(), notes="派出所送达")
    db.session.commit()
    [visit] = db.session.scalars(sa.select(DutyItem).where(DutyItem.kind == "finding")).all()
    assert visit.reason == "follow_up" and visit.detail["case_id"] == case.id
    assert visit.owner_id == world.user("village_director").id and (visit.deadline - today_cn()).days == 14


def test_measure_rules(world, db):
    case = _case(world, db)
    director = world.user("village_director")
    for kwargs, field in [({"kind": "placement"}, "placement"), ({"kind": "criticism", "status": "granted"}, "status"),
                          ({"kind": "nonsense"}, "kind")]:
        kind = kwargs.pop("kind")
        with pytest.raises(services.ProtectionError) as err:
            measures.add_measure(director, case, kind, today_cn(), **kwargs)
        assert err.value.field == field
    measures.add_measure(director, case, "revocation", today_cn(), status="granted")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseMeasure)) == 1


def test_a_placement_proposes_closing_the_gap_with_the_same_means(world, db, login):
    case = _case(world, db)
    gap = services.open_item(world.user("village_director"), world.a.child, "gap", "none")
    db.session.commit()
    browser = login("village_director")
    path = f"/activities/cases/{case.id}"
    bad = browser.post(f"/duties/cases/{case.id}/measures", {"kind": "placement", "status": "done",
                                                            "on_date": today_cn().isoformat(), "notes": "送至救助站"},
                       token_from=path)
    assert bad.status_code == 400 and "请选择临时监护照料的机构或亲属" in bad.get_data(as_text=True)
    assert "送至救助站" in bad.get_data(as_text=True)
    ok = browser.post(f"/duties/cases/{case.id}/measures", {"kind": "placement", "status": "done",
                                                           "placement": "rescue_station",
                                                           "on_date": today_cn().isoformat()}, token_from=path)
    assert ok.status_code == 302
    page = browser.get(path).get_data(as_text=True)
    assert "更新儿童档案的监护人" in page and f"/duties/{gap.id}?means=temporary" in page
    form = browser.get(f"/duties/{gap.id}?means=temporary&placement=rescue_station").get_data(as_text=True)
    assert re.search(r"<input[^>]*checked[^>]*value=\"rescue_station\"|<input[^>]*value=\"rescue_station\"[^>]*checked", form), re.findall(r"<input[^>]*rescue_station[^>]*>", form)
