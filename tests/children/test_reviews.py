"""Quarterly review (本季度核实): the deadline, the list by village, confirming and updating."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.children import reviews
from app.children.models import ChildReview
from app.core.audit import AuditEntry
from app.core.dates import quarter_of


@pytest.mark.parametrize("day, deadline", [
    (date(2026, 1, 1), date(2026, 3, 15)),
    (date(2026, 3, 31), date(2026, 3, 15)),
    (date(2026, 4, 1), date(2026, 6, 15)),
    (date(2026, 6, 30), date(2026, 6, 15)),
    (date(2026, 7, 1), date(2026, 9, 15)),
    (date(2026, 9, 30), date(2026, 9, 15)),
    (date(2026, 10, 1), date(2026, 12, 15)),
    (date(2026, 12, 31), date(2026, 12, 15)),
])
def test_deadline_is_the_15th_of_the_quarters_last_month(day, deadline):
    assert reviews.quarter_deadline(day) == deadline


def test_overdue_from_the_16th_and_a_new_quarter_starts_fresh():
    assert not reviews.is_overdue(date(2026, 12, 15))
    assert reviews.is_overdue(date(2026, 12, 16))
    assert reviews.is_overdue(date(2026, 12, 31))
    assert not reviews.is_overdue(date(2027, 1, 1))
    assert quarter_of(date(2026, 9, 30)) == "2026-Q3" and quarter_of(date(2026, 10, 1)) == "2026-Q4"


def test_list_by_village_and_confirm(web, world, db):
    web.login("village_director")
    html = web.get("/children/reviews").get_data(as_text=True)
    assert "a县a镇a村" in html and world.a.child.name in html and world.a.pupil.name in html
    assert world.b.child.name not in html
    assert "截止日期" in html
    response = web.post(f"/children/{world.a.child.id}/review", {"back": "list"})
    assert response.headers["Location"].endswith("/children/reviews")
    review = db.session.scalar(sa.select(ChildReview))
    assert review.outcome == "confirmed" and review.reviewed_by_id == world.user("village_director").id
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "child.review"))
    html = web.get("/children/reviews").get_data(as_text=True)
    assert f'>{world.a.child.name}</a>' not in html and "已核实 1 人，未核实 1 人" in html
    again = web.post(f"/children/{world.a.child.id}/review", follow_redirects=True)
    assert "本季度已核实" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChildReview)) == 1


def test_overdue_marking(web, world, monkeypatch):
    monkeypatch.setattr("app.children.views_review.today_cn", lambda: date(2026, 12, 16))
    web.login("coordinator")
    html = web.get("/children/reviews").get_data(as_text=True)
    assert "已逾期" in html and "2026年12月15日" in html
    monkeypatch.setattr("app.children.views_review.today_cn", lambda: date(2026, 12, 15))
    html = web.get("/children/reviews").get_data(as_text=True)
    assert "已逾期" not in html and "还剩 0 天" in html


def test_updating_through_the_form_marks_the_review_updated(web, world, db):
    from tests.children.test_views_form import form_data

    child = world.a.child
    web.login("village_director")
    page = web.get(f"/children/{child.id}/edit?review=1").get_data(as_text=True)
    assert 'name="review" value="1"' in page
    data = form_data(world, name=child.name, sex="male", birth_date=child.birth_date.isoformat(),
                     id_number=child.id_number, school_id="", review="1")
    assert web.post(f"/children/{child.id}/edit", data).status_code == 302
    assert db.session.scalar(sa.select(ChildReview.outcome).where(ChildReview.child_id == child.id)) == "updated"


def test_scope_and_roles(web, world):
    web.login("village_director")
    assert web.post(f"/children/{world.b.child.id}/review").status_code == 404
    web.browser.logout()
    web.login("school_staff")
    assert web.get("/children/reviews").status_code == 403
    assert web.post(f"/children/{world.a.pupil.id}/review").status_code == 403
