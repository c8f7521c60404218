"""Build the demo county. Deterministic: the same code always builds the same data."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from app.auth.models import User
from app.auth.passwords import hash_password
from app.children.models import Child
from app.core.dates import today_cn
from app.core.divisions import load_divisions_csv
from app.core.idcard import make_id_number
from app.core.models import Division, Organisation
from app.extensions import db
from app.matching.models import Pair
from app.protection.demo import seed_protection
from app.volunteers.models import Volunteer
from app.activities.demo import seed_activities
from app.children.demo import seed_registry
from app.children.services import apply_derived, refresh_search_keys
from app.families.demo import seed_families
from app.homes.demo import seed_homes
from app.notify.demo import seed_notify
from app.plans.demo import seed_plans
from app.reports.demo import seed_reports
from app.rounds.demo import seed_rounds
from app.school.demo import seed_school

DEMO_PASSWORD = "xiangban-demo"
DIVISIONS_CSV = Path(__file__).parent / "data" / "cengong_divisions.csv"
COUNTY_CODE = "522626000000"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "子涵梓轩浩宇欣怡诗琪雨桐佳琪思远俊杰嘉怡晨曦明轩若曦一诺可馨语嫣天佑文博佳怡雅琴志强秀英丽华建国海燕春梅桂兰"
ETHNICITIES = ["汉族"] * 13 + ["侗族"] * 4 + ["苗族"] * 2 + ["土家族", "布依族"]
WORK_PLACES = ["广东省东莞市", "广东省广州市", "广东省深圳市", "浙江省杭州市", "浙江省宁波市", "福建省泉州市",
               "上海市", "江苏省苏州市", "贵州省贵阳市"]
RELATIONS = ["祖父", "祖母", "外祖父", "外祖母", "伯父", "叔叔", "姑姑", "舅舅"]


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "151", "158", "177", "182", "187"]) + f"{rng.randrange(10**8):08d}"


def _birth(rng: random.Random, today: date, min_age: int, max_age: int) -> date:
    start = date(today.year - max_age - 1, today.month, 1) + timedelta(days=40)
    end = date(today.year - min_age, today.month, 1) - timedelta(days=5)
    return start + timedelta(days=rng.randrange((end - start).days))


def _schooling(age: int, rng: random.Random) -> str:
    if age <= 2:
        return "not_in_kindergarten"
    if age <= 5:
        return rng.choice(["kindergarten", "kindergarten", "not_in_kindergarten"])
    if age <= 11:
        return "primary"
    if age <= 14:
        return rng.choices(["junior", "dropped_out"], [40, 1])[0]
    return rng.choices(["senior", "vocational", "dropped_out", "not_in_school"], [10, 6, 1, 1])[0]


def seed(children: int = 300, volunteers: int = 120) -> dict[str, int]:
    """Create the demo county, its people and pairs. Returns counts by kind.

    :raise RuntimeError: if the database already holds the demo county's users.
    """

    if db.session.scalar(sa.select(User).where(User.username == "admin")):
        raise RuntimeError("演示数据已存在")
    rng = random.Random(20261122)
    today = today_cn()
    load_divisions_csv(DIVISIONS_CSV.read_text(encoding="utf-8"))
    county = db.session.scalar(sa.select(Division).where(Division.code == COUNTY_CODE))
    townships = db.session.scalars(sa.select(Division).where(Division.parent_id == county.id)
                                   .order_by(Division.code)).all()
    villages = {t.id: db.session.scalars(sa.select(Division).where(Division.parent_id == t.id)
                                         .order_by(Division.code)).all() for t in townships}

    orgs = {
        "womens_federation": Organisation(name="岑巩县妇联", kind="womens_federation", division=county,
                                          person_in_charge="杨红梅", contact_person="吴晓燕", contact_phone="0855-3571234"),
        "youth_league": Organisation(name="共青团岑巩县委", kind="youth_league", division=county,
                                     person_in_charge="龙志刚", contact_person="石磊", contact_phone="0855-3572345"),
        "five_elders": Organisation(name="岑巩县关工委", kind="five_elders", division=county,
                                    person_in_charge="田德厚", contact_person="杨光明", contact_phone="0855-3573456"),
        "civil_affairs": Organisation(name="岑巩县民政局", kind="civil_affairs", division=county,
                                      person_in_charge="张建华", contact_person="刘芳", contact_phone="0855-3574567"),
    }
    db.session.add_all(orgs.values())
    schools = {}
    for t in townships:
        schools[(t.id, "primary")] = Organisation(name=f"{t.name}中心小学", kind="school", division=t,
                                                  person_in_charge=_name(rng), contact_phone=_phone(rng))
        schools[(t.id, "junior")] = Organisation(name=f"{t.name}中学", kind="school", division=t,
                                                 person_in_charge=_name(rng), contact_phone=_phone(rng))
    db.session.add_all(schools.values())
    db.session.flush()

    # Children: a few villages carry more children, as in real counties.
    all_villages = [v for t in townships for v in villages[t.id]]
    weights = [3 if i % 5 == 0 else 1 for i in range(len(all_villages))]
    focus_village = villages[townships[1].id][1]  # 水尾镇鱼塘村: the demo director's village
    kids: list[Child] = []
    for n in range(children):
        village = focus_village if n < 14 else rng.choices(all_villages, weights)[0]
        township = village.parent
        age = rng.randint(0, 15)
        birth = _birth(rng, today, age, age)
        sex = rng.choice(["male", "female"])
        seq = rng.randrange(0, 500) * 2 + (1 if sex == "male" else 0)
        surname = rng.choice(SURNAMES)
        name = surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        schooling = _schooling(age, rng)
        both_away = rng.random() < 0.72
        guardianship = rng.choices(["good", "fair", "entrusted_weak", "parent_incapable", "none"],
                                   [40, 40, 8, 0 if both_away else 10, 3])[0]
        if not both_away and guardianship != "parent_incapable":
            guardianship = "parent_incapable"
        school = None
        if schooling == "primary":
            school = schools[(township.id, "primary")]
        elif schooling == "junior":
            school = schools[(township.id, "junior")]
        health = rng.choices(["healthy", "ill", "disabled"], [90, 6, 4])[0]
        child = Child(
            name=name, sex=sex, ethnicity=rng.choice(ETHNICITIES), birth_date=birth,
            id_number=make_id_number("522626", birth, seq), has_hukou=True,
            registered_address=f"贵州省黔东南州岑巩县{township.name}{village.name}",
            current_address=f"岑巩县{township.name}{village.name}{rng.randint(1, 12)}组", division=village,
            health=health, illness=rng.choice(["哮喘", "癫痫", "先天性心脏病"]) if health == "ill" else None,
            disability=rng.choice(["肢体二级", "听力三级", "智力二级"]) if health == "disabled" else None,
            schooling=schooling, school=school,
            school_name=school.name if school else (f"{township.name}中心幼儿园" if schooling == "kindergarten" else None),
            grade=f"{age - 5}年级" if schooling == "primary" else None, boarding=schooling == "junior" and rng.random() < .4,
            father_name=surname + rng.choice(GIVEN) + rng.choice(GIVEN), father_work_place=rng.choice(WORK_PLACES),
            father_phone=_phone(rng), mother_name=_name(rng),
            mother_work_place=rng.choice(WORK_PLACES) if both_away else None, mother_phone=_phone(rng),
            both_parents_away=both_away, one_parent_away_other_incapable=not both_away,
            incapable_parent=None if both_away else "mother",
            guardian_name=None if guardianship == "none" else surname + rng.choice(GIVEN) + rng.choice(GIVEN),
            guardian_relation=None if guardianship == "none" else rng.choice(RELATIONS),
            guardian_phone=None if guardianship == "none" else _phone(rng),
            guardianship_type=guardianship,
            income_sources=rng.sample(["wages", "farming", "government", "relatives"], rng.randint(1, 2)),
            assistance=[rng.choice(["subsistence", "medical", "housing", "temporary", "none"])],
            village_contact_name=_name(rng), village_contact_phone=_phone(rng),
            needs=rng.sample(["tutor_primary" if age < 12 else "tutor_secondary", "psych"], rng.randint(1, 2)),
        )
        if age < 14:
            child.consent_guardian_name = child.guardian_name or child.father_name
            child.consent_date = today - timedelta(days=rng.randint(30, 400))
        apply_derived(child, today)
        refresh_search_keys(child)
        kids.append(child)
    db.session.add_all(kids)
    db.session.flush()

    # Volunteers of all four kinds.
    kinds = (["loving_mother"] * 40 + ["five_elder"] * 25 + ["teacher"] * 35 + ["youth"] * 20)[:volunteers]
    vols: list[Volunteer] = []
    for n, kind in enumerate(kinds):
        township = townships[n % len(townships)]
        village = villages[township.id][n % 6]
        female = kind == "loving_mother" or (kind != "five_elder" and rng.random() < .5)
        birth = _birth(rng, today, 22 if kind in ("youth", "teacher") else 35, 30 if kind == "youth" else 70)
        if kind == "five_elder":
            birth = _birth(rng, today, 60, 75)
        org = (schools[(township.id, "primary")] if kind == "teacher" else
               orgs["womens_federation"] if kind == "loving_mother" else
               orgs["five_elders"] if kind == "five_elder" else orgs["youth_league"])
        skills = {"loving_mother": ["psych", "guardianship", "health"], "five_elder": ["tutor_primary", "guardianship", "dropout_return"],
                  "teacher": ["tutor_primary", "tutor_secondary", "psych", "dropout_return"], "youth": ["tutor_primary", "psych"]}[kind]
        if rng.random() < .2:
            skills = skills + ["disability_care"]
        status = "approved" if n % 12 else rng.choice(["applied", "paused"])
        vol = Volunteer(
            kind=kind, organisation=org, name=_name(rng), sex="female" if female else "male", birth_date=birth,
            id_number=make_id_number("522626", birth, rng.randrange(0, 500) * 2 + (0 if female else 1)),
            phone=_phone(rng), division=village, capacity={"teacher": 4, "five_elder": 2}.get(kind, rng.choice([1, 2, 2, 3])),
            max_km=float(rng.choice([5, 8, 10, 15, 20])), cross_county=rng.random() < .03, skills=skills,
            status=status, volunteer_number=f"GZ522626{n + 1:05d}",
            background_check_date=today - timedelta(days=200) if status != "applied" else None,
            background_check_result="无记录" if status != "applied" else None,
            training_completed_at=today - timedelta(days=180) if status != "applied" else None,
            code_of_conduct_accepted_at=datetime.combine(today - timedelta(days=180), time(9), timezone.utc)
            if status != "applied" else None,
        )
        vols.append(vol)
    db.session.add_all(vols)
    db.session.flush()

    users = _demo_users(county, townships, focus_village, orgs, schools, vols)
    pairs = _demo_pairs(rng, kids, vols, today)

    db.session.flush()
    seed_activities(20261122, today)
    seed_school(today)
    seed_registry(today)
    seed_homes(today)
    seed_families(today)
    seed_rounds(today)
    seed_plans(today)
    seed_protection(today)
    seed_reports(today)
    seed_notify(today)
    db.session.commit()
    return {"divisions": db.session.scalar(sa.select(sa.func.count()).select_from(Division)),
            "children": len(kids), "volunteers": len(vols), "pairs": pairs, "users": users}


def _demo_users(county, townships, focus_village, orgs, schools, vols) -> int:
    password_hash = hash_password(DEMO_PASSWORD)
    shuiwei = townships[1]
    demo_volunteer = next(v for v in vols if v.kind == "loving_mother" and v.status == "approved"
                          and v.division.parent_id == shuiwei.id)
    specs = [
        ("admin", "系统管理员", "admin", None, None),
        ("coordinator", "吴晓燕（县妇联）", "coordinator", county, orgs["womens_federation"]),
        ("director", "杨秀兰（鱼塘村儿童主任）", "village_director", focus_village, None),
        ("school", "龙老师（水尾镇中心小学）", "school_staff", shuiwei, schools[(shuiwei.id, "primary")]),
        ("volunteer", demo_volunteer.name, "volunteer", demo_volunteer.division, demo_volunteer.organisation),
        ("auditor", "第三方评估组", "auditor", county, None),
        ("supervisor", "田建国（水尾镇儿童督导员）", "township_supervisor", shuiwei, None),
    ]
    for username, display, role, division, org in specs:
        user = User(username=username, display_name=display, role=role, division=division,
                    organisation=org, password_hash=password_hash)
        db.session.add(user)
        if username == "volunteer":
            db.session.flush()
            demo_volunteer.user_id = user.id
            demo_volunteer.capacity = max(demo_volunteer.capacity, 2)
    db.session.flush()
    return len(specs)


def _demo_pairs(rng, kids, vols, today) -> int:
    """Pair each approved volunteer with children of their township, urgent first."""
    by_township: dict[int, list[Child]] = {}
    for child in sorted(kids, key=lambda c: ({"urgent": 0, "key": 1, "normal": 2}[c.tier], c.id)):
        by_township.setdefault(child.division.parent_id, []).append(child)
    taken: set[int] = set()
    count = 0
    for vol in vols:
        if vol.status != "approved":
            continue
        want = vol.capacity if vol.user_id else max(0, vol.capacity - rng.randint(0, 1))
        for child in by_township.get(vol.division.parent_id, []):
            if vol.active_pairs >= want:
                break
            if child.id in taken:
                continue
            if child.sex == "female" and (today.year - child.birth_date.year) >= 10 and vol.sex != "female":
                continue
            taken.add(child.id)
            started = datetime.combine(today - timedelta(days=rng.randint(20, 200)), time(10), timezone.utc)
            db.session.add(Pair(child_id=child.id, volunteer_id=vol.id, status="active", started_at=started))
            vol.active_pairs += 1
            count += 1
    return count
