"""``flask --app wsgi children import FILE.xlsx`` and ``children close-ineligible``.

Exit status of ``import``: 0 when every row passed, 1 when rows were rejected (the good rows
are saved unless ``--dry-run``), 2 when the file as a whole cannot be read or the county is
unknown.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.core.commands import routeless
from app.extensions import db

children_cli = AppGroup("children", help="Children's registry: roster import, closing cases.")

DEMO_COUNTY = "522626000000"


def _county(code: str | None):
    """The county of ``code``; else the only county, else the demo county; else exit 2."""
    from app.core.models import Division

    if code:
        found = db.session.scalar(sa.select(Division).where(Division.code == code))
        if found is None or found.level != "county":
            click.echo(f"区划 {code} 不存在或不是县级区划", err=True)
            sys.exit(2)
        return found
    counties = db.session.scalars(sa.select(Division).where(Division.level == "county")).all()
    if len(counties) == 1:
        return counties[0]
    demo = next((c for c in counties if c.code == DEMO_COUNTY), None)
    if demo is None:
        click.echo("数据库中有多个县，请用 --division 指定县的区划代码", err=True)
        sys.exit(2)
    return demo


@routeless  # reads a file and writes records: no page, no URL
@children_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report only; save nothing.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the rejected rows (original columns, 行号, 原因) to this .xlsx file.")
@click.option("--division", "division_code", help="12-digit code of the county (default: the only county).")
@click.option("--update-existing", is_flag=True,
              help="Also update children already registered (default: only report what would change).")
def import_command(file: Path, dry_run: bool, report_path: Path | None, division_code: str | None,
                   update_existing: bool):
    """Import a roster (花名册) in the official layout."""
    from app.children import imports, roster
    from app.core.dates import today_cn

    scope = imports.load_scope(_county(division_code))
    try:
        found = imports.preview(file, scope)
    except roster.RosterFileError as exc:
        click.echo(f"无法导入：{exc.message}", err=True)
        sys.exit(2)
    for line in imports.report_lines(found):
        click.echo(line)
    if report_path is not None:
        written = roster.write_rejections(found.result, report_path)
        click.echo(f"未通过校验的 {written} 行已写入 {report_path}")
    if dry_run:
        db.session.rollback()
        click.echo("试运行：未保存任何记录")
    else:
        rows = [u.row.row_number for u in found.updates] if update_existing else []
        saved = imports.save(found, scope, None, update_rows=rows, on_date=today_cn(), source=f"cli:{file.name}")
        db.session.commit()
        click.echo(f"已新增 {len(saved.created)} 名儿童，更新 {len(saved.updated)} 名")
        if found.updates and not update_existing:
            click.echo(f"另有 {len(found.updates)} 名已有档案的儿童未更新（确认后加 --update-existing 再运行）")
    sys.exit(1 if found.bad_rows else 0)


@children_cli.command("close-ineligible")
@click.option("--dry-run", is_flag=True, help="List only; close nothing.")
def close_ineligible_command(dry_run: bool):
    """Close the cases of children who no longer qualify (turned 16, parents returned)."""
    from app.children import services
    from app.children.queries import ineligible_candidates
    from app.core.dates import today_cn

    today = today_cn()

    class _Everyone:  # the command line sees every child
        role = "admin"

    candidates = db.session.scalars(ineligible_candidates(_Everyone(), today)).all()
    found = services.ineligible(candidates, today)
    for child, derived in found:
        village = child.division.full_name if child.division else ""
        click.echo(f"{child.id}\t{child.name}\t{village}\t{derived.reason_message}")
    if dry_run:
        click.echo(f"试运行：{len(found)} 名儿童不再符合条件，未结案")
        return
    closed = services.close_ineligible(None, [c for c, _ in found], today)
    db.session.commit()
    click.echo(f"已结案 {len(closed)} 名不再符合条件的儿童")


#: the commands the app factory adds to ``flask``
COMMANDS = (children_cli,)
