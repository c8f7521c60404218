"""``flask --app wsgi seed-demo [--if-empty]``: the deterministic demo county."""
from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from app.auth.models import User
from app.demo.seed import seed
from app.extensions import db


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@with_appcontext
def seed_demo(if_empty: bool):
    """Build the deterministic demo county (refuses to run with the production config)."""
    if not current_app.config.get("DEMO_ALLOWED"):
        click.echo("生产环境配置下不允许生成演示数据。", err=True)
        sys.exit(2)
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        click.echo("数据库中已有数据，跳过演示数据。")
        return
    summary = seed()
    click.echo("演示数据已生成: " + ", ".join(f"{k} {v}" for k, v in summary.items()))


#: the commands the app factory adds to ``flask``
COMMANDS = (seed_demo,)
