"""``flask --app wsgi reports render KIND ... --out FILE`` and ``reports worker``."""
from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from app.auth.models import User
from app.core.commands import routeless
from app.core.models import Division
from app.extensions import db
from app.reports.common import ParameterError
from app.reports.jobs import run_worker
from app.reports.registry import KINDS, ReportRequest
from app.reports.scope import OutOfScope
from app.reports.service import ReportDenied, issue
from app.reports.storage import stored_file

reports_cli = AppGroup("reports", help="Evidence reports (PDF and Excel).")


@routeless  # renders and stores a file: no page, no URL (the PDF templates use none)
@reports_cli.command("render")
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "file_format", type=click.Choice(["pdf", "xlsx"]), default=None,
              help="Default: from the --out file's extension.")
@click.option("--division", "division_code", help="12-digit code of the county, township or village.")
@click.option("--school", "school_id", type=int, help="Organisation id of a school (ledger).")
@click.option("--child", "child_id", type=int)
@click.option("--volunteer", "volunteer_id", type=int)
@click.option("--period", help="2026-Q4 or 2026-10-01..2026-12-31 (default: this quarter).")
@click.option("--user", "username", help="Render as this user, with their scope (default: unrestricted).")
@click.option("--reveal", is_flag=True, help="Child file: print full ID and phone numbers (audited).")
def render_command(kind, out, file_format, division_code, school_id, child_id, volunteer_id, period, username,
                   reveal):
    """Render a report to a file (numbered and recorded like one issued on the site)."""
    file_format = file_format or ("xlsx" if out.suffix.lower() == ".xlsx" else "pdf")
    user = None
    if username:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            raise click.BadParameter(f"用户 {username} 不存在", param_hint="--user")
    division_id = None
    if division_code:
        division_id = db.session.scalar(sa.select(Division.id).where(Division.code == division_code))
        if division_id is None:
            raise click.BadParameter(f"区划 {division_code} 不存在", param_hint="--division")
    req = ReportRequest(kind, file_format, division_id=division_id, organisation_id=school_id, child_id=child_id,
                        volunteer_id=volunteer_id, period=period, reveal=reveal)
    started = time.perf_counter()
    try:
        row = issue(req, user, progress=lambda pct, msg: click.echo(f"  {pct:3d}% {msg}", err=True))
    except (OutOfScope, ReportDenied):
        click.echo("对象不存在或不在该用户的范围内。", err=True)
        sys.exit(1)
    except ParameterError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    db.session.commit()
    shutil.copyfile(stored_file(row), out)
    pages = f"，{row.page_count} 页" if row.page_count else ""
    click.echo(f"{row.number} 已生成：{out}（{row.size_bytes} 字节{pages}，{time.perf_counter() - started:.1f} 秒，"
               f"SHA-256 {row.sha256}）")


@routeless  # its jobs render and store files, as above
@reports_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool):
    """Run the background worker for report jobs (needs REDIS_URL)."""
    if not current_app.config.get("REDIS_URL"):
        click.echo("未设置 REDIS_URL：报表任务在网站进程内运行，无需单独的工作进程。", err=True)
        sys.exit(2)
    run_worker(burst=burst)


#: the commands the app factory adds to ``flask``
COMMANDS = (reports_cli,)
