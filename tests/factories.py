"""Small, explicit builders of test data (real rows in the real database)."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from app.auth.models import User
from app.auth.passwords import hash_password
from app.children.models import Child
from app.children.services import apply_derived, refresh_search_keys
from app.core.dates import today_cn
from app.core.idcard import make_id_number
from app.core.models import Division, Organisation
from app.extensions import db
from app.matching.models import MatchProposal, Pair
from app.volunteers.models import Volunteer

PASSWORD = "secret-pass-1"
_seq = itertools.count(1)


def division(code: str, name: str, parent: Division | None = None, lat=None, lon=None) -> Division:
    level = ("province" if code[2:] == "0" * 10 else "city" if code[4:] == "0" * 8 else
             "county" if code[6:] == "0" * 6 else "township" if code[9:] == "000" else "village")
    d = Division(code=code, name=name, level=level, parent=parent, lat=lat, lon=lon, path="")
    db.session.add(d)
    db.session.flush()
    d.path = (parent.path if parent else "/") + f"{d.id}/"
    return d


def organisation(name: str, kind: str, div: Division) -> Organisation:
    org = Organisation(name=name, kind=kind, division=div)
    db.session.add(org)
    db.session.flush()
    return org


def user(username: str, role: str, div: Division | None = None, org: Organisation | None = None) -> User:
    u = User(username=username, display_name=username, role=role, division=div, organisation=org,
             password_hash=hash_password(PASSWORD))
    db.session.add(u)
    db.session.flush()
    return u


def child(village: Division, name: str = "王小明", sex: str = "male", birth: date | None = None,
          school: Organisation | None = None, **fields) -> Child:
    today = today_cn()
    birth = birth or date(today.year - 9, 3, 15)
    seq = next(_seq) % 500 * 2 + (1 if sex == "male" else 0)
    values = dict(
        name=name, sex=sex, birth_date=birth, id_number=make_id_number("522626", birth, seq), has_hukou=True,
        ethnicity="汉族", division=village, health="healthy", schooling="primary", school=school,
        both_parents_away=True, guardianship_type="fair", guardian_name="王奶奶", guardian_relation="祖母",
        guardian_phone="13812345678", income_sources=["wages"], assistance=["none"],
    )
    values.update(fields)
    c = Child(**values)
    apply_derived(c, today)
    refresh_search_keys(c)
    db.session.add(c)
    db.session.flush()
    return c


def volunteer(village: Division, org: Organisation, name: str = "李爱心", kind: str = "loving_mother",
              status: str = "approved", capacity: int = 2, user_account: User | None = None, **fields) -> Volunteer:
    birth = date(1980, 5, 1)
    v = Volunteer(kind=kind, organisation=org, name=name, sex=fields.pop("sex", "female"), birth_date=birth,
                  id_number=make_id_number("522626", birth, next(_seq) % 500 * 2), phone="13987654321",
                  division=village, capacity=capacity, status=status, skills=fields.pop("skills", ["psych", "guardianship"]),
                  user_id=user_account.id if user_account else None, **fields)
    db.session.add(v)
    db.session.flush()
    return v


def pair(c: Child, v: Volunteer, status: str = "active") -> Pair:
    p = Pair(child_id=c.id, volunteer_id=v.id, status=status, started_at=datetime.now(timezone.utc))
    db.session.add(p)
    if status == "active":
        v.active_pairs += 1
    db.session.flush()
    return p


@dataclass
class Region:
    county: Division
    township: Division
    village: Division
    school: Organisation
    federation: Organisation
    users: dict[str, User] = field(default_factory=dict)
    child: Child | None = None
    pupil: Child | None = None
    volunteer: Volunteer | None = None
    pair: Pair | None = None
    proposal: "MatchProposal | None" = None


@dataclass
class World:
    a: Region
    b: Region
    admin: User

    def user(self, role: str, region: str = "a") -> User:
        return getattr(self, region).users[role]


def build_world() -> World:
    """Region A and region B, each a county with a township, a village, a school, a federation
    branch, one user per role, a paired child and a school pupil. Admin sees both."""
    province = division("520000000000", "贵州省")
    city = division("522600000000", "黔东南州", province)
    regions = []
    for tag, code in (("a", "522626"), ("b", "522627")):
        county = division(f"{code}000000", f"{tag}县", city)
        township = division(f"{code}101000", f"{tag}镇", county, 27.2, 108.8)
        village = division(f"{code}101201", f"{tag}村", township, 27.21, 108.81)
        school = organisation(f"{tag}小学", "school", township)
        fed = organisation(f"{tag}县妇联", "womens_federation", county)
        region = Region(county, township, village, school, fed)
        region.users = {
            "coordinator": user(f"coord_{tag}", "coordinator", county, fed),
            "village_director": user(f"director_{tag}", "village_director", village),
            "school_staff": user(f"school_{tag}", "school_staff", township, school),
            "auditor": user(f"auditor_{tag}", "auditor", county),
            "township_supervisor": user(f"supervisor_{tag}", "township_supervisor", township),
            "volunteer": user(f"vol_{tag}", "volunteer", village, fed),
        }
        region.volunteer = volunteer(village, fed, name=f"志愿者{tag}", user_account=region.users["volunteer"])
        region.child = child(village, name=f"儿童{tag}")
        region.pupil = child(village, name=f"学生{tag}", school=school)
        region.pair = pair(region.child, region.volunteer)
        region.proposal = MatchProposal(division=county, created_by_id=region.users["coordinator"].id, status="draft",
                                        result={"mode": "queue", "pairs": [], "unmatched": {}, "broken": [],
                                                "summary": {t: {"children": 0, "before": 0, "after": 0}
                                                            for t in ("urgent", "key", "normal")},
                                                "optimal": True, "seconds": 0.0, "objective": 0, "skipped": [],
                                                "new_pairs": 0})
        db.session.add(region.proposal)
        regions.append(region)
    admin = user("admin", "admin")
    db.session.commit()
    return World(regions[0], regions[1], admin)
