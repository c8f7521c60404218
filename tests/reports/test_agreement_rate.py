"""委托监护签订率: of the left-behind children on the roster on the period's last day, those with a
确认书 in force that day, village by village; a past day's rate is not changed by later signings."""
import io
import re
from datetime import timedelta

from openpyxl import load_workbook

from app.core.dates import today_cn
from tests.reports.conftest import issue, pdf_text
from tests.reports.test_print import _quarter, _second_township


def _sign(world, kid, day):
    from app.protection.agreements import AgreementInput, record

    return record(world.user("coordinator"), kid, AgreementInput("both", "张父、李母", "王奶奶", "祖母", day))


def _left_behind(*kids):
    for kid in kids:
        kid.both_parents_away = True


def test_rate_by_village_with_the_unsigned_listed(world, activity, db, tmp_path):
    town, twin, empty, kid = _second_township(world)
    _left_behind(world.a.child, world.a.pupil, kid)
    db.session.flush()
    _sign(world, world.a.child, today_cn() - timedelta(days=3))
    db.session.commit()
    row, data = issue("agreement_rate", world.user("coordinator"), division_id=world.a.county.id, period=_quarter())
    text = re.sub(r"\s+", "", pdf_text(data, tmp_path))
    figures = dict(row.figures["items"])
    assert figures["应签儿童"] == "3" and figures["已签"] == "1" and figures["未签"] == "2"
    assert figures["签订率"] == "33.3%"
    assert f"{world.a.township.name}{world.a.village.name}2" in text  # needing 2, signed 1, missing 1
    assert "乙镇无童村000—" in text  # every village listed
    assert world.a.pupil.name in text and kid.name in text and "不一致" not in text
    row, data = issue("agreement_rate", world.user("coordinator"), division_id=world.a.county.id, period=_quarter(),
                      file_format="xlsx")
    ws = load_workbook(io.BytesIO(data))["签订率"]
    total = next(r for r in ws.iter_rows() if r[0].value == "合计")
    assert total[4].number_format == "0.0%" and abs(total[4].value - 1 / 3) < 1e-9


def test_a_past_day_is_not_changed_by_later_signings(world, db):
    from app.reports import agreement_rate
    from app.reports.common import parse_period
    from app.reports.scope import resolve_region

    _left_behind(world.a.child, world.a.pupil)
    for kid in (world.a.child, world.a.pupil):
        kid.registered_on = today_cn() - timedelta(days=400)
    db.session.flush()
    past = parse_period(_quarter()).start - timedelta(days=1)
    _sign(world, world.a.child, past - timedelta(days=30))
    db.session.commit()
    quarter = f"{past.year}-Q{(past.month - 1) // 3 + 1}"
    region = resolve_region(None, division_id=world.a.county.id)
    before = agreement_rate.build(region, parse_period(quarter))
    assert (before.total.needing, before.total.signed) == (2, 1)
    _sign(world, world.a.pupil, today_cn())  # signed today: not on the past quarter's last day
    _sign(world, world.a.child, today_cn())  # renewed today: the old one ends today, still in force then
    db.session.commit()
    after = agreement_rate.build(region, parse_period(quarter))
    assert (after.total.needing, after.total.signed, after.missing) == (2, 1, before.missing)
