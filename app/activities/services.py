"""Write side of care activities: create and edit logs (with photos and the mandatory report),
regional cadence rules and volunteer hours.

These functions are shared by the HTML views and the JSON API (app/api, also its offline sync). They receive the acting
user, flush and audit, but never commit and never read ``request``: the caller commits once,
so a log and the protection case it opens are saved together or not at all.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.activities import vocab
from app.activities.cadence import DEFAULT_RULES, Rule
from app.activities import cases
from app.activities.errors import ActivityError
from app.activities.models import ActivityPhoto, CadenceRule, CareLog, EventAttendance, SchoolEvent
from app.activities.photos import (MAX_PHOTOS, PhotoError, ProcessedPhoto, photo_path, process_photo,
                                   store_photo)
from app.core import audit
from app.core.dates import today_cn
from app.core.i18n import N_
from app.core.models import Division, utcnow
from app.extensions import db
from app.activities.models import ProtectionCase
from app.children.models import Child
from app.children.scope import children_scope
from app.matching.models import Pair
from app.protection.services import findings_from_log
from app.volunteers.models import VOLUNTEER_KINDS
from app.volunteers.models import Volunteer

EDIT_WINDOW = timedelta(days=7)  # a volunteer may edit their own log for 7 days after saving it
OLDEST_LOG = timedelta(days=366)
TEXT_LIMIT = 4000
#: fields a log form carries, copied onto :class:`CareLog` by create and update
LOG_FIELDS = ("mode", "occurred_on", "start_time", "duration_minutes", "participants", "content", "mood",
              "needs", "follow_up", "guardian_present", "living_conditions", "safety", "study", "health",
              "emotions", "help_given", "guardian_confirmed_by", "place")


@dataclass
class LogInput:
    """What a log form (or a synced phone) sends. Optional text is ``""``."""

    kind: str
    occurred_on: date
    client_uuid: str | None = None
    mode: str | None = None
    start_time: time | None = None
    duration_minutes: int | None = None
    participants: list[str] = field(default_factory=list)
    content: str = ""
    mood: str | None = None
    needs: str = ""
    follow_up: str = ""
    guardian_present: bool | None = None
    living_conditions: str = ""
    safety: dict[str, str] | None = None
    study: str = ""
    health: str = ""
    emotions: str = ""
    help_given: str = ""
    guardian_confirmed_by: str = ""
    place: str = ""
    concerns: list[str] = field(default_factory=list)
    concern_note: str = ""
    lat: float | None = None
    lon: float | None = None
    for_pair: bool = False  # staff entering a paired volunteer's paper record


@dataclass
class LogResult:
    log: CareLog
    case: object | None  # ProtectionCase
    created: bool


def log_fingerprint(data: LogInput) -> str:
    """A hash of what a log says (everything but its ``client_uuid``), in a canonical form:
    strings stripped, empty text as none, lists sorted. The same log sent again has the same
    fingerprint; a different log sent under a reused ``client_uuid`` does not."""
    values = {}
    for name, value in asdict(data).items():
        if name == "client_uuid":
            continue
        if isinstance(value, str):
            value = value.strip() or None
        elif isinstance(value, list):
            value = sorted(value)
        elif isinstance(value, float):
            value = round(value, 6)
        values[name] = value
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_log(data: LogInput, today: date) -> None:
    """Check a log's input.

    :raise ActivityError: on the first problem found.
    """
    if data.kind not in vocab.LOG_KINDS:
        raise ActivityError("kind", N_("记录类型无效"))
    if data.occurred_on > today:
        raise ActivityError("occurred_on", N_("日期不能晚于今天"))
    if data.occurred_on < today - OLDEST_LOG:
        raise ActivityError("occurred_on", N_("只能补记一年以内的活动"))
    modes = vocab.TALK_MODES if data.kind == "talk" else vocab.OCCASIONS if data.kind == "holiday" else {}
    if data.mode not in modes and not (data.kind == "visit" and not data.mode):
        raise ActivityError("mode", N_("请选择方式"))
    if data.duration_minutes is not None and not 1 <= data.duration_minutes <= 720:
        raise ActivityError("duration_minutes", N_("时长应在1到720分钟之间"))
    if not set(data.participants) <= set(vocab.PARTICIPANTS):
        raise ActivityError("participants", N_("参与人选项无效"))
    if data.mood and data.mood not in vocab.MOODS:
        raise ActivityError("mood", N_("情绪选项无效"))
    if data.safety and any(k not in vocab.SAFETY_ITEMS or v not in vocab.SAFETY_RESULTS
                           for k, v in data.safety.items()):
        raise ActivityError("safety", N_("安全检查选项无效"))
    if data.concerns and (data.kind == "holiday" or not set(data.concerns) <= set(vocab.CONCERNS)):
        raise ActivityError("concerns", N_("强制报告情形无效"))
    if data.kind in ("talk", "holiday") and not data.content.strip():
        raise ActivityError("content", N_("请填写内容，可以用手机键盘上的话筒说话输入"))
    for name in ("content", "needs", "follow_up", "living_conditions", "study", "health", "emotions",
                 "help_given", "concern_note"):
        if len(getattr(data, name) or "") > TEXT_LIMIT:
            raise ActivityError(name, N_("内容过长"))


def _location(data: LogInput) -> tuple[float | None, float | None]:
    """A plausible location or none at all: a bad GPS fix never blocks saving."""
    if data.lat is None or data.lon is None or not (-90 <= data.lat <= 90 and -180 <= data.lon <= 180):
        return None, None
    return round(data.lat, 6), round(data.lon, 6)


def _carer_for(actor, child_id: int, for_pair: bool):
    """(pair, volunteer) a log counts for: the child's active pair if ``actor`` is its volunteer,
    or if staff enter the volunteer's record on their behalf."""

    pair = db.session.scalar(sa.select(Pair).where(Pair.child_id == child_id, Pair.status == "active"))
    if pair is None:
        return None, None
    volunteer = db.session.get(Volunteer, pair.volunteer_id)
    if volunteer.user_id == actor.id or (for_pair and actor.role != "volunteer"):
        return pair, volunteer
    return None, None


