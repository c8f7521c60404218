"""Report objects for the role × route × scope matrix (tests/core/test_policies.py)."""
from __future__ import annotations

import secrets

from app.core.models import utcnow


def report_objects(world, region: str) -> dict:
    """URL values of an issued report and a report job of ``region``, owned by its coordinator
    (made on first use and kept on the world)."""
    from app.extensions import db
    from app.reports.models import IssuedReport, ReportJob

    import tempfile

    from flask import current_app

    from app.reports.storage import reports_dir

    if not current_app.config.get("REPORTS_DIR"):
        current_app.config["REPORTS_DIR"] = tempfile.mkdtemp(prefix="xb-reports-")
    cache = world.__dict__.setdefault("_report_objects", {})
    if region not in cache:
        r = getattr(world, region)
        owner = r.users["coordinator"]
        issued = IssuedReport(number=f"XB-2026-9{secrets.randbelow(10**5):05d}", verification_code=secrets.token_hex(5).upper(),
                              kind="ledger", file_format="pdf", title="关爱服务活动台账", parameters={},
                              organisation=r.federation.name, division_id=r.county.id, issued_by_id=owner.id,
                              issued_by_name=owner.display_name, issued_at=utcnow(), sha256="0" * 64, page_count=1,
                              filename=None)
        db.session.add(issued)
        db.session.flush()
        issued.filename = f"{issued.number}.pdf"
        (reports_dir() / issued.filename).write_bytes(b"%PDF-1.4\n%%EOF\n")
        job = ReportJob(token=secrets.token_urlsafe(12), kind="ledger", file_format="pdf", parameters={},
                        requested_by_id=owner.id, status="done", progress=100, issued_report_id=issued.id)
        db.session.add(job)
        db.session.commit()
        cache[region] = {"report_id": issued.id, "token": job.token, "code": issued.verification_code}
    return cache[region]


def report_who_sees(arg: str, role: str) -> bool | None:
    """Visibility of region A's report objects to a region-A user, or None if not a report arg."""
    if arg in ("report_id", "token"):
        return role in ("coordinator", "admin")  # only the one who issued it (and the admin)
    if arg == "code":
        return True  # public verification
    return None
