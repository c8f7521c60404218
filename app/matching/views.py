import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.children.models import Child
from app.core.models import Division
from app.core.permissions import divisions_scope, get_in_scope_or_404, policy
from app.children.scope import children_scope
from app.matching.scope import pairs_scope, proposals_scope
from app.volunteers.scope import volunteers_scope
from app.extensions import db
from app.matching import services
from app.matching.models import STEERING_KINDS, MatchProposal, MatchSteering, Pair
from app.matching.pairs import close_pair
from app.volunteers.models import Volunteer
from app.matching.blueprint import bp


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
        proposal = services.solve_region(region, current_user, mode=mode)
    except services.ProposalError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return redirect(url_for("matching.index"))
    db.session.commit()
    return redirect(url_for("matching.proposal", proposal_id=proposal.id))


@bp.route("/proposals/<int:proposal_id>")
@policy("matching.run")
def proposal(proposal_id: int):
    row = get_in_scope_or_404(MatchProposal, proposal_id, proposals_scope)
    result = row.result
    previous = _previous(row)
    changes = services.diff(previous.result_pairs if previous else result.get("today", {}), result)
    return render_template("matching/proposal.html", proposal=row, result=result, previous=previous,
                           changes=changes, steering=services.steering_rows(row), reasons=services.REASON_LABELS,
                           townships=_by_township(result["pairs"]), unmatched=_unmatched_by_tier(result),
                           kinds=STEERING_KINDS, move_reasons=services.MOVE_REASONS)


@bp.route("/proposals/<int:proposal_id>/changes")
@policy("matching.run")
def changes(proposal_id: int):
    """What changed: against today's pairs (``?against=today``) or an earlier proposal."""
    row = get_in_scope_or_404(MatchProposal, proposal_id, proposals_scope)
    against = request.args.get("against", "previous")
    other = None
    if against == "today":
        before = row.result.get("today", {})
    else:
        other = (get_in_scope_or_404(MatchProposal, int(against), proposals_scope) if against.isdigit()
                 else _previous(row))
        before = other.result_pairs if other else row.result.get("today", {})
    names = dict(other.result.get("names") or {}) if other else {}
    return render_template("matching/changes.html", proposal=row, other=other,
                           changes=services.diff(before, row.result, names), reasons=services.REASON_LABELS,
                           move_reasons=services.MOVE_REASONS, end_reasons=services.END_REASONS)


def _previous(row: MatchProposal) -> MatchProposal | None:
    pid = (row.result or {}).get("previous_id")
    if not pid:
        return None
    return db.session.scalar(sa.select(MatchProposal).where(MatchProposal.id == pid, proposals_scope(current_user)))


def _by_township(pairs: list[dict]) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for p in pairs:
        groups.setdefault(p.get("township") or p["village"], []).append(p)
    return sorted(groups.items())