def prepare_photos(uploads: Sequence[bytes]) -> list[ProcessedPhoto]:
    """Validate and re-encode uploads before anything is written.

    :raise ActivityError: too many photos, or one that is not a photo.
    """
    uploads = [raw for raw in uploads if raw]
    if len(uploads) > MAX_PHOTOS:
        raise ActivityError("photos", N_("最多上传6张照片"))
    try:
        return [process_photo(raw) for raw in uploads]
    except PhotoError as exc:
        raise ActivityError("photos", exc.message) from None


def attach_photos(actor, photos: Iterable[ProcessedPhoto], upload_dir: str, *, log: CareLog | None = None,
                  event: SchoolEvent | None = None, client_key: str | None = None) -> list[ActivityPhoto]:
    """Store processed photos and link them to a log or an event (server time as upload time).

    If the rows cannot be saved (the same photo arriving twice at once breaks the unique
    ``client_key``), the files just written are removed again and the error is raised.
    """
    rows = []
    for photo in photos:
        row = ActivityPhoto(filename=store_photo(upload_dir, photo), width=photo.width, height=photo.height,
                            size_bytes=len(photo.data), uploaded_by_id=actor.id, uploaded_at=utcnow(),
                            log_id=log.id if log else None, event_id=event.id if event else None,
                            client_key=client_key)
        db.session.add(row)
        rows.append(row)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        for row in rows:
            photo_path(upload_dir, row.filename).unlink(missing_ok=True)
        raise
    return rows


def add_log_photo(actor, log: CareLog, raw: bytes, client_key: str, *, upload_dir: str,
                  now: datetime | None = None) -> tuple[ActivityPhoto, bool]:
    """Attach one photo to a saved log (a phone sends a log's photos one by one after it).
    Idempotent on ``client_key`` (the photo's client uuid, or a hash of its bytes): sending the
    same photo again returns the first row. Returns ``(photo, created)``.

    :raise ActivityError: no right to change the log (code ``not_allowed``), already 6 photos,
        or not a photo.
    """
    existing = db.session.scalar(sa.select(ActivityPhoto).where(ActivityPhoto.log_id == log.id,
                                                                ActivityPhoto.client_key == client_key))
    if existing is not None:
        return existing, False
    allowed, _needs_reason = edit_permission(actor, log, now)
    if not allowed:
        raise ActivityError(None, N_("超过7天的记录只能由协调员修改"), "not_allowed")
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ActivityPhoto)
                              .where(ActivityPhoto.log_id == log.id)) or 0
    if count >= MAX_PHOTOS:
        raise ActivityError("photo", N_("最多上传6张照片"))
    try:
        processed = process_photo(raw)
    except PhotoError as exc:
        raise ActivityError("photo", exc.message) from None
    (row,) = attach_photos(actor, [processed], upload_dir, log=log, client_key=client_key)
    audit.record("log.photo", log, user=actor, detail={"photo_id": row.id})
    return row, True


