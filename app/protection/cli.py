"""``flask --app wsgi protection backfill``: open the items for children saved before this feature."""
from __future__ import annotations

import click

from app.protection.views import bp


@bp.cli.command("backfill")
def backfill_command():
    """Open a guardianship gap, dropout or hukou item for every active child that needs one."""
    from app.extensions import db
    from app.protection.services import backfill

    opened = backfill(None)
    db.session.commit()
    counts: dict[str, int] = {}
    for item in opened:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    click.echo(f"已登记 {len(opened)} 个事项：" + "，".join(f"{k} {n}" for k, n in sorted(counts.items())))
