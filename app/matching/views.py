import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.children.models import Child
from app.core.models import Division
from app.core.permissions import (children_scope, divisions_scope, get_in_scope_or_404, pairs_scope, policy,
                                  proposals_scope, volunteers_scope)
from app.extensions import db
from app.matching import service
from app.matching.models import MatchProposal, Pair
from app.matching.pairs import close_pair
from app.volunteers.models import Volunteer

bp = Blueprint("matching", __name__, url_prefix="/matching")


def _regions():
    return db.session.scalars(sa.select(Division).where(divisions_scope(current_user),
                                                        Division.level.in_(("county", "township")))
                              .order_by(Division.code)).all()


def _queue_counts():
    paired = sa.select(Pair.child_id).where(Pair.status == "active")
    return dict(db.session.execute(
        sa.select(Child.tier, sa.func.count()).where(children_scope(current_user), Child.status == "active",
                                                     Child.id.not_in(paired)).group_by(Child.tier)).all())


@bp.route("/")
@policy("matching.run")
def index():
    proposals = db.session.scalars(sa.select(MatchProposal).where(proposals_scope(current_user))
                                   .order_by(MatchProposal.id.desc()).limit(10)).all()
    return render_template("matching/index.html", regions=_regions(), proposals=proposals, queue=_queue_counts())


@bp.route("/solve", methods=["POST"])
@policy("matching.run")
def solve():
    region_id = request.form.get("region", type=int)
    if region_id is None:
        flash(_("请选择区域"), "error")
        return redirect(url_for("matching.index"))
    region = get_in_scope_or_404(Division, region_id, divisions_scope)
    mode = "full" if request.form.get("mode") == "full" else "queue"
    try:
        proposal = service.solve_region(region, current_user, mode=mode)
    except service.ProposalError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return redirect(url_for("matching.index"))
    db.session.commit()
    return redirect(url_for("matching.proposal", proposal_id=proposal.id))


@bp.route("/proposals/<int:proposal_id>")
@policy("matching.run")
def proposal(proposal_id: int):
    row = get_in_scope_or_404(MatchProposal, proposal_id, proposals_scope)
    return render_template("matching/proposal.html", proposal=row, result=row.result,
                           reasons=service.REASON_LABELS)


@bp.route("/proposals/<int:proposal_id>/resolve", methods=["POST"])
@policy("matching.run")
def resolve(proposal_id: int):
    """Re-solve with pairs locked or forbidden by the coordinator."""
    row = get_in_scope_or_404(MatchProposal, proposal_id, proposals_scope)
    locked = [p.split(":") for p in request.form.getlist("lock") if ":" in p]
    forbidden = list(row.forbidden) + [p.split(":") for p in request.form.getlist("forbid") if ":" in p]
    try:
        new = service.solve_region(row.division, current_user, mode=row.result.get("mode", "queue"),
                                   locked=locked, forbidden=forbidden)
    except service.ProposalError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return redirect(url_for("matching.proposal", proposal_id=row.id))
    row.status = "discarded"
    db.session.commit()
    return redirect(url_for("matching.proposal", proposal_id=new.id))


@bp.route("/proposals/<int:proposal_id>/approve", methods=["POST"])
@policy("matching.run")
def approve(proposal_id: int):
    row = get_in_scope_or_404(MatchProposal, proposal_id, proposals_scope)
    try:
        outcome = service.approve(row, current_user)
        db.session.commit()
    except service.ProposalError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        for conflict in exc.conflicts:
            flash(conflict, "warning")
        return redirect(url_for("matching.proposal", proposal_id=row.id))
    flash(_("已确认方案：新建结对 %(c)s 个，调整结束 %(x)s 个。志愿者现在可以看到新结对的儿童。",
            c=outcome["created"], x=outcome["closed"]), "success")
    return redirect(url_for("matching.index"))


@bp.route("/manual", methods=["GET", "POST"])
@policy("matching.run")
def manual():
    if request.method == "POST":
        child = get_in_scope_or_404(Child, request.form.get("child", type=int), children_scope)
        volunteer = get_in_scope_or_404(Volunteer, request.form.get("volunteer", type=int), volunteers_scope)
        try:
            service.manual_pair(child, volunteer, current_user)
            db.session.commit()
            flash(_("已结对：%(c)s — %(v)s", c=child.name, v=volunteer.name), "success")
            return redirect(url_for("children.detail", child_id=child.id))
        except service.ProposalError as exc:
            db.session.rollback()
            flash(_("不能结对：%(r)s", r=_(exc.message)), "error")
    paired = sa.select(Pair.child_id).where(Pair.status == "active")
    children = db.session.scalars(sa.select(Child).where(children_scope(current_user), Child.status == "active",
                                                         Child.id.not_in(paired)).order_by(Child.name_pinyin).limit(500)).all()
    volunteers = db.session.scalars(sa.select(Volunteer).where(volunteers_scope(current_user), Volunteer.status == "approved",
                                                               Volunteer.active_pairs < Volunteer.capacity)
                                    .order_by(Volunteer.name).limit(500)).all()
    return render_template("matching/manual.html", children=children, volunteers=volunteers,
                           selected_child=request.values.get("child", type=int))


@bp.route("/pairs/<int:pair_id>/close", methods=["POST"])
@policy("matching.run")
def close(pair_id: int):
    pair = get_in_scope_or_404(Pair, pair_id, pairs_scope)
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        flash(_("请填写结束结对的原因"), "error")
    elif pair.status != "active":
        abort(404)
    else:
        close_pair(pair, reason)
        db.session.commit()
        flash(_("已结束结对，该儿童回到待匹配名单。"), "success")
    return redirect(url_for("children.detail", child_id=pair.child_id))