def create_log(actor, child, data: LogInput, photos: Sequence[bytes] = (), *, upload_dir: str,
               today: date | None = None) -> LogResult:
    """Save a care log; if situations of the mandatory report are ticked, open a protection case
    in the same transaction. Idempotent on ``client_uuid``: sending the same log again returns
    the first one (``created`` False).

    The caller has checked that ``child`` is in ``actor``'s scope.

    :raise ActivityError: invalid input (nothing is written).
    """
    today = today or today_cn()
    if data.client_uuid:
        existing = find_sent_log(actor, child, data)
        if existing is not None:
            return existing
    validate_log(data, today)
    processed = prepare_photos(photos)
    pair, volunteer = _carer_for(actor, child.id, data.for_pair)
    lat, lon = _location(data)
    log = CareLog(client_uuid=data.client_uuid or _new_uuid(), kind=data.kind, child_id=child.id,
                  pair_id=pair.id if pair else None, volunteer_id=volunteer.id if volunteer else None,
                  author_id=actor.id, concerns=list(data.concerns), lat=lat, lon=lon,
                  request_hash=log_fingerprint(data))
    for name in LOG_FIELDS:
        setattr(log, name, _clean(getattr(data, name)))
    db.session.add(log)
    db.session.flush()
    attach_photos(actor, processed, upload_dir, log=log)
    audit.record("log.create", log, user=actor,
                 detail={"kind": log.kind, "child_id": child.id, "concerns": log.concerns, "photos": len(processed)})
    case = cases.open_case(actor, child, log, data.concerns, data.concern_note) if data.concerns else None

    findings_from_log(actor, child, log)
    return LogResult(log, case, True)


def find_sent_log(actor, child, data: LogInput) -> LogResult | None:
    """The log already saved under ``data.client_uuid`` (``created`` False), or None.

    Also used after a unique-constraint race, when the same log arrived twice at once.

    :raise ActivityError: code ``uuid_conflict`` when the number belongs to another author or
        child, or to a log whose content differs (an older log saved without a fingerprint is
        taken as the same).
    """
    existing = db.session.scalar(sa.select(CareLog).where(CareLog.client_uuid == data.client_uuid))
    if existing is None:
        return None
    if (existing.author_id != actor.id or existing.child_id != child.id
            or (existing.request_hash and existing.request_hash != log_fingerprint(data))):
        raise ActivityError("client_uuid", N_("记录编号重复：这个编号已用于另一条内容不同的记录"), "uuid_conflict")
    return LogResult(existing, _case_of(existing), False)


def _new_uuid() -> str:
    return str(uuid.uuid4())


def _clean(value):
    return value.strip() or None if isinstance(value, str) else value


def _case_of(log: CareLog):
    return db.session.scalar(sa.select(ProtectionCase).where(ProtectionCase.log_id == log.id)
                             .order_by(ProtectionCase.id.desc()))


def visible_log(user, log_id: int) -> CareLog | None:
    """The log ``log_id`` if its child is in ``user``'s scope or ``user`` wrote it, else None."""

    return db.session.scalar(sa.select(CareLog).join(Child, CareLog.child_id == Child.id)
                             .where(CareLog.id == log_id,
                                    sa.or_(children_scope(user), CareLog.author_id == user.id)))


def author_hidden(user, log: CareLog) -> bool:
    """A log that opened a case would reveal the reporter: hide its author from those who may not know."""
    if not log.concerns:
        return False
    case = _case_of(log)
    return case is not None and not cases.can_see_reporter(user, case)


def edit_permission(actor, log: CareLog, now: datetime | None = None) -> tuple[bool, bool]:
    """(may edit, must give a reason). The author may edit for 7 days; afterwards only a
    coordinator, who must say why. The caller has checked the log is in scope."""
    now = now or utcnow()
    own_fresh = log.author_id == actor.id and now - log.created_at < EDIT_WINDOW
    if own_fresh:
        return True, False
    if actor.role == "coordinator":
        return True, True
    return False, False


