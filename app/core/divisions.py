"""Loading and querying administrative divisions."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.core.models import Division
from app.extensions import db
from app.core.errors import UserError


class DivisionFileError(UserError):
    """A divisions CSV that cannot be loaded; ``errors`` lists every bad line."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors[:5]), field="file")
        self.errors = errors


def level_of(code: str) -> str:
    """Level of a 12-digit statistical code (GB/T 2260 6-digit codes are padded first)."""
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    if code[6:] == "0" * 6:
        return "county"
    if code[9:] == "000":
        return "township"
    return "village"


def normalise_code(raw: str) -> str:
    code = (raw or "").strip()
    if len(code) == 6 and code.isdigit():
        code += "000000"
    if len(code) == 9 and code.isdigit():
        code += "000"
    if len(code) != 12 or not code.isdigit():
        raise ValueError(f"区划代码应为6位或12位数字: {raw!r}")
    return code


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def load_divisions_csv(text: str) -> LoadReport:
    """Create or update divisions from CSV text with columns code,name,parent_code[,lat,lon].

    Parents must come before children or already exist. Nothing is saved if any line is bad.

    :raise DivisionFileError: listing every bad line.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "name", "parent_code"} - set(reader.fieldnames or [])
    if missing:
        raise DivisionFileError([f"缺少列: {', '.join(sorted(missing))}"])
    existing = {d.code: d for d in db.session.scalars(sa.select(Division))}
    report, pending = LoadReport(), []
    for lineno, row in enumerate(reader, start=2):
        try:
            code = normalise_code(row["code"])
            parent_code = normalise_code(row["parent_code"]) if (row.get("parent_code") or "").strip() else None
            name = (row.get("name") or "").strip()
            if not name:
                raise ValueError("名称为空")
            lat = float(row["lat"]) if (row.get("lat") or "").strip() else None
            lon = float(row["lon"]) if (row.get("lon") or "").strip() else None
            if lat is not None and not -90 <= lat <= 90 or lon is not None and not -180 <= lon <= 180:
                raise ValueError("经纬度超出范围")
            parent = existing.get(parent_code) if parent_code else None
            if parent_code and parent is None:
                raise ValueError(f"上级区划 {parent_code} 不存在")
            level = level_of(code)
            if parent is not None and parent.level == level:
                raise ValueError("与上级区划层级相同")
        except (ValueError, KeyError) as exc:
            report.errors.append(f"第{lineno}行: {exc}")
            continue
        division = existing.get(code)
        if division is None:
            division = Division(code=code, level=level, path="")
            existing[code] = division
            report.created += 1
        else:
            report.updated += 1
        division.name, division.lat, division.lon, division.parent = name, lat, lon, parent
        pending.append(division)
    if report.errors:
        db.session.rollback()
        raise DivisionFileError(report.errors)
    db.session.add_all(pending)
    db.session.flush()
    for division in pending:  # parents precede children, so their paths are ready
        division.path = (division.parent.path if division.parent else "/") + f"{division.id}/"
    db.session.commit()
    return report


def subtree(root: Division, level: str | None = None) -> sa.Select:
    """Select the divisions under ``root`` (inclusive), optionally only one level."""
    stmt = sa.select(Division).where(Division.within(root))
    if level:
        stmt = stmt.where(Division.level == level)
    return stmt.order_by(Division.code)
