"""``flask --app wsgi protection backfill``: open the items for children saved before this feature."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.protection.services import backfill

protection = AppGroup("protection", help="The six responsibilities' tracked items.")


@protection.command("backfill")
def backfill_command():
    """Open a guardianship gap, dropout or hukou item for every active child that needs one."""
    opened = backfill(None)
    db.session.commit()
    counts: dict[str, int] = {}
    for item in opened:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    click.echo(f"已登记 {len(opened)} 个事项：" + "，".join(f"{k} {n}" for k, n in sorted(counts.items())))


#: the commands the app factory adds to ``flask``
COMMANDS = (protection,)
