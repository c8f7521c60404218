"""The activity pages render in English too (Chinese is the source language)."""
import pytest
import sqlalchemy as sa

from app.matching.models import Pair
from tests.activities.helpers import days_ago, make_log, start_pair_on
from tests.conftest import ROOT

COMPILED = ROOT / "translations/en/LC_MESSAGES/messages.mo"


@pytest.mark.skipif(not COMPILED.exists(), reason="catalogue not compiled (make translations)")
def test_pages_in_english(login, world, db):
    start_pair_on(db.session.scalar(sa.select(Pair).where(Pair.child_id == world.a.child.id)), days_ago(120))
    case = make_log(world.user("volunteer"), world.a.child, "visit", concerns=["alone"]).case
    db.session.commit()
    vol = login("volunteer")
    vol.post("/language", {"locale": "en", "next": "/"}, token_from="/")
    today = vol.get("/activities/today").get_data(as_text=True)
    assert "Home visit" in today and "Log a talk or call" in today and "已逾期" not in today
    form = vol.get(f"/activities/children/{world.a.child.id}/talks/new").get_data(as_text=True)
    assert "Found any of the following" in form and "Call 110" in form
    alert = vol.get(f"/activities/cases/{case.id}/alert").get_data(as_text=True)
    assert "Call the police now: 110" in alert and "Child living alone or left unattended" in alert
