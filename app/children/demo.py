"""Demo data of the registry: 困境儿童 (one of 17 who is not left-behind, an orphan, a disabled
child), a household of siblings, assistance records with amounts, and households for the demo
village's children. Deterministic for a given day; called once from :mod:`app.demo.seed`."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.children.models import Child, ChildAssistance, Household
from app.children.services import fill_child
from app.core.idcard import make_id_number
from app.core.models import Division
from app.extensions import db


def _years_ago(today: date, years: int, days: int) -> date:
    """A birth date ``years`` whole years (and ``days`` more) before ``today``."""
    try:
        anniversary = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        anniversary = today.replace(year=today.year - years, day=28)
    return anniversary - timedelta(days=days)


def _free_id(born: date, male: bool) -> str:
    """A valid ID number for ``born`` not yet on the registry (sex digit as ``male`` says)."""
    for seq in range(801 if male else 800, 1000, 2):
        number = make_id_number("522626", born, seq)
        if db.session.scalar(sa.select(Child.id).where(Child.id_number == number)) is None:
            return number
    raise RuntimeError("no free demo ID number")


def _base(village: Division, name: str, sex: str, born: date) -> dict:
    township = village.parent
    return {
        "division_id": village.id, "name": name, "sex": sex, "ethnicity": "侗族", "birth_date": born,
        "id_number": _free_id(born, sex == "male"), "has_hukou": True, "rural_hukou": True,
        "registered_address": f"贵州省黔东南州岑巩县{township.name}{village.name}",
        "village_contact_name": "吴村委", "village_contact_phone": "13985501234",
        "income_sources": ["farming"], "immunisation_up_to_date": True,
    }


def _children_of(today: date, village: Division) -> list[tuple[dict, list[dict]]]:
    """(values, assistance rows) of the demo village's new children."""
    group = "3组"
    address = f"岑巩县水尾镇{village.name}{group}"
    siblings_guardian = {"guardian_name": "杨秀英", "guardian_relation": "祖母", "guardian_phone": "13908551122",
                         "current_address": address, "village_group": group, "guardianship_type": "fair",
                         "father_name": "杨国平", "father_work_place": "浙江省宁波市", "father_phone": "13857401234",
                         "mother_name": "龙金花", "mother_work_place": "浙江省宁波市", "mother_phone": "13857405678",
                         "both_parents_away": True, "parents_away_since": date(today.year - 2, 2, 1),
                         "child_category": "left_behind"}
    elder = _years_ago(today, 11, 40)
    younger = _years_ago(today, 7, 100)
    return [
        ({**_base(village, "杨思远", "male", elder), **siblings_guardian, "schooling": "primary", "grade": "五年级",
          "health": "healthy", "consent_guardian_name": "杨秀英", "consent_date": today - timedelta(days=60)}, []),
        ({**_base(village, "杨思琪", "female", younger), **siblings_guardian, "schooling": "primary",
          "grade": "一年级", "health": "healthy", "consent_guardian_name": "杨秀英",
          "consent_date": today - timedelta(days=60)}, []),
        # 17, parents at home but both without capacity (father in prison, mother seriously ill)
        ({**_base(village, "龙建华", "male", _years_ago(today, 17, 90)), "child_category": "difficulty",
          "difficulty_types": [], "father_status": "prison", "mother_status": "ill",  # ② derived from these
          "incapacity_reason": "prison", "both_parents_away": False,
          "one_parent_away_other_incapable": False, "guardianship_type": "entrusted_weak",
          "guardian_name": "龙光明", "guardian_relation": "伯父", "guardian_phone": "13908553344",
          "current_address": f"岑巩县水尾镇{village.name}5组", "village_group": "5组",
          "father_name": "龙志强", "mother_name": "吴小兰", "health": "healthy", "schooling": "vocational",
          "school_name": "岑巩县中等职业学校", "income_sources": ["government"], "assistance": ["de_facto_allowance"]},
         [{"programme": "de_facto_allowance", "amount": Decimal("1000"), "start_date": date(today.year - 1, 1, 1)}]),
        # 16, an orphan cared for by an aunt (分散供养)
        ({**_base(village, "田雨涵", "female", _years_ago(today, 16, 200)), "child_category": "difficulty",
          "is_orphan": True, "orphan_care": "dispersed", "both_parents_away": False,
          "one_parent_away_other_incapable": False, "guardianship_type": "fair", "guardian_name": "田桂兰",
          "guardian_relation": "姑姑", "guardian_phone": "13908555566",
          "current_address": f"岑巩县水尾镇{village.name}2组", "village_group": "2组", "health": "healthy",
          "schooling": "senior", "school_name": "岑巩县第一中学", "assistance": ["orphan_allowance", "education"]},
         [{"programme": "orphan_allowance", "amount": Decimal("1350"), "start_date": date(today.year - 3, 7, 1)},
          {"programme": "education", "amount": Decimal("200"), "start_date": date(today.year, 3, 1),
           "end_date": date(today.year, 12, 31), "note": "普通高中国家助学金"}]),
        # 12, left-behind and disabled: both (自身困境 derived from the disability)
        ({**_base(village, "吴浩然", "male", _years_ago(today, 12, 15)), "child_category": "both",
          "both_parents_away": True, "parents_away_since": date(today.year - 1, 3, 1), "health": "disabled",
          "disability": "肢体二级", "has_disability_certificate": True, "disability_category": "physical",
          "disability_grade": "2", "guardianship_type": "fair", "guardian_name": "吴德明",
          "guardian_relation": "祖父", "guardian_phone": "13908557788", "father_name": "吴建军",
          "father_work_place": "广东省深圳市", "mother_name": "杨丽", "mother_work_place": "广东省深圳市",
          "current_address": f"岑巩县水尾镇{village.name}4组", "village_group": "4组", "schooling": "primary",
          "grade": "六年级", "consent_guardian_name": "吴德明", "consent_date": today - timedelta(days=90),
          "assistance": ["medical"]},
         [{"programme": "medical", "amount": Decimal("500"), "start_date": date(today.year, 1, 1),
           "note": "残疾儿童康复救助"}]),
    ]


