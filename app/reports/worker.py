"""The background task's entry point, as the RQ queue names it (``app.reports.worker.run_job``).

A plain ``rq worker`` process has no Flask app, so the task builds one. It sits in a module of
its own, which nothing in the app imports, so that the factory's import chain (factory →
``reports.cli`` → ``reports.jobs``) never leads back to the ``app`` package.
"""
from __future__ import annotations

from flask import has_app_context

from app import create_app
from app.reports import jobs


def run_job(job_id: int) -> None:
    """Run report job ``job_id``, inside an app built from the environment unless one is active
    (``flask reports worker`` runs the queue inside its own app). The app has no pages: a job
    renders and stores a file and needs no URL, and leaving out every feature's views saves
    about a second of start on each job (a plain ``rq worker`` runs every job in a fresh fork)."""
    if has_app_context():
        jobs.run_job(job_id)
        return
    with create_app(routes=False).app_context():
        jobs.run_job(job_id)
