"""``flask --app wsgi cases escalate``: escalate the mandatory reports nobody acknowledged (cron)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.activities.cases import DEFAULT_ESCALATE_HOURS, escalate_cases
from app.extensions import db
from app.notify.jobs import retry_due

cases = AppGroup("cases", help="Mandatory-report cases.")


@cases.command("escalate")
@click.option("--hours", type=float, default=None,
              help="Escalate cases unacknowledged for this many hours (default: CASE_ESCALATE_HOURS or 4).")
def escalate_command(hours: float | None):
    """Escalate protection cases nobody has acknowledged in time (run from cron)."""
    hours = hours if hours is not None else current_app.config.get("CASE_ESCALATE_HOURS", DEFAULT_ESCALATE_HOURS)
    escalated = escalate_cases(hours=hours)
    db.session.commit()  # the chain's notifications go out on commit
    click.echo(f"已升级 {len(escalated)} 个超过 {hours:g} 小时未确认的强制报告案件"
               + (": " + ", ".join(f"#{c.id}" for c in escalated) if escalated else ""))
    retried = retry_due()  # failed deliveries whose retry time has come
    if retried:
        click.echo(f"重试 {retried} 条未发出的通知")


#: the commands the app factory adds to ``flask``
COMMANDS = (cases,)