def seed_registry(today: date) -> dict[str, int]:
    """Add the demo's 困境儿童 and households; give every demo child's assistance a record."""
    township = sa.select(Division.id).where(Division.name == "水尾镇", Division.level == "township")
    village = db.session.scalar(sa.select(Division).where(Division.name == "鱼塘村",
                                                          Division.parent_id.in_(township)).limit(1))
    counts = {"children": 0, "households": 0, "assistance": 0}
    # the bare programme lists of the generated children become records without amounts
    for child in db.session.scalars(sa.select(Child).order_by(Child.id)):
        for programme in child.assistance or []:
            if programme != "none":
                db.session.add(ChildAssistance(child_id=child.id, programme=programme))
                counts["assistance"] += 1
    if village is None:
        return counts
    siblings: Household | None = None
    for values, rows in _children_of(today, village):
        values = {k: v for k, v in values.items() if v is not None}
        values["assistance_records"] = rows
        child = fill_child(None, values, today)
        if child.name in ("杨思远", "杨思琪"):
            if siblings is None:
                siblings = Household(division_id=village.id, village_group=child.village_group,
                                     head_name=child.guardian_name, guardian_name=child.guardian_name,
                                     guardian_relation=child.guardian_relation, guardian_phone=child.guardian_phone,
                                     address=child.current_address)
                db.session.add(siblings)
                counts["households"] += 1
            child.household = siblings
        else:
            child.household = Household(division_id=village.id, village_group=child.village_group,
                                        head_name=child.guardian_name, guardian_name=child.guardian_name,
                                        guardian_relation=child.guardian_relation,
                                        guardian_phone=child.guardian_phone, address=child.current_address)
            counts["households"] += 1
        db.session.add(child)
        counts["children"] += 1
    db.session.flush()
    return counts