def _unmatched_by_tier(result: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {t: [] for t in services.TIERS}
    for rows in result["unmatched"].values():
        for u in rows:
            out[u["tier"]].append(u)
    return out


def _key_ids(value: str) -> tuple[int, int] | None:
    """``"c12:v3"`` -> (12, 3)."""
    child, _, vol = value.partition(":")
    if child[:1] != "c" or vol[:1] != "v" or not child[1:].isdigit() or not vol[1:].isdigit():
        return None
    return int(child[1:]), int(vol[1:])


def _resolve(row: MatchProposal):
    """Re-solve the proposal's region with the standing steering; the new proposal replaces it."""
    try:
        new = services.solve_region(row.division, current_user, mode=row.result.get("mode", "queue"), previous=row)
    except services.ProposalError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return redirect(url_for("matching.proposal", proposal_id=row.id))
    if row.status == "draft":
        row.status = "discarded"
    db.session.commit()
    return redirect(url_for("matching.proposal", proposal_id=new.id))


@bp.route("/proposals/<int:proposal_id>/resolve", methods=["POST"])
@policy("matching.run")
def resolve(proposal_id: int):
    """Pin (``lock``) or exclude (``forbid``) pairs — kept for later rounds until removed — and
    re-solve."""
    row = get_in_scope_or_404(MatchProposal, proposal_id, proposals_scope)
    for field, kind in (("lock", "pin"), ("forbid", "exclude")):
        for value in request.form.getlist(field):
            ids = _key_ids(value)
            if ids is None:
                abort(400)
            child = get_in_scope_or_404(Child, ids[0], children_scope)
            volunteer = get_in_scope_or_404(Volunteer, ids[1], volunteers_scope)
            services.add_steering(current_user, kind, volunteer, child=child)
    return _resolve(row)


@bp.route("/proposals/<int:proposal_id>/siblings", methods=["POST"])
@policy("matching.run")
def siblings(proposal_id: int):
    """The one-tap fix of a split household: pin its siblings to one volunteer, then re-solve."""
    row = get_in_scope_or_404(MatchProposal, proposal_id, proposals_scope)
    try:
        services.fix_siblings(row, request.form.get("household", ""), current_user,
                             child_in_scope=lambda i: get_in_scope_or_404(Child, i, children_scope),
                             volunteer_in_scope=lambda i: get_in_scope_or_404(Volunteer, i, volunteers_scope))
    except services.ProposalError as exc:
        flash(_(exc.message), "error")
        return redirect(url_for("matching.proposal", proposal_id=row.id, _anchor="m-siblings"))
    return _resolve(row)


@bp.route("/proposals/<int:proposal_id>/hold", methods=["POST"])
@policy("matching.run")
def hold(proposal_id: int):
    """Hold some of a volunteer's free places out of the rounds, then re-solve."""
    row = get_in_scope_or_404(MatchProposal, proposal_id, proposals_scope)
    volunteer_id = request.form.get("volunteer", type=int)
    if volunteer_id is None:
        flash(_("请选择要保留名额的志愿者"), "error")
        return redirect(url_for("matching.proposal", proposal_id=row.id, _anchor="steering"))
    volunteer = get_in_scope_or_404(Volunteer, volunteer_id, volunteers_scope)
    places = request.form.get("places", type=int)
    if places is None or not 1 <= places <= volunteer.capacity:
        flash(_("保留名额须为 1 到 %(n)s 之间的整数（该志愿者共 %(n)s 个名额）", n=volunteer.capacity), "error")
        return redirect(url_for("matching.proposal", proposal_id=row.id, _anchor="steering"))
    services.add_steering(current_user, "hold", volunteer, places=places)
    return _resolve(row)


@bp.route("/proposals/<int:proposal_id>/unsteer", methods=["POST"])
@policy("matching.run")
def unsteer(proposal_id: int):
    """Remove a standing pin, exclusion or hold (form field ``steering``), then re-solve."""
    row = get_in_scope_or_404(MatchProposal, proposal_id, proposals_scope)
    steering_id = request.form.get("steering", type=int)
    if steering_id is None:
        flash(_("请选择要取消的安排"), "error")
        return redirect(url_for("matching.proposal", proposal_id=row.id, _anchor="steering"))
    steer = db.session.scalar(sa.select(MatchSteering).where(
        MatchSteering.id == steering_id,
        MatchSteering.volunteer_id.in_(sa.select(Volunteer.id).where(volunteers_scope(current_user)))))
    if steer is None:
        abort(404)
    services.remove_steering(steer, current_user)
    return _resolve(row)


@bp.route("/proposals/<int:proposal_id>/approve", methods=["POST"])
@policy("matching.run")
def approve(proposal_id: int):
    row = get_in_scope_or_404(MatchProposal, proposal_id, proposals_scope)
    try:
        outcome = services.approve(row, current_user)
        db.session.commit()
    except services.ProposalError as exc:
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
            services.manual_pair(child, volunteer, current_user)
            db.session.commit()
            flash(_("已结对：%(c)s — %(v)s", c=child.name, v=volunteer.name), "success")
            return redirect(url_for("children.detail", child_id=child.id))
        except services.ProposalError as exc:
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
