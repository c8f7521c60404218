"""Roster and 登记表 downloads: the official layout, with every field so that export → import
round-trips (:func:`app.children.roster.write_roster` with the extra columns)."""
from __future__ import annotations

import io
from datetime import date
from typing import Iterable

from app.children import display, roster
from app.children.models import Child
from app.children.services import record_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def unit_of(user) -> str:
    """The 填报单位 of a user: their organisation, else their division."""
    if getattr(user, "organisation", None) is not None:
        return user.organisation.name
    return user.division.full_name if getattr(user, "division", None) is not None else ""


def _record(child: Child, reveal: bool) -> dict:
    """The child's record; ID and phone numbers masked unless the download is an audited reveal."""
    record = record_of(child)
    if not reveal:
        record = {name: display.mask(name, value) for name, value in record.items()}
    return record


def roster_file(children: Iterable[Child], *, unit: str, fill_date: date,
                reveal: bool = True) -> tuple[io.BytesIO, int]:
    """The 花名册 of ``children`` (with its 填写说明 sheet) and the number of rows."""
    records = [_record(child, reveal) for child in children]
    buf = io.BytesIO()
    roster.write_roster(records, buf, unit=unit, fill_date=fill_date, include_extra=True)
    buf.seek(0)
    return buf, len(records)


def registration_form_file(child: Child, reveal: bool = True) -> io.BytesIO:
    """One child's 登记表."""
    buf = io.BytesIO()
    roster.write_registration_form(_record(child, reveal), buf)
    buf.seek(0)
    return buf


def download_name(stem: str, day: date) -> str:
    return f"{stem}-{day:%Y%m%d}.xlsx"
