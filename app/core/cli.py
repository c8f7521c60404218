"""Command-line tools: ``flask --app wsgi divisions load``, ``seed-demo``, ``users ...``."""
from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from app.auth.models import ROLES
from app.extensions import db


def register(app: Flask) -> None:
    divisions = AppGroup("divisions", help="Administrative divisions.")
    users = AppGroup("users", help="User accounts.")

    @divisions.command("load")
    @click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def load_divisions(csv_file: Path):
        """Load divisions from a CSV file: code,name,parent_code[,lat,lon]."""
        from app.core.divisions import DivisionFileError, load_divisions_csv

        try:
            report = load_divisions_csv(csv_file.read_text(encoding="utf-8-sig"))
        except DivisionFileError as exc:
            for line in exc.errors:
                click.echo(line, err=True)
            click.echo(f"未导入任何区划（{len(exc.errors)} 处错误）", err=True)
            sys.exit(1)
        click.echo(f"新增 {report.created} 个区划，更新 {report.updated} 个")

    @users.command("create")
    @click.argument("username")
    @click.option("--role", required=True, type=click.Choice(sorted(ROLES)))
    @click.option("--division", "division_code", help="12-digit division code of the user's scope")
    @click.option("--name", "display_name")
    @click.password_option()
    def create_user(username, role, division_code, display_name, password):
        """Create a user account."""
        from app.auth.models import User
        from app.auth.passwords import hash_password
        from app.core.models import Division

        division = None
        if division_code:
            division = db.session.scalar(sa.select(Division).where(Division.code == division_code))
            if division is None:
                raise click.BadParameter(f"区划 {division_code} 不存在", param_hint="--division")
        if db.session.scalar(sa.select(User).where(User.username == username)):
            raise click.BadParameter(f"用户名 {username} 已存在", param_hint="USERNAME")
        from app.auth.accounts import password_problem

        if problem := password_problem(password, username):
            raise click.BadParameter(problem, param_hint="--password")
        db.session.add(User(username=username, display_name=display_name or username, role=role,
                            division=division, password_hash=hash_password(password)))
        db.session.commit()
        click.echo(f"已创建用户 {username}（{role}）")

    def _user(username: str):
        from app.auth.models import User

        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            raise click.BadParameter(f"用户 {username} 不存在", param_hint="USERNAME")
        return user

    def _run(change, done: str):
        """Apply an account change (audited as done from the command line) and commit."""
        from app.auth.accounts import AccountError

        try:
            result = change()
        except AccountError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message)
        db.session.commit()
        click.echo(done)
        return result

    @users.command("set-password")
    @click.argument("username")
    @click.option("--force-change", is_flag=True, help="The user must choose a new password at the next login.")
    @click.password_option()
    def set_password(username, force_change, password):
        """Set USERNAME's password (at least 10 characters, not a common one); their sessions end."""
        from app.auth import accounts

        user = _user(username)
        _run(lambda: accounts.set_password(None, user, password, force_change=force_change, via="cli"),
             f"已为 {username} 设置新密码")

    @users.command("reset-password")
    @click.argument("username")
    def reset_password(username):
        """Print a one-time code for USERNAME (valid 72 hours; a new password is required after it)."""
        from app.auth import accounts

        user = _user(username)
        code = _run(lambda: accounts.reset_password(None, user, via="cli"), f"已为 {username} 生成一次性密码：")
        click.echo(code)

    @users.command("deactivate")
    @click.argument("username")
    def deactivate(username):
        """Deactivate USERNAME: no login, every session and API token ends."""
        from app.auth import accounts

        user = _user(username)
        _run(lambda: accounts.set_active(None, user, False, via="cli"), f"已停用 {username}")

    @users.command("activate")
    @click.argument("username")
    def activate(username):
        """Reactivate USERNAME."""
        from app.auth import accounts

        user = _user(username)
        _run(lambda: accounts.set_active(None, user, True, via="cli"), f"已启用 {username}")

    @users.command("set-role")
    @click.argument("username")
    @click.option("--role", required=True, type=click.Choice(sorted(ROLES)))
    @click.option("--division", "division_code", help="12-digit division code of the user's scope")
    @click.option("--organisation", "organisation_id", type=int, help="Organisation id (school staff: the school)")
    def set_role(username, role, division_code, organisation_id):
        """Change USERNAME's role and scope (audited)."""
        from app.auth import accounts
        from app.core.models import Division, Organisation

        user = _user(username)
        division = None
        if division_code:
            division = db.session.scalar(sa.select(Division).where(Division.code == division_code))
            if division is None:
                raise click.BadParameter(f"区划 {division_code} 不存在", param_hint="--division")
        organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
        if organisation_id and organisation is None:
            raise click.BadParameter(f"组织 {organisation_id} 不存在", param_hint="--organisation")
        _run(lambda: accounts.set_role(None, user, role, division, organisation, via="cli"),
             f"已将 {username} 设为 {role}")

    @users.command("token")
    @click.argument("username")
    @click.option("--name", default="命令行", help="A name to recognise the token by.")
    def create_token(username, name):
        """Create a personal API token for USERNAME and print it (shown only once)."""
        from app.api.models import ApiToken
        from app.auth.models import User
        from app.core import audit

        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            raise click.BadParameter(f"用户 {username} 不存在", param_hint="USERNAME")
        row, secret = ApiToken.issue(user, name)
        audit.record("api_token.create", row, user=user, detail={"via": "cli"})
        db.session.commit()
        click.echo(secret)

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
    def seed_demo(if_empty: bool):
        """Build the deterministic demo county (refuses to run with the production config)."""
        from app.auth.models import User
        from app.demo.seed import seed

        if not current_app.config.get("DEMO_ALLOWED"):
            click.echo("生产环境配置下不允许生成演示数据。", err=True)
            sys.exit(2)
        if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(User)):
            click.echo("数据库中已有数据，跳过演示数据。")
            return
        summary = seed()
        click.echo("演示数据已生成: " + ", ".join(f"{k} {v}" for k, v in summary.items()))

    @app.cli.command("db-backup")
    @click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
    def db_backup(destination: Path):
        """Write a consistent online backup of the database to DESTINATION."""
        from app.core.backup import BackupError, backup

        try:
            backup(current_app.config["SQLALCHEMY_DATABASE_URI"], destination)
        except BackupError as exc:
            click.echo(f"备份失败: {exc}", err=True)
            sys.exit(1)
        click.echo(f"已备份到 {destination}")

    @app.cli.command("db-restore")
    @click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def db_restore(backup_file: Path, yes: bool):
        """Replace the database with BACKUP_FILE (stop the site first)."""
        from app.core.backup import BackupError, restore

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

    app.cli.add_command(divisions)
    app.cli.add_command(users)

    from app.children.cli import children_cli

    app.cli.add_command(children_cli)
