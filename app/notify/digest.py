"""The weekly digest: the cadence engine's due items (app.activities.cadence) of each volunteer who
chose it, once per ISO week, through her chosen channels (an ordinary, rate-limited notification).
The outbound title carries only counts; the children's names stay in the in-app body."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.core.dates import today_cn
from app.core.i18n import N_
from app.extensions import db
from app.notify import texts
from app.notify.models import NotifySettings
from app.notify.services import notify

KIND_LABELS = {"talk": N_("谈心"), "visit": N_("入户看望"), "first_visit": N_("首次入户看望"), "holiday": N_("节日关爱")}


def week_of(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def due_lines(user, today: date) -> tuple[list[dict], int]:
    """(lines for the body as message keys, number overdue) of the volunteer's items overdue or due this week."""
    from app.activities import queries

    lines, overdue = [], 0
    for card in queries.volunteer_cards(user, today):
        for item in card.items:
            if item.status not in ("overdue", "due_this_week"):
                continue
            label = texts.label(KIND_LABELS.get(item.kind, item.kind))
            if item.status == "overdue":
                overdue += 1
                lines.append(texts.text(N_("%(child)s：%(what)s已逾期 %(days)s 天"), child=card.child.name, what=label,
                                        days=item.days_overdue))
            else:
                lines.append(texts.text(N_("%(child)s：%(what)s本周到期（%(due)s）"), child=card.child.name, what=label,
                                        due=item.due.isoformat()))
    return lines, overdue


def send_weekly(today: date | None = None) -> int:
    """Queue this week's digest for every volunteer who chose it and has something due; returns
    how many were told. Running it twice in a week sends nothing the second time."""
    from app.auth.models import User

    today = today or today_cn()
    week = week_of(today)
    rows = db.session.execute(
        sa.select(User, NotifySettings).join(NotifySettings, NotifySettings.user_id == User.id)
        .where(NotifySettings.weekly_digest.is_(True), User.active.is_(True), User.role == "volunteer",
               sa.or_(NotifySettings.last_digest_week.is_(None), NotifySettings.last_digest_week != week))
        .order_by(User.id)).all()
    sent = 0
    for user, settings in rows:
        lines, overdue = due_lines(user, today)
        settings.last_digest_week = week
        if not lines:
            continue
        title = (texts.text(N_("本周关爱待办 %(n)s 项，其中逾期 %(late)s 项"), n=len(lines), late=overdue) if overdue
                 else texts.text(N_("本周关爱待办 %(n)s 项"), n=len(lines)))
        notify([user], "digest", title, "/activities/today", lines)
        sent += 1
    db.session.flush()
    return sent
