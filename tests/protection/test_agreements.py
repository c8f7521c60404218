"""委托监护责任确认书: life cycle (sign, renew, guardian changed, end), the dated signing rate
against a hand count, the pages (form errors keep what was typed, the scan), and access."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from app.children.services import save_child
from app.core.audit import AuditEntry
from app.core.dates import today_cn
from app.extensions import db as _db
from app.protection import agreements, services
from app.protection.models import GuardianshipAgreement
from tests.factories import child as make_child
from tests.protection.helpers import agreement_input


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


def test_sign_renew_and_guardian_change_end_the_one_in_force(world, db):
    director, child = world.user("village_director"), world.a.child
    today = today_cn()
    first = agreements.record(director, child, agreement_input(signed_on=today - timedelta(days=100)))
    assert agreements.current_of(child.id) is first
    renewal = agreements.record(director, child, agreement_input(guardian_name="王爷爷", guardian_relation="祖父",
                                                                 signed_on=today - timedelta(days=10)))
    assert (first.ended_on, first.end_reason) == (today - timedelta(days=10), "renewed")
    assert renewal.renewal_of_id == first.id and agreements.current_of(child.id) is renewal
    # the roster follows the 确认书: the record's guardian is now the one who signed
    assert (child.guardian_name, child.guardian_relation) == ("王爷爷", "祖父")
    # a later change of guardian on the record ends it: it binds 王爷爷, not the new guardian
    save_child(director, child, {"guardian_name": "王姑姑", "guardian_relation": "姑姑"}, on_date=today)
    assert (renewal.ended_on, renewal.end_reason) == (today, "guardian_changed")
    assert agreements.current_of(child.id) is None
    assert child.id in {c.id for c in db.session.scalars(agreements.lacking_query(agreements.needing_ids(director, today), today))}
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("agreement.%"))).all()
    assert actions.count("agreement.sign") == 2 and actions.count("agreement.end") == 2


def test_bad_input_is_refused_with_the_field(world, db):
    director, child = world.user("village_director"), world.a.child
    cases = [({"entrusted_by": "uncle"}, "entrusted_by"), ({"parent_names": " "}, "parent_names"),
             ({"guardian_name": ""}, "guardian_name"), ({"guardian_relation": ""}, "guardian_relation"),
             ({"signed_on": None}, "signed_on"), ({"signed_on": today_cn() + timedelta(days=1)}, "signed_on"),
             ({"valid_until": today_cn() - timedelta(days=1)}, "valid_until")]
    for overrides, field in cases:
        with pytest.raises(services.ProtectionError) as err:
            agreements.record(director, child, agreement_input(**overrides))
        assert err.value.field == field
    at_home = make_child(world.a.village, name="父母在家", both_parents_away=False)
    with pytest.raises(services.ProtectionError) as err:
        agreements.record(director, at_home, agreement_input())
    assert err.value.field == "entrusted_by"
    agreements.record(director, child, agreement_input(signed_on=today_cn() - timedelta(days=5)))
    with pytest.raises(services.ProtectionError) as err:  # older than the one in force
        agreements.record(director, child, agreement_input(signed_on=today_cn() - timedelta(days=9)))
    assert err.value.field == "signed_on"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GuardianshipAgreement)) == 1


def test_signing_rate_is_dated_and_matches_a_hand_count(world, db):
    """Region A: the paired child and the pupil need one (both parents away), 2 more are added:
    one needing it, one whose parents are at home. Hand count per day below."""
    director, a = world.user("village_director"), world.a
    today = today_cn()
    d = {n: today - timedelta(days=n) for n in (60, 40, 30, 20, 10)}
    third = make_child(a.village, name="第三人", one_parent_away_other_incapable=True, both_parents_away=False)
    make_child(a.village, name="父母在家", both_parents_away=False)
    for c in (a.child, a.pupil, third):
        c.registered_on = d[60]
    _db.session.flush()
    # child: signed d40, lapsed after d20 (valid_until); pupil: signed d30, ended by hand d10;
    # third: signed d10, in force today
    agreements.record(director, a.child, agreement_input(signed_on=d[40], valid_until=d[20]))
    pupil = agreements.record(director, a.pupil, agreement_input(signed_on=d[30]))
    agreements.end(director, pupil, d[10], "parent_returned")
    agreements.record(director, third, agreement_input(signed_on=d[10], guardian_name="第三人姑姑",
                                                       guardian_relation="姑姑"))
    hand = {d[60]: 0, d[40]: 1, d[30]: 2, d[20]: 2, d[10]: 1, today: 1}
    for day, signed in hand.items():
        rate = agreements.signing_rate(director, day)
        assert (rate.needing, rate.signed) == (3, signed), day
    assert agreements.signing_rate(director, today).percent == pytest.approx(33.3)
    # out of scope: region B's director counts only region B (2 needing, none signed)
    other = agreements.signing_rate(world.user("village_director", "b"), today)
    assert (other.needing, other.signed) == (2, 0)
    lacking = {c.name for c in db.session.scalars(agreements.lacking_query(agreements.needing_ids(director, today),
                                                                         today))}
    assert lacking == {a.child.name, a.pupil.name}
    # on a past day the lists are that day's: rows add up to the rate's figures
    past = d[30]
    ids = agreements.needing_ids(director, past)
    missing = db.session.scalars(agreements.lacking_query(ids, past)).all()
    signed = db.session.scalars(agreements.signed_query(ids, past)).all()
    assert [c.name for c in missing] == ["第三人"] and len(signed) == 2
    assert agreements.signing_rate(director, past).missing == len(missing)
    # a coordinator narrowed to one village counts that village only
    coordinator = world.user("coordinator")
    assert agreements.signing_rate(coordinator, today, a.village.id).needing == 3
    assert agreements.signing_rate(coordinator, today, world.b.village.id).needing == 0  # not in her county


def test_director_records_one_with_a_scan_and_errors_keep_what_was_typed(world, db, login, app):
    director = login("village_director")
    child = world.a.child
    path = f"/duties/children/{child.id}/agreement"
    page = director.get(path).get_data(as_text=True)
    assert "王奶奶" in page  # prefilled from the record
    bad = director.post(path, {"entrusted_by": "both", "parent_names": "王大山", "guardian_name": "王奶奶",
                               "guardian_relation": "", "signed_on": today_cn().isoformat(),
                               "note": "在村委会签订"}, token_from=path)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "请填写受委托监护人与儿童的关系" in text
    assert "王大山" in text and "在村委会签订" in text
    not_a_scan = director.post(path, {"entrusted_by": "both", "parent_names": "王大山", "guardian_name": "王奶奶",
                                      "guardian_relation": "祖母", "signed_on": today_cn().isoformat(),
                                      "scan": (io.BytesIO(b"hello"), "x.png")},
                               token_from=path, content_type="multipart/form-data")
    assert not_a_scan.status_code == 400
    assert "确认书扫描件或照片只能是 PDF、JPEG 或 PNG 文件" in not_a_scan.get_data(as_text=True)
    ok = director.post(path, {"entrusted_by": "both", "parent_names": "王大山、李小花", "guardian_name": "王奶奶",
                              "guardian_relation": "祖母", "signed_on": today_cn().isoformat(),
                              "scan": (io.BytesIO(png_bytes()), "photo.png")},
                       token_from=path, content_type="multipart/form-data")
    assert ok.status_code == 302
    [saved] = db.session.scalars(sa.select(GuardianshipAgreement)).all()
    assert saved.scan and saved.parent_names == "王大山、李小花"
    detail = director.get(f"/children/{child.id}").get_data(as_text=True)
    assert "已签订" in detail and "下载确认书扫描件" in detail
    scan = director.get(f"/duties/agreements/{saved.id}/scan")
    assert scan.status_code == 200 and scan.data == png_bytes()
    listing = director.get("/duties/agreements?show=signed").get_data(as_text=True)
    assert child.name in listing and "50.0%" in listing  # the pupil still lacks one


def test_list_and_access_by_role(world, db, login):
    director_b = world.user("village_director", "b")
    agreement = agreements.record(director_b, world.b.child, agreement_input())
    db.session.commit()
    supervisor = login("township_supervisor")
    listing = supervisor.get("/duties/agreements")
    text = listing.get_data(as_text=True)
    assert listing.status_code == 200 and world.a.child.name in text and world.b.child.name not in text
    assert "登记确认书" not in text  # read-only
    assert supervisor.get(f"/duties/children/{world.a.child.id}/agreement").status_code == 403
    director = login("village_director")
    assert director.get(f"/duties/children/{world.b.child.id}/agreement").status_code == 404
    end = director.post(f"/duties/agreements/{agreement.id}/end", {"reason": "withdrawn",
                                                                   "on_date": today_cn().isoformat()},
                        token_from="/duties/agreements")
    assert end.status_code == 404 and agreement.ended_on is None
    own = agreements.record(world.user("village_director"), world.a.child, agreement_input())
    db.session.commit()
    done = director.post(f"/duties/agreements/{own.id}/end", {"reason": "parent_returned",
                                                               "on_date": today_cn().isoformat()},
                         token_from="/duties/agreements")
    assert done.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(GuardianshipAgreement, own.id).end_reason == "parent_returned"
