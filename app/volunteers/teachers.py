"""A school's teachers in bulk, from Excel: every row checked with the rules of the web
registration (ID number, sex from the ID, mobile phone, one account per ID and per phone, the
village), every bad row reported with all its reasons, and the user chooses to save nothing
unless all rows are good, or only the good rows.

Imported teachers are applications like any other: the coordinator screens them before they
can be matched. Each gets a login (their mobile number) with a one-time random password that
the school hands out; it is shown once, on the result page, and stored only as a hash.
"""
from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.auth.models import User
from app.children.roster import RosterFileError, check_workbook_bytes, neutralize
from app.core import audit
from app.core.i18n import N_
from app.core.idcard import IdNumberError, parse_id_number
from app.core.models import Division, Organisation
from app.core.phone import PhoneError, normalize_phone
from app.extensions import db
from app.volunteers.models import Volunteer
from app.volunteers.services import Registration, create_application
from app.core.errors import UserError

#: header text → field; the columns may come in any order, other columns are ignored
COLUMNS = {"姓名": "name", "身份证号码": "id_number", "手机号码": "phone", "居住村（社区）": "village",
           "可结对人数": "capacity", "最远路程（公里）": "max_km"}
REQUIRED = ("name", "id_number", "phone", "village")
HEADER_SCAN_ROWS = 10
MAX_ROWS = 2000
DEFAULT_CAPACITY, DEFAULT_MAX_KM = 3, 10.0


class TeacherFileError(UserError):
    """The file as a whole cannot be read; ``message`` is Chinese (translated by the view)."""

    def __init__(self, message: str, **values):
        super().__init__(message, field="file", **values)


@dataclass
class TeacherRow:
    row: int
    name: str
    id_number: str = ""
    sex: str = ""
    birth_date: date | None = None
    phone: str = ""
    village: Division | None = None
    capacity: int = DEFAULT_CAPACITY
    max_km: float = DEFAULT_MAX_KM
    reasons: list[tuple[str, dict]] = field(default_factory=list)  # (Chinese message, values)


def _villages(school: Organisation) -> dict[str, Division]:
    """Village name → village, within the county of the school (a name twice: the first)."""
    county = school.division
    while county is not None and county.level not in ("county", "city", "province"):
        county = county.parent
    stmt = sa.select(Division).where(Division.level == "village")
    if county is not None:
        stmt = stmt.where(Division.within(county))
    out: dict[str, Division] = {}
    for village in db.session.scalars(stmt.order_by(Division.code)):
        out.setdefault(village.name, village)
    return out


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_teachers(data: bytes, school: Organisation) -> list[TeacherRow]:
    """Every data row of the first sheet, checked; a row is good when ``reasons`` is empty.

    :raise TeacherFileError: not a safe .xlsx, no header row, a required column missing, too many rows.
    """
    try:
        check_workbook_bytes(data)
    except RosterFileError as exc:
        raise TeacherFileError(exc.message) from None
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + HEADER_SCAN_ROWS + 1))
    except Exception:  # openpyxl raises many kinds on a broken file
        raise TeacherFileError(N_("文件已损坏或不是有效的Excel(.xlsx)文件")) from None
    header_at, columns = None, {}
    for i, values in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = {COLUMNS[_text(v)]: j for j, v in enumerate(values) if _text(v) in COLUMNS}
        if "name" in found and "id_number" in found:
            header_at, columns = i, found
            break
    if header_at is None:
        raise TeacherFileError(N_("找不到表头：第一张工作表的前10行中应有“姓名”和“身份证号码”列"))
    missing = [h for h, f in COLUMNS.items() if f in REQUIRED and f not in columns]
    if missing:
        raise TeacherFileError(N_("缺少必填列：%(columns)s"), columns="、".join(missing))
    body = rows[header_at + 1:]
    if len(body) > MAX_ROWS:
        raise TeacherFileError(N_("数据行数超过上限(%(n)s行)，请拆分后分批导入"), n=MAX_ROWS)

    villages = _villages(school)
    today = date.today()
    out: list[TeacherRow] = []
    for offset, values in enumerate(body):
        cell = {f: (values[j] if j < len(values) else None) for f, j in columns.items()}
        if all(_text(v) == "" for v in cell.values()):
            continue  # blank row
        row = TeacherRow(row=header_at + 2 + offset, name=_text(cell.get("name")))
        if not row.name:
            row.reasons.append((N_("姓名不能为空"), {}))
        try:
            info = parse_id_number(cell.get("id_number"), today=today)
            row.id_number, row.sex, row.birth_date = info.number, info.sex, info.birth_date
        except IdNumberError as exc:
            row.reasons.append((exc.message, {}))
        try:
            row.phone = normalize_phone(cell.get("phone"))
            if "-" in row.phone:
                row.reasons.append((N_("请填写手机号码（登录用），不能是固定电话"), {}))
        except PhoneError as exc:
            row.reasons.append((exc.message, {}))
        village_name = _text(cell.get("village"))
        row.village = villages.get(village_name)
        if row.village is None:
            row.reasons.append((N_("居住村（社区）“%(v)s”不在本县") if village_name else N_("居住村（社区）不能为空"),
                                {"v": village_name}))
        for name, low, high, default in (("capacity", 0, 10, DEFAULT_CAPACITY), ("max_km", 0, 100, DEFAULT_MAX_KM)):
            raw = _text(cell.get(name))
            if not raw:
                continue
            try:
                number = float(raw)
                if not low <= number <= high or (name == "capacity" and not number.is_integer()):
                    raise ValueError
                setattr(row, name, int(number) if name == "capacity" else number)
            except ValueError:
                message = (N_("可结对人数应为0到10的整数") if name == "capacity"
                           else N_("最远路程应为0到100之间的数字（公里）"))
                row.reasons.append((message, {}))
        out.append(row)
    _mark_duplicates(out)
    return out


