"""The notification centre: my notifications, mark read, my channels, Web Push subscription; and
for administrators the delivery log (failures with their reason)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import audit
from app.core.audit import record_now
from app.core.permissions import get_in_scope_or_404, policy
from app.core.web import safe_next_url
from app.extensions import db
from app.notify import channels as ch
from app.notify import services
from app.notify.forms import SettingsForm
from app.notify.models import CHANNELS, DELIVERY_STATUSES, Delivery, Notification, NotifySettings, PushSubscription
from app.notify.blueprint import bp


@bp.route("/")
@policy("authenticated")
def index():
    page = db.paginate(sa.select(Notification).where(Notification.user_id == current_user.id)
                       .order_by(Notification.read_at.is_not(None), Notification.id.desc()),
                       page=request.args.get("page", 1, type=int), per_page=30, error_out=False)
    return render_template("notify/index.html", page=page, statuses=DELIVERY_STATUSES, channels=CHANNELS)


def _own_or_404(notification_id: int) -> Notification:
    row = db.session.scalar(sa.select(Notification).where(Notification.id == notification_id,
                                                          Notification.user_id == current_user.id))
    if row is None:
        abort(404)
    return row


@bp.route("/<int:notification_id>/open", methods=["POST"])
@policy("authenticated")
def open_notification(notification_id: int):
    row = _own_or_404(notification_id)
    services.mark_read(current_user, [row.id])
    db.session.commit()
    return redirect(safe_next_url(row.url) or url_for("notify.index"))


@bp.route("/read-all", methods=["POST"])
@policy("authenticated")
def read_all():
    n = services.mark_read(current_user)
    db.session.commit()
    flash(_("已将 %(n)s 条通知标为已读", n=n), "success")
    return redirect(url_for("notify.index"))


@bp.route("/settings", methods=["GET", "POST"])
@policy("authenticated")
def settings():
    row = db.session.get(NotifySettings, current_user.id)
    form = SettingsForm(obj=row) if request.method == "GET" else SettingsForm()
    if request.method == "GET" and row is None:
        form.channels.data = list(CHANNELS)
    if form.validate_on_submit():
        if row is None:
            row = NotifySettings(user_id=current_user.id)
            db.session.add(row)
        row.email = (form.email.data or "").strip() or None
        row.channels = [c for c in form.channels.data if c in CHANNELS]
        row.weekly_digest = bool(form.weekly_digest.data) and current_user.role == "volunteer"
        audit.record("notify.settings", object_type="notify_settings", object_id=current_user.id,
                     detail={"channels": row.channels, "email": bool(row.email), "digest": row.weekly_digest})
        db.session.commit()
        flash(_("通知设置已保存"), "success")
        return redirect(url_for("notify.settings"))
    config = current_app.config
    offered = {c: ch.configured(config, c) for c in CHANNELS}
    pushes = db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)
                               .where(PushSubscription.user_id == current_user.id)) or 0
    status = 422 if form.errors else 200
    return render_template("notify/settings.html", form=form, offered=offered, pushes=pushes,
                           phone=services.phone_of(current_user),
                           vapid_key=config.get("VAPID_PUBLIC_KEY") if offered["push"] else None), status


@bp.route("/cases/<int:case_id>/acknowledge", methods=["POST"])
@policy("cases.read")
def case_step_acknowledge(case_id: int):
    """A level of the escalation chain (the township supervisor) takes the case on: the chain stops
    at his level. Only someone that step told may; it gives no other right on the case."""
    from app.activities.cases import cases_scope
    from app.activities.models import ProtectionCase
    from app.notify import escalation

    case = get_in_scope_or_404(ProtectionCase, case_id, cases_scope)
    row = escalation.open_step_for(current_user, case)
    if row is None:  # not told beyond the village, or already taken on: refused (audited), back to the case
        record_now("access.denied", detail={"reason": "case.escalation.recipient", "path": request.path,
                                            "method": request.method})
        flash(_("只有收到逐级上报通知、且尚未确认的人员可以在此确认；案件本身由村儿童主任确认。"), "error")
        return redirect(url_for("activities.case_detail", case_id=case.id))
    escalation.acknowledge_step(current_user, case, row)
    db.session.commit()
    flash(_("已确认收到：逐级上报在您这一级停止，不再通知上级。案件仍由村儿童主任确认处置。"), "success")
    return redirect(url_for("activities.case_detail", case_id=case.id))


@bp.route("/push/subscribe", methods=["POST"])
@policy("authenticated")
def push_subscribe():
    data = request.get_json(silent=True) or {}
    endpoint = str(data.get("endpoint") or "")
    keys = data.get("keys") or {}
    if not endpoint.startswith("https://") or len(endpoint) > 512 or not keys.get("p256dh") or not keys.get("auth"):
        return {"error": _("推送订阅信息不完整")}, 400
    row = db.session.scalar(sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if row is None:
        row = PushSubscription(endpoint=endpoint)
        db.session.add(row)
    row.user_id, row.p256dh, row.auth = current_user.id, str(keys["p256dh"])[:128], str(keys["auth"])[:64]
    audit.record("notify.push_subscribe", object_type="push_subscriptions", object_id=current_user.id)
    db.session.commit()
    return {"ok": True}


@bp.route("/push/unsubscribe", methods=["POST"])
@policy("authenticated")
def push_unsubscribe():
    db.session.execute(sa.delete(PushSubscription).where(PushSubscription.user_id == current_user.id))
    audit.record("notify.push_unsubscribe", object_type="push_subscriptions", object_id=current_user.id)
    db.session.commit()
    flash(_("已关闭手机推送"), "success")
    return redirect(url_for("notify.settings"))


@bp.route("/deliveries")
@policy("admin")
def deliveries():
    status = request.args.get("status", "")
    stmt = sa.select(Delivery).order_by(Delivery.id.desc())
    if status in DELIVERY_STATUSES:
        stmt = stmt.where(Delivery.status == status)
    from app.auth.models import User

    page = db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=50, error_out=False)
    names = dict(db.session.execute(sa.select(User.id, User.display_name)
                                    .where(User.id.in_({d.user_id for d in page.items}))).all())
    return render_template("notify/deliveries.html", page=page, status=status, statuses=DELIVERY_STATUSES,
                           channels=CHANNELS, names=names)