def update_log(actor, log: CareLog, data: LogInput, reason: str = "", photos: Sequence[bytes] = (), *,
               upload_dir: str, today: date | None = None, now: datetime | None = None):
    """Change a log. Newly ticked mandatory-report situations open a case (ticked ones stay).

    :raise ActivityError: invalid input, no right to edit (field ``None``), or missing reason.
    :return: the protection case opened, if any.
    """
    allowed, needs_reason = edit_permission(actor, log, now)
    if not allowed:
        raise ActivityError(None, N_("超过7天的记录只能由协调员修改"))
    if needs_reason and not reason.strip():
        raise ActivityError("reason", N_("请填写修改原因"))
    data.kind = log.kind
    validate_log(data, today or today_cn())
    processed = prepare_photos(photos)
    changes = {}
    for name in LOG_FIELDS:
        old, new = getattr(log, name), _clean(getattr(data, name))
        if old != new:
            changes[name] = [_jsonable(old), _jsonable(new)]
            setattr(log, name, new)
    added = [c for c in data.concerns if c not in (log.concerns or [])]
    if added:
        log.concerns = list(log.concerns or []) + added
        changes["concerns"] = [None, added]
    log.updated_by_id = actor.id
    attach_photos(actor, processed, upload_dir, log=log)
    audit.record("log.update", log, user=actor,
                 detail={"changes": changes, "reason": reason.strip() or None, "photos_added": len(processed)})
    return cases.open_case(actor, log.child, log, added, data.concern_note) if added else None


def _jsonable(value):
    return value.isoformat() if isinstance(value, (date, time)) else value


def service_hours(volunteer) -> float:
    """A volunteer's service hours: the length of their logged talks, visits and holiday
    activities plus the school events they attended (travel time is never counted)."""
    logged = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(CareLog.duration_minutes), 0))
                               .where(CareLog.volunteer_id == volunteer.id)) or 0
    events = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(SchoolEvent.duration_minutes), 0))
        .join(EventAttendance, EventAttendance.event_id == SchoolEvent.id)
        .where(EventAttendance.volunteer_id == volunteer.id, EventAttendance.attended.is_(True))) or 0
    return round((logged + events) / 60, 1)


# ---------------------------------------------------------------------------------------------
# Cadence rules per region
# ---------------------------------------------------------------------------------------------

def _rule_of(row: CadenceRule) -> Rule:
    return Rule(talk_every=row.talk_every, talk_term_only=row.talk_term_only, visit_every=row.visit_every,
                first_visit_days=row.first_visit_days, holiday_reminders=row.holiday_reminders)


class RuleBook:
    """All regional rules, loaded once; resolves the rules of a division by its path."""

    def __init__(self) -> None:
        self._rows: dict[tuple[int, str], Rule] = {
            (row.division_id, row.volunteer_kind): _rule_of(row)
            for row in db.session.scalars(sa.select(CadenceRule))}
        self._cache: dict[str, dict[str, Rule]] = {}

    def for_path(self, path: str) -> dict[str, Rule]:
        """Rules by volunteer kind for a division path (``/1/5/17/``): the deepest override wins."""
        if path not in self._cache:
            ids = [int(p) for p in path.strip("/").split("/") if p]
            rules = dict(DEFAULT_RULES)
            for division_id in ids:  # from the root down, so deeper overrides win
                for kind in vocab_kinds():
                    if (division_id, kind) in self._rows:
                        rules[kind] = self._rows[(division_id, kind)]
            self._cache[path] = rules
        return self._cache[path]


def vocab_kinds() -> tuple[str, ...]:
    return tuple(VOLUNTEER_KINDS)


def save_rule(actor, division: Division, volunteer_kind: str, rule: Rule) -> CadenceRule:
    """Set ``division``'s rule for ``volunteer_kind`` (the caller checked the division is the
    actor's region). Audited with the old and the new values.

    :raise ActivityError: for values outside the allowed options.
    """
    if volunteer_kind not in vocab_kinds():
        raise ActivityError("volunteer_kind", N_("志愿者类型无效"))
    if rule.talk_every not in vocab.TALK_PERIODS or rule.visit_every not in vocab.VISIT_PERIODS:
        raise ActivityError("talk_every", N_("频次选项无效"))
    if not 0 <= rule.first_visit_days <= 30:
        raise ActivityError("first_visit_days", N_("首次看望期限应在0到30个工作日之间"))
    row = db.session.scalar(sa.select(CadenceRule).where(CadenceRule.division_id == division.id,
                                                         CadenceRule.volunteer_kind == volunteer_kind))
    before = asdict(_rule_of(row)) if row else None
    if row is None:
        row = CadenceRule(division_id=division.id, volunteer_kind=volunteer_kind)
        db.session.add(row)
    for name, value in asdict(rule).items():
        setattr(row, name, value)
    row.updated_by_id = actor.id
    db.session.flush()
    audit.record("cadence_rule.save", row, user=actor,
                 detail={"division_id": division.id, "kind": volunteer_kind, "before": before, "after": asdict(rule)})
    return row
