"""The progress bulletin in the web dashboard: every figure links to its list; the same figures
are issued as a numbered PDF or workbook through the reports (kind ``bulletin``)."""
from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.core import audit
from app.core.dates import today_cn
from app.core.permissions import policy
from app.extensions import db
from app.protection import bulletin
from app.protection.blueprint import bp


@bp.route("/bulletin")
@policy("reports.assess")
def bulletin_page():
    from app.reports.common import ParameterError, current_quarter, parse_period, recent_quarters
    from app.reports.registry import KINDS
    from app.reports.scope import OutOfScope, resolve_region

    kind = KINDS["bulletin"]
    period_text = (request.args.get("period") or current_quarter(today_cn())).strip()
    status = 200
    try:
        period = parse_period(period_text)
    except ParameterError as exc:
        flash(_(exc.message), "error")
        period, status = parse_period(current_quarter(today_cn())), 400
    division_id = request.args.get("division", type=int) or getattr(current_user, "division_id", None) \
        or _first_county()
    try:
        region = resolve_region(current_user, division_id=division_id, organisation_id=None, levels=kind.levels,
                                schools=False)
    except OutOfScope:
        abort(404)
    except ParameterError as exc:
        flash(_(exc.message), "error")
        return render_template("protection/bulletin.html", b=None, period_text=period_text,
                               quarters=recent_quarters(today_cn()), region=None), 400
    result = bulletin.build(region, period)
    audit.record("bulletin.view", object_type="divisions", object_id=region.division_id,
                 detail={"period": period.as_param()})
    db.session.commit()
    return render_template("protection/bulletin.html", b=result, region=region, period_text=period_text,
                           period_param=period.as_param(), quarters=recent_quarters(today_cn())), status


def _first_county() -> int | None:
    """An administrator has no division: show the first county."""
    import sqlalchemy as sa

    from app.core.models import Division

    return db.session.scalar(sa.select(Division.id).where(Division.level == "county").order_by(Division.code))
