"""``flask --app wsgi users ...``: create accounts, set or reset passwords, (de)activate, change
role and scope, issue API tokens. Every change goes through :mod:`app.auth.accounts` (audited
as done from the command line) and is committed here."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.auth import accounts
from app.api.models import ApiToken
from app.auth.models import ROLES, User
from app.auth.passwords import hash_password
from app.core import audit
from app.core.models import Division, Organisation
from app.extensions import db

users = AppGroup("users", help="User accounts.")


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(sorted(ROLES)))
@click.option("--division", "division_code", help="12-digit division code of the user's scope")
@click.option("--name", "display_name")
@click.password_option()
def create_user(username, role, division_code, display_name, password):
    """Create a user account."""
    division = None
    if division_code:
        division = db.session.scalar(sa.select(Division).where(Division.code == division_code))
        if division is None:
            raise click.BadParameter(f"区划 {division_code} 不存在", param_hint="--division")
    if db.session.scalar(sa.select(User).where(User.username == username)):
        raise click.BadParameter(f"用户名 {username} 已存在", param_hint="USERNAME")
    if problem := accounts.password_problem(password, username):
        raise click.BadParameter(problem, param_hint="--password")
    db.session.add(User(username=username, display_name=display_name or username, role=role,
                        division=division, password_hash=hash_password(password)))
    db.session.commit()
    click.echo(f"已创建用户 {username}（{role}）")


def _user(username: str):
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.BadParameter(f"用户 {username} 不存在", param_hint="USERNAME")
    return user


def _run(change, done: str):
    """Apply an account change (audited as done from the command line) and commit."""
    try:
        result = change()
    except accounts.AccountError as exc:
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
    user = _user(username)
    _run(lambda: accounts.set_password(None, user, password, force_change=force_change, via="cli"),
         f"已为 {username} 设置新密码")


@users.command("reset-password")
@click.argument("username")
def reset_password(username):
    """Print a one-time code for USERNAME (valid 72 hours; a new password is required after it)."""
    user = _user(username)
    code = _run(lambda: accounts.reset_password(None, user, via="cli"), f"已为 {username} 生成一次性密码：")
    click.echo(code)


@users.command("deactivate")
@click.argument("username")
def deactivate(username):
    """Deactivate USERNAME: no login, every session and API token ends."""
    user = _user(username)
    _run(lambda: accounts.set_active(None, user, False, via="cli"), f"已停用 {username}")


@users.command("activate")
@click.argument("username")
def activate(username):
    """Reactivate USERNAME."""
    user = _user(username)
    _run(lambda: accounts.set_active(None, user, True, via="cli"), f"已启用 {username}")


@users.command("set-role")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(sorted(ROLES)))
@click.option("--division", "division_code", help="12-digit division code of the user's scope")
@click.option("--organisation", "organisation_id", type=int, help="Organisation id (school staff: the school)")
def set_role(username, role, division_code, organisation_id):
    """Change USERNAME's role and scope (audited)."""
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
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.BadParameter(f"用户 {username} 不存在", param_hint="USERNAME")
    row, secret = ApiToken.issue(user, name)
    audit.record("api_token.create", row, user=user, detail={"via": "cli"})
    db.session.commit()
    click.echo(secret)


#: the commands the app factory adds to ``flask``
COMMANDS = (users,)