def _mark_duplicates(rows: list[TeacherRow]) -> None:
    """The same ID or phone twice in the file, or already registered."""
    ids = [r.id_number for r in rows if r.id_number]
    phones = [r.phone for r in rows if r.phone]
    taken_ids = set(db.session.scalars(sa.select(Volunteer.id_number).where(Volunteer.id_number.in_(ids)))) if ids else set()
    taken_phones = set(db.session.scalars(sa.select(User.username).where(User.username.in_(phones)))) if phones else set()
    first_id: dict[str, int] = {}
    first_phone: dict[str, int] = {}
    for r in rows:
        if r.id_number in taken_ids:
            r.reasons.append((N_("该证件号码已注册"), {}))
        elif r.id_number:
            if r.id_number in first_id:
                r.reasons.append((N_("与第%(n)s行的身份证号码重复"), {"n": first_id[r.id_number]}))
            first_id.setdefault(r.id_number, r.row)
        if r.phone in taken_phones:
            r.reasons.append((N_("该手机号码已注册"), {}))
        elif r.phone:
            if r.phone in first_phone:
                r.reasons.append((N_("与第%(n)s行的手机号码重复"), {"n": first_phone[r.phone]}))
            first_phone.setdefault(r.phone, r.row)


def import_teachers(rows: list[TeacherRow], school: Organisation, *, by: User) -> list[tuple[Volunteer, str]]:
    """Save the good rows as teacher applications with logins; returns (volunteer, one-time
    password) pairs. The caller commits (all or nothing)."""
    created = []
    for r in rows:
        if r.reasons:
            continue
        password = secrets.token_urlsafe(9)
        reg = Registration(kind="teacher", organisation_id=school.id, name=r.name, id_number=r.id_number,
                           sex=r.sex, birth_date=r.birth_date, phone=r.phone, password=password,
                           division_id=r.village.id, capacity=r.capacity, max_km=r.max_km, skills=[],
                           prefer_gender=None, prefer_age_band=None, availability=None)
        volunteer = create_application(reg, school, r.village, conduct_accepted=False)
        # the one-time password passed through other hands: the teacher chooses their own at first login
        db.session.get(User, volunteer.user_id).must_change_password = True
        audit.record("volunteer.import", volunteer, user=by, detail={"row": r.row})
        created.append((volunteer, password))
    return created


def template_workbook() -> bytes:
    """An empty import file with the header row and one example note."""
    wb = Workbook()
    ws = wb.active
    ws.title = "教师名单"
    ws.append(list(COLUMNS))
    for letter, width in zip("ABCDEF", (10, 22, 14, 16, 12, 16), strict=True):
        ws.column_dimensions[letter].width = width
    for row in range(2, 502):  # ID and phone cells as text, so Excel keeps every digit
        for col in (2, 3):
            ws.cell(row=row, column=col).number_format = "@"
    notes = wb.create_sheet("填写说明")
    for line in ("姓名、身份证号码、手机号码、居住村（社区）为必填；列的顺序可以调整。",
                 "手机号码用作登录账号；导入后系统生成一次性初始密码，由学校转交教师本人。",
                 "可结对人数为0到10的整数，不填为3；最远路程单位为公里，不填为10。",
                 "导入的教师需经协调员审核（入职查询、培训）后才能参与结对。"):
        notes.append([neutralize(line)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
