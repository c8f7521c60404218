"""Background report jobs: Redis + RQ when ``REDIS_URL`` is set, otherwise a small in-process
thread pool (the embedded default). Either way the job's state and progress live in the
``report_jobs`` table, so the status page reads the same thing whoever runs the job, and the
finished file is stored under ``instance/reports/files`` like every issued report.
"""
from __future__ import annotations

import logging
import secrets
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from flask import Flask, current_app

from app.auth.models import User
from app.core.models import utcnow
from app.extensions import db
from app.reports.models import ReportJob
from app.reports.registry import ReportRequest
from app.reports.service import issue

log = logging.getLogger(__name__)
QUEUE = "reports"
_executor: ThreadPoolExecutor | None = None


def submit(req: ReportRequest, user) -> ReportJob:
    """Queue ``req`` for ``user`` (already checked by :func:`app.reports.service.prepare`) and
    commit the job row so the worker can see it."""
    redis_url = current_app.config.get("REDIS_URL")
    job = ReportJob(token=secrets.token_urlsafe(18), kind=req.kind, file_format=req.file_format,
                    parameters=req.as_params(), requested_by_id=getattr(user, "id", None),
                    status="queued", progress=0, message="排队中", backend="rq" if redis_url else "thread")
    db.session.add(job)
    db.session.commit()
    if redis_url:
        queue(redis_url).enqueue("app.reports.worker.run_job", job.id, job_timeout=3600, result_ttl=86400)
    else:
        _thread_pool().submit(_run_in_app, current_app._get_current_object(), job.id)
    return job


def queue(redis_url: str):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE, connection=Redis.from_url(redis_url))


def _thread_pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reports")
    return _executor


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def _set(job_id: int, **values) -> None:
    """Update the job row in its own short transaction (progress must show while we work)."""
    with db.engine.begin() as conn:
        conn.execute(sa.update(ReportJob).where(ReportJob.id == job_id).values(**values))


def run_job(job_id: int) -> None:
    """Run one job in the current app context (the thread pool and, through
    :func:`app.reports.worker.run_job`, the RQ task call this). Never raises: failures are
    recorded on the job."""
    job = db.session.get(ReportJob, job_id)
    if job is None or job.status != "queued":
        return
    user = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    _set(job_id, status="running", started_at=utcnow(), progress=1, message="开始生成")
    last = [0]

    def progress(pct: int, message: str) -> None:
        if pct >= last[0] + 5 or pct >= 95:
            last[0] = pct
            _set(job_id, progress=min(99, max(1, pct)), message=message[:255])

    try:
        req = ReportRequest.from_params({**job.parameters, "kind": job.kind, "file_format": job.file_format})
        row = issue(req, user, progress=progress)
        db.session.commit()
        _set(job_id, status="done", progress=100, message="已完成", issued_report_id=row.id, finished_at=utcnow())
    except Exception as exc:  # noqa: BLE001 - recorded on the job, shown to the requester
        db.session.rollback()
        log.exception("report job %s failed", job_id)
        message = getattr(exc, "message", None) or "生成失败，请稍后重试或联系管理员"
        _set(job_id, status="failed", message=str(message)[:255], finished_at=utcnow())


def run_worker(burst: bool = False) -> None:
    """Run an RQ worker on the reports queue inside the current app context."""
    from redis import Redis
    from rq import SimpleWorker

    connection = Redis.from_url(current_app.config["REDIS_URL"])
    SimpleWorker([QUEUE], connection=connection).work(burst=burst)
