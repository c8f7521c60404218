"""``flask --app wsgi divisions load``, ``db-backup`` and ``db-restore``: core's own commands.

Each feature's commands live in its own ``cli.py`` (``users`` in app.auth, ``seed-demo`` in
app.demo, ...); the app factory adds every feature's ``COMMANDS``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app.core.backup import BackupError, backup, restore
from app.core.divisions import DivisionFileError, load_divisions_csv
from app.extensions import db

divisions = AppGroup("divisions", help="Administrative divisions.")


@divisions.command("load")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_divisions(csv_file: Path):
    """Load divisions from a CSV file: code,name,parent_code[,lat,lon]."""
    try:
        report = load_divisions_csv(csv_file.read_text(encoding="utf-8-sig"))
    except DivisionFileError as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        click.echo(f"未导入任何区划（{len(exc.errors)} 处错误）", err=True)
        sys.exit(1)
    click.echo(f"新增 {report.created} 个区划，更新 {report.updated} 个")


@click.command("db-backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def db_backup(destination: Path):
    """Write a consistent online backup of the database to DESTINATION."""
    try:
        backup(current_app.config["SQLALCHEMY_DATABASE_URI"], destination)
    except BackupError as exc:
        click.echo(f"备份失败: {exc}", err=True)
        sys.exit(1)
    click.echo(f"已备份到 {destination}")


@click.command("db-restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def db_restore(backup_file: Path, yes: bool):
    """Replace the database with BACKUP_FILE (stop the site first)."""
    if not yes:
        click.confirm("这将覆盖当前数据库的全部数据，确定吗？", abort=True)
    db.session.remove()
    db.engine.dispose()
    try:
        restore(backup_file, current_app.config["SQLALCHEMY_DATABASE_URI"])
    except BackupError as exc:
        click.echo(f"恢复失败: {exc}", err=True)
        sys.exit(1)
    click.echo("已从备份恢复")


#: the commands the app factory adds to ``flask``
COMMANDS = (divisions, db_backup, db_restore)
