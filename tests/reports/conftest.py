"""Report fixtures: the two-region world with care activity, school events, a protection case,
reviews and a photo on disk; helpers to read PDFs back as text (pdftotext -layout)."""
from __future__ import annotations

import subprocess
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from app.core.dates import CHINA, today_cn


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The text of a PDF, as ``pdftotext -layout`` (poppler-utils) reads it."""
    path = tmp_path / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_pages(data: bytes) -> int:
    from app.reports.pdf import page_count

    return page_count(data)


@pytest.fixture(autouse=True)
def reports_dir(app, tmp_path):
    app.config["REPORTS_DIR"] = str(tmp_path / "reports")
    app.config["REPORTS_PDF_WORKERS"] = 1
    return tmp_path / "reports"


@dataclass
class Activity:
    talk: object
    visit: object
    event: object
    case: object
    photo_name: str


def _jpeg(path: Path) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (160, 120), (180, 60, 50)).save(path, "JPEG")


def add_activity(world, app, *, region: str = "a", content: str = "聊了学校的情况，孩子很开心。",
                 review: bool = True) -> Activity:
    """A talk, a home visit with a photo, a school event with attendance, a protection case with
    steps and a police report, and a quarterly review — all in region ``region``, this quarter."""
    from app.activities.models import (ActivityPhoto, CareLog, CaseReport, CaseStep, EventAttendance,
                                       ProtectionCase, SchoolEvent)
    from app.children.models import ChildReview
    from app.extensions import db

    r = getattr(world, region)
    day = today_cn()
    author = r.users["volunteer"]
    talk = CareLog(client_uuid=str(uuid.uuid4()), kind="talk", mode="phone", child_id=r.child.id, pair_id=r.pair.id,
                   volunteer_id=r.volunteer.id, author_id=author.id, occurred_on=day, duration_minutes=30,
                   content=content, participants=["child"], concerns=[])
    visit = CareLog(client_uuid=str(uuid.uuid4()), kind="visit", child_id=r.child.id, pair_id=r.pair.id,
                    volunteer_id=r.volunteer.id, author_id=author.id, occurred_on=day, duration_minutes=60,
                    living_conditions="房屋整洁，门锁完好。", safety={"wiring": "ok", "doors": "problem"},
                    study="作业能按时完成", emotions="情绪稳定", help_given="送去冬衣", guardian_present=True,
                    guardian_confirmed_by="王奶奶", participants=["child", "guardian"], concerns=[])
    db.session.add_all([talk, visit])
    db.session.flush()
    name = uuid.uuid4().hex + ".jpg"
    _jpeg(Path(app.config["UPLOAD_DIR"]) / "activities" / name)
    db.session.add(ActivityPhoto(log_id=visit.id, filename=name, width=160, height=120, size_bytes=1000,
                                 uploaded_by_id=author.id))
    starts = datetime.combine(day, time(16, 30), CHINA)
    event = SchoolEvent(kind="tutoring", title="四点半课堂·数学辅导", organisation_id=r.school.id,
                        division_id=r.school.division_id, starts_at=starts, duration_minutes=90, place="学校图书室",
                        organiser="龙老师", checkin_code=uuid.uuid4().hex[:8], summary="讲解分数加减法",
                        created_by_id=r.users["school_staff"].id)
    db.session.add(event)
    db.session.flush()
    db.session.add_all([EventAttendance(event_id=event.id, child_id=r.pupil.id, attended=True, method="list"),
                        EventAttendance(event_id=event.id, volunteer_id=r.volunteer.id, attended=True, method="code")])
    reported = datetime.now(timezone.utc) - timedelta(hours=3)
    case = ProtectionCase(child_id=r.child.id, division_id=r.child.division_id, concerns=["alone"],
                          description="孩子独自在家", status="emergency", reporter_id=author.id,
                          reported_at=reported, acknowledged_at=reported + timedelta(hours=1),
                          acknowledged_by_id=r.users["coordinator"].id)
    db.session.add(case)
    db.session.flush()
    db.session.add_all([
        CaseStep(case_id=case.id, status="reported", on_date=day, person="李爱心", actor_id=author.id),
        CaseStep(case_id=case.id, status="emergency", on_date=day, person="村儿童主任", notes="联系亲属临时照料",
                 actor_id=r.users["coordinator"].id),
        CaseReport(case_id=case.id, agency="police", reported_at=reported + timedelta(minutes=20),
                   by_id=author.id)])
    quarter = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if review:
        db.session.add(ChildReview(child_id=r.child.id, quarter=quarter, outcome="confirmed",
                                   reviewed_by_id=r.users["village_director"].id))
    db.session.commit()
    return Activity(talk, visit, event, case, name)


@pytest.fixture
def activity(world, app):
    return add_activity(world, app)


def issue(kind: str, user=None, **params):
    """Issue a report through the service and return (row, file bytes)."""
    from app.extensions import db
    from app.reports.registry import ReportRequest
    from app.reports.service import issue as issue_report
    from app.reports.storage import stored_file

    row = issue_report(ReportRequest(kind, **params), user)
    db.session.commit()
    return row, stored_file(row).read_bytes()
