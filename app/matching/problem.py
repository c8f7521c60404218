"""The matching problem: parameters, people, strict parsing of the exchange format.

A :class:`Problem` is columnar (numpy arrays, one entry per child / volunteer) so that a
prefecture of 100,000 children is cheap to hold and to turn into a candidate graph. It is
built either from the exchange format (:meth:`Problem.from_dict`, :meth:`Problem.from_json`,
:func:`load_problem`) or from Python objects (:meth:`Problem.from_objects` with
:class:`Child` / :class:`Volunteer`); both go through the same strict validation and raise
:class:`ProblemError` with a message naming the offending record, e.g.
``children[12] (id "c12"): unknown category "foo"``.

Derived rules (PROBLEM.md): tier, required skills, age band.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

CATEGORIES = ("no_guardian", "one_parent_incapable", "dropout", "no_hukou", "ill", "disabled")
SKILLS = ("tutor_primary", "tutor_secondary", "psych", "disability_care", "health",
          "legal_hukou", "guardianship", "dropout_return")
TIERS = ("normal", "key", "urgent")  # tier codes 0, 1, 2 (higher = more urgent)
AGE_BANDS = ("0-5", "6-13", "14-16")  # band codes 0, 1, 2
GENDERS = ("male", "female")  # prefer_gender codes 0, 1 (-1: no preference)

CAT_BIT = {name: 1 << k for k, name in enumerate(CATEGORIES)}
SKILL_BIT = {name: 1 << k for k, name in enumerate(SKILLS)}
BAND_CODE = {name: k for k, name in enumerate(AGE_BANDS)}
GENDER_CODE = {name: k for k, name in enumerate(GENDERS)}

URGENT_CATS = CAT_BIT["no_guardian"] | CAT_BIT["one_parent_incapable"]
KEY_CATS = CAT_BIT["dropout"] | CAT_BIT["no_hukou"] | CAT_BIT["ill"] | CAT_BIT["disabled"]

EARTH_RADIUS_KM = 6371.0088
MAX_PARAM = 10**12  # keeps every objective far inside int64 (and OR-Tools' cost scaling)

DEFAULT_UNMATCHED = {"normal": 100_000, "key": 1_000_000, "urgent": 10_000_000}


class ProblemError(ValueError):
    """A malformed problem; the message names the offending record."""


# --------------------------------------------------------------------------------------------
# Derived rules (scalar versions; the vectorised ones live in Problem)
# --------------------------------------------------------------------------------------------

def mask_of(names: Iterable[str], bits: Mapping[str, int]) -> int:
    m = 0
    for n in names:
        m |= bits[n]
    return m


def names_of(mask: int, names: Sequence[str]) -> list[str]:
    return [n for k, n in enumerate(names) if mask >> k & 1]


def tier_code(cat_mask: int) -> int:
    if cat_mask & URGENT_CATS:
        return 2
    if cat_mask & KEY_CATS:
        return 1
    return 0


def required_mask(cat_mask: int) -> int:
    r = 0
    if cat_mask & URGENT_CATS:
        r |= SKILL_BIT["guardianship"]
    if cat_mask & CAT_BIT["disabled"]:
        r |= SKILL_BIT["disability_care"]
    if cat_mask & CAT_BIT["ill"]:
        r |= SKILL_BIT["health"]
    if cat_mask & CAT_BIT["dropout"]:
        r |= SKILL_BIT["dropout_return"]
    return r


def band_code(age: int) -> int:
    return 0 if age <= 5 else (1 if age <= 13 else 2)


def tier_of(categories: Iterable[str]) -> str:
    """``urgent``, ``key`` or ``normal`` for a list of category names."""
    return TIERS[tier_code(mask_of(categories, CAT_BIT))]


def required_skills_of(categories: Iterable[str]) -> list[str]:
    return names_of(required_mask(mask_of(categories, CAT_BIT)), SKILLS)


def age_band_of(age: int) -> str:
    return AGE_BANDS[band_code(age)]


# --------------------------------------------------------------------------------------------
# Value objects (what the web application builds a problem from)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Params:
    gender_rule: bool = True
    girl_age: int = 10
    missing_need_cost: int = 3000
    preference_cost: int = 2000
    unmatched_cost: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_UNMATCHED))
    churn_cost: int = 50000

    def unmatched_costs(self) -> np.ndarray:
        """Unmatched cost per tier code (normal, key, urgent) as int64."""
        return np.array([self.unmatched_cost[t] for t in TIERS], dtype=np.int64)

    def to_dict(self) -> dict:
        return {"gender_rule": self.gender_rule, "girl_age": self.girl_age,
                "missing_need_cost": self.missing_need_cost,
                "preference_cost": self.preference_cost,
                "unmatched_cost": {t: self.unmatched_cost[t] for t in TIERS},
                "churn_cost": self.churn_cost}


@dataclass(frozen=True)
class Child:
    id: str
    lat: float
    lon: float
    county: str
    female: bool
    age: int
    categories: Sequence[str] = ()
    needs: Sequence[str] = ()

    @property
    def tier(self) -> str:
        return tier_of(self.categories)

    @property
    def required_skills(self) -> list[str]:
        return required_skills_of(self.categories)

    @property
    def age_band(self) -> str:
        return age_band_of(self.age)

    def to_dict(self) -> dict:
        return {"id": self.id, "lat": self.lat, "lon": self.lon, "county": self.county,
                "female": self.female, "age": self.age,
                "categories": _as_list(self.categories), "needs": _as_list(self.needs)}


@dataclass(frozen=True)
class Volunteer:
    id: str
    lat: float
    lon: float
    county: str
    female: bool
    capacity: int
    max_km: float
    cross_county: bool = False
    skills: Sequence[str] = ()
    prefer_gender: str | None = None
    prefer_age_band: str | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "lat": self.lat, "lon": self.lon, "county": self.county,
                "female": self.female, "capacity": self.capacity, "max_km": self.max_km,
                "cross_county": self.cross_county, "skills": _as_list(self.skills),
                "prefer_gender": self.prefer_gender, "prefer_age_band": self.prefer_age_band}


def _as_list(x):
    if isinstance(x, (set, frozenset)):
        return sorted(x)
    if isinstance(x, (list, tuple)):
        return list(x)
    return x  # left for the validator to reject


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------

CHILD_KEYS = frozenset(("id", "lat", "lon", "county", "female", "age", "categories", "needs"))
VOL_KEYS = frozenset(("id", "lat", "lon", "county", "female", "capacity", "max_km",
                      "cross_county", "skills", "prefer_gender", "prefer_age_band"))
PAIR_KEYS = frozenset(("child", "volunteer"))
TOP_KEYS = frozenset(("params", "children", "volunteers", "existing_pairs"))
PARAM_KEYS = frozenset(("gender_rule", "girl_age", "missing_need_cost", "preference_cost",
                        "unmatched_cost", "churn_cost"))


def _where(kind: str, idx: int, rec: Any) -> str:
    if isinstance(rec, dict):
        rid = rec.get("id")
        if isinstance(rid, str):
            return f'{kind}[{idx}] (id {json.dumps(rid, ensure_ascii=False)})'
    return f"{kind}[{idx}]"


def _q(x: Any) -> str:
    try:
        return json.dumps(x, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(x)


def _key_error(where: str, rec: dict, allowed: frozenset, required: frozenset) -> ProblemError:
    unknown = sorted(str(k) for k in rec.keys() - allowed)
    if unknown:
        return ProblemError(f"{where}: unknown field {_q(unknown[0])}")
    missing = sorted(required - rec.keys())
    return ProblemError(f"{where}: missing field {_q(missing[0])}")


def _type_name(x: Any) -> str:
    if x is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "object"}.get(type(x), type(x).__name__)


def _bad(where: str, fld: str, want: str, got: Any) -> ProblemError:
    return ProblemError(f"{where}: field {_q(fld)} must be {want}, got {_type_name(got)} {_q(got)}")


def _number(where, fld, x, lo, hi) -> float:
    t = type(x)
    if t is not float and t is not int:
        raise _bad(where, fld, "a number", x)
    if not (lo <= x <= hi):  # NaN fails too
        raise ProblemError(f"{where}: field {_q(fld)} = {_q(x)} is out of range [{lo}, {hi}]")
    return float(x)


def _int(where, fld, x, lo, hi) -> int:
    if type(x) is not int:
        raise _bad(where, fld, "an integer", x)
    if not (lo <= x <= hi):
        raise ProblemError(f"{where}: field {_q(fld)} = {x} is out of range [{lo}, {hi}]")
    return x


def _bool(where, fld, x) -> bool:
    if type(x) is not bool:
        raise _bad(where, fld, "true or false", x)
    return x


def _id(where, fld, x) -> str:
    if type(x) is not str or not x:
        raise _bad(where, fld, "a non-empty string", x)
    return x


def _mask(kind, idx, rec, fld, x, bits: Mapping[str, int], what: str) -> int:
    """Bitmask of a list of names; ``kind[idx]`` / ``rec`` name the record on error."""
    if type(x) is not list:
        raise _bad(_where(kind, idx, rec), fld, "an array", x)
    m = 0
    for s in x:
        b = bits.get(s) if type(s) is str else None
        if b is None:
            raise ProblemError(f"{_where(kind, idx, rec)}: unknown {what} {_q(s)}")
        if m & b:
            raise ProblemError(f"{_where(kind, idx, rec)}: duplicate {what} {_q(s)}")
        m |= b
    return m


def parse_params(p: Any) -> Params:
    if p is None:
        return Params()
    if type(p) is not dict:
        raise ProblemError(f"params: must be an object, got {_type_name(p)}")
    if not p.keys() <= PARAM_KEYS:
        raise _key_error("params", p, PARAM_KEYS, frozenset())
    w = "params"
    kw: dict[str, Any] = {}
    if "gender_rule" in p:
        kw["gender_rule"] = _bool(w, "gender_rule", p["gender_rule"])
    if "girl_age" in p:
        kw["girl_age"] = _int(w, "girl_age", p["girl_age"], 0, 1000)
    for k in ("missing_need_cost", "preference_cost", "churn_cost"):
        if k in p:
            kw[k] = _int(w, k, p[k], 0, MAX_PARAM)
    if "unmatched_cost" in p:
        u = p["unmatched_cost"]
        if type(u) is not dict:
            raise _bad(w, "unmatched_cost", "an object", u)
        if not u.keys() <= set(TIERS):
            raise _key_error("params.unmatched_cost", u, frozenset(TIERS), frozenset())
        uc = dict(DEFAULT_UNMATCHED)
        for t in TIERS:
            if t in u:
                uc[t] = _int("params.unmatched_cost", t, u[t], 0, MAX_PARAM)
        kw["unmatched_cost"] = uc
    return Params(**kw)


# --------------------------------------------------------------------------------------------
# The problem (columnar)
# --------------------------------------------------------------------------------------------

class Problem:
    """A validated matching problem held as numpy columns.

    Children ``i`` (0..n_children-1) and volunteers ``j`` (0..n_volunteers-1) are addressed by
    position; ``child_ids`` / ``volunteer_ids`` give their ids. Child and volunteer ids live in
    separate namespaces. Existing pairs are ``ex_child[k], ex_vol[k]`` (positions).
    """

    def __init__(self, params: Params, child_ids: list[str], volunteer_ids: list[str],
                 counties: list[str], cols: dict[str, np.ndarray],
                 ex_child: np.ndarray, ex_vol: np.ndarray):
        self.params = params
        self.child_ids = child_ids
        self.volunteer_ids = volunteer_ids
        self.counties = counties  # county code -> county string
        for k, v in cols.items():
            setattr(self, k, v)
        self.ex_child = ex_child
        self.ex_vol = ex_vol
        self._cidx: dict[str, int] | None = None
        self._vidx: dict[str, int] | None = None

    # columns (declared for readers and type checkers)
    c_lat: np.ndarray       # float64 degrees
    c_lon: np.ndarray
    c_county: np.ndarray    # int32 code into counties
    c_female: np.ndarray    # bool
    c_age: np.ndarray       # int64
    c_cats: np.ndarray      # uint16 bitmask over CATEGORIES
    c_needs: np.ndarray     # uint16 bitmask over SKILLS
    c_tier: np.ndarray      # int8: 0 normal, 1 key, 2 urgent
    c_req: np.ndarray       # uint16 bitmask of required skills
    c_band: np.ndarray      # int8 age band code
    v_lat: np.ndarray
    v_lon: np.ndarray
    v_county: np.ndarray
    v_female: np.ndarray
    v_cap: np.ndarray       # int64
    v_max_km: np.ndarray    # float64
    v_cross: np.ndarray     # bool
    v_skills: np.ndarray    # uint16 bitmask over SKILLS
    v_pref_gender: np.ndarray  # int8: -1 none, 0 male, 1 female
    v_pref_band: np.ndarray    # int8: -1 none, else band code

    # ---- sizes and lookups -----------------------------------------------------------------
    @property
    def n_children(self) -> int:
        return len(self.child_ids)

    @property
    def n_volunteers(self) -> int:
        return len(self.volunteer_ids)

    @property
    def child_index(self) -> dict[str, int]:
        if self._cidx is None:
            self._cidx = {cid: i for i, cid in enumerate(self.child_ids)}
        return self._cidx

    @property
    def volunteer_index(self) -> dict[str, int]:
        if self._vidx is None:
            self._vidx = {vid: j for j, vid in enumerate(self.volunteer_ids)}
        return self._vidx

    def girl_rule_mask(self) -> np.ndarray:
        """Children who may only be paired with a female volunteer (safeguarding)."""
        p = self.params
        if not p.gender_rule:
            return np.zeros(self.n_children, dtype=bool)
        return self.c_female & (self.c_age >= p.girl_age)

    def child(self, i: int) -> Child:
        return Child(id=self.child_ids[i], lat=float(self.c_lat[i]), lon=float(self.c_lon[i]),
                     county=self.counties[self.c_county[i]], female=bool(self.c_female[i]),
                     age=int(self.c_age[i]), categories=names_of(int(self.c_cats[i]), CATEGORIES),
                     needs=names_of(int(self.c_needs[i]), SKILLS))

    def volunteer(self, j: int) -> Volunteer:
        pg = int(self.v_pref_gender[j])
        pb = int(self.v_pref_band[j])
        return Volunteer(id=self.volunteer_ids[j], lat=float(self.v_lat[j]),
                         lon=float(self.v_lon[j]), county=self.counties[self.v_county[j]],
                         female=bool(self.v_female[j]), capacity=int(self.v_cap[j]),
                         max_km=float(self.v_max_km[j]), cross_county=bool(self.v_cross[j]),
                         skills=names_of(int(self.v_skills[j]), SKILLS),
                         prefer_gender=GENDERS[pg] if pg >= 0 else None,
                         prefer_age_band=AGE_BANDS[pb] if pb >= 0 else None)

    def to_dict(self) -> dict:
        """The exchange format (round-trips through :meth:`from_dict`)."""
        return {"params": self.params.to_dict(),
                "children": [self.child(i).to_dict() for i in range(self.n_children)],
                "volunteers": [self.volunteer(j).to_dict() for j in range(self.n_volunteers)],
                "existing_pairs": [{"child": self.child_ids[c], "volunteer": self.volunteer_ids[v]}
                                   for c, v in zip(self.ex_child.tolist(), self.ex_vol.tolist())]}

    def __repr__(self) -> str:
        return (f"Problem({self.n_children} children, {self.n_volunteers} volunteers, "
                f"{len(self.ex_child)} existing pairs)")

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def from_json(cls, text: str | bytes) -> "Problem":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ProblemError(f"invalid JSON: {e}") from None
        except UnicodeDecodeError as e:
            raise ProblemError(f"invalid JSON: not UTF-8 ({e})") from None
        return cls.from_dict(data)

    @classmethod
    def from_objects(cls, children: Iterable[Child], volunteers: Iterable[Volunteer],
                     existing_pairs: Iterable[tuple[str, str]] = (),
                     params: Params | None = None) -> "Problem":
        """Build from :class:`Child` / :class:`Volunteer` objects and ``(child_id,
        volunteer_id)`` tuples (same validation as the exchange format)."""
        data = {
            "params": (params or Params()).to_dict(),
            "children": [c.to_dict() for c in children],
            "volunteers": [v.to_dict() for v in volunteers],
            "existing_pairs": [{"child": c, "volunteer": v} for c, v in existing_pairs],
        }
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any) -> "Problem":
        if type(data) is not dict:
            raise ProblemError(f"problem: must be a JSON object, got {_type_name(data)}")
        if not data.keys() <= TOP_KEYS or not {"children", "volunteers"} <= data.keys():
            raise _key_error("problem", data, TOP_KEYS, frozenset(("children", "volunteers")))
        params = parse_params(data.get("params"))
        children = data["children"]
        volunteers = data["volunteers"]
        if type(children) is not list:
            raise ProblemError(f"children: must be an array, got {_type_name(children)}")
        if type(volunteers) is not list:
            raise ProblemError(f"volunteers: must be an array, got {_type_name(volunteers)}")
        pairs = data.get("existing_pairs", [])
        if type(pairs) is not list:
            raise ProblemError(f"existing_pairs: must be an array, got {_type_name(pairs)}")

        county_code: dict[str, int] = {}
        cc = county_code.setdefault

        # ---- children
        n = len(children)
        cid: list[str] = []
        cidx: dict[str, int] = {}
        lat = [0.0] * n
        lon = [0.0] * n
        cty = [0] * n
        fem = [False] * n
        age = [0] * n
        cats = [0] * n
        needs = [0] * n
        for i, r in enumerate(children):
            if type(r) is not dict:
                raise ProblemError(f"children[{i}]: must be an object, got {_type_name(r)}")
            if r.keys() != CHILD_KEYS:
                raise _key_error(_where("children", i, r), r, CHILD_KEYS, CHILD_KEYS)
            x = r["id"]
            if type(x) is not str or not x:
                raise _bad(f"children[{i}]", "id", "a non-empty string", x)
            if x in cidx:
                raise ProblemError(f"{_where('children', i, r)}: duplicate id "
                                   f"(also children[{cidx[x]}])")
            cidx[x] = i
            cid.append(x)
            x = r["lat"]
            if (type(x) is not float and type(x) is not int) or not -90.0 <= x <= 90.0:
                _number(_where("children", i, r), "lat", x, -90.0, 90.0)
            lat[i] = x
            x = r["lon"]
            if (type(x) is not float and type(x) is not int) or not -180.0 <= x <= 180.0:
                _number(_where("children", i, r), "lon", x, -180.0, 180.0)
            lon[i] = x
            x = r["county"]
            if type(x) is not str or not x:
                raise _bad(_where("children", i, r), "county", "a non-empty string", x)
            cty[i] = cc(x, len(county_code))
            x = r["female"]
            if type(x) is not bool:
                raise _bad(_where("children", i, r), "female", "true or false", x)
            fem[i] = x
            x = r["age"]
            if type(x) is not int or not 0 <= x <= 150:
                _int(_where("children", i, r), "age", x, 0, 150)
            age[i] = x
            x = r["categories"]
            if type(x) is not list or x:
                cats[i] = _mask("children", i, r, "categories", x, CAT_BIT, "category")
            x = r["needs"]
            if type(x) is not list or x:
                needs[i] = _mask("children", i, r, "needs", x, SKILL_BIT, "need")

        # ---- volunteers
        m = len(volunteers)
        vid: list[str] = []
        vidx: dict[str, int] = {}
        vlat = [0.0] * m
        vlon = [0.0] * m
        vcty = [0] * m
        vfem = [False] * m
        cap = [0] * m
        maxkm = [0.0] * m
        cross = [False] * m
        skills = [0] * m
        pgen = [-1] * m
        pband = [-1] * m
        for j, r in enumerate(volunteers):
            if type(r) is not dict:
                raise ProblemError(f"volunteers[{j}]: must be an object, got {_type_name(r)}")
            if r.keys() != VOL_KEYS:
                raise _key_error(_where("volunteers", j, r), r, VOL_KEYS, VOL_KEYS)
            x = r["id"]
            if type(x) is not str or not x:
                raise _bad(f"volunteers[{j}]", "id", "a non-empty string", x)
            if x in vidx:
                raise ProblemError(f"{_where('volunteers', j, r)}: duplicate id "
                                   f"(also volunteers[{vidx[x]}])")
            vidx[x] = j
            vid.append(x)
            w = None
            x = r["lat"]
            if (type(x) is not float and type(x) is not int) or not -90.0 <= x <= 90.0:
                _number(_where("volunteers", j, r), "lat", x, -90.0, 90.0)
            vlat[j] = x
            x = r["lon"]
            if (type(x) is not float and type(x) is not int) or not -180.0 <= x <= 180.0:
                _number(_where("volunteers", j, r), "lon", x, -180.0, 180.0)
            vlon[j] = x
            x = r["county"]
            if type(x) is not str or not x:
                raise _bad(_where("volunteers", j, r), "county", "a non-empty string", x)
            vcty[j] = cc(x, len(county_code))
            x = r["female"]
            if type(x) is not bool:
                raise _bad(_where("volunteers", j, r), "female", "true or false", x)
            vfem[j] = x
            x = r["capacity"]
            if type(x) is not int or not 0 <= x <= 1_000_000:
                if type(x) is int and x < 0:
                    raise ProblemError(f"{_where('volunteers', j, r)}: negative capacity {x}")
                _int(_where("volunteers", j, r), "capacity", x, 0, 1_000_000)
            cap[j] = x
            x = r["max_km"]
            if (type(x) is not float and type(x) is not int) or not 0.0 <= x <= 20040.0:
                _number(_where("volunteers", j, r), "max_km", x, 0.0, 20040.0)
            maxkm[j] = x
            x = r["cross_county"]
            if type(x) is not bool:
                raise _bad(_where("volunteers", j, r), "cross_county", "true or false", x)
            cross[j] = x
            x = r["skills"]
            if type(x) is not list or x:
                skills[j] = _mask("volunteers", j, r, "skills", x, SKILL_BIT, "skill")
            x = r["prefer_gender"]
            if x is not None:
                w = GENDER_CODE.get(x) if type(x) is str else None
                if w is None:
                    raise _bad(_where("volunteers", j, r), "prefer_gender",
                               '"female", "male" or null', x)
                pgen[j] = w
            x = r["prefer_age_band"]
            if x is not None:
                w = BAND_CODE.get(x) if type(x) is str else None
                if w is None:
                    raise _bad(_where("volunteers", j, r), "prefer_age_band",
                               '"0-5", "6-13", "14-16" or null', x)
                pband[j] = w

        # ---- existing pairs
        exc = [0] * len(pairs)
        exv = [0] * len(pairs)
        seen: dict[tuple[int, int], int] = {}
        for k, r in enumerate(pairs):
            where = f"existing_pairs[{k}]"
            if type(r) is not dict:
                raise ProblemError(f"{where}: must be an object, got {_type_name(r)}")
            if r.keys() != PAIR_KEYS:
                raise _key_error(where, r, PAIR_KEYS, PAIR_KEYS)
            c, v = r["child"], r["volunteer"]
            if type(c) is not str:
                raise _bad(where, "child", "a string", c)
            if type(v) is not str:
                raise _bad(where, "volunteer", "a string", v)
            ci = cidx.get(c)
            if ci is None:
                raise ProblemError(f"{where}: unknown child id {_q(c)}")
            vj = vidx.get(v)
            if vj is None:
                raise ProblemError(f"{where}: unknown volunteer id {_q(v)}")
            if (ci, vj) in seen:
                raise ProblemError(f"{where}: duplicate pair ({_q(c)}, {_q(v)}) "
                                   f"(also existing_pairs[{seen[ci, vj]}])")
            seen[ci, vj] = k
            exc[k] = ci
            exv[k] = vj

        cats_a = np.array(cats, dtype=np.uint16)
        cols = dict(
            c_lat=np.array(lat, dtype=np.float64), c_lon=np.array(lon, dtype=np.float64),
            c_county=np.array(cty, dtype=np.int32), c_female=np.array(fem, dtype=bool),
            c_age=np.array(age, dtype=np.int64), c_cats=cats_a,
            c_needs=np.array(needs, dtype=np.uint16),
            v_lat=np.array(vlat, dtype=np.float64), v_lon=np.array(vlon, dtype=np.float64),
            v_county=np.array(vcty, dtype=np.int32), v_female=np.array(vfem, dtype=bool),
            v_cap=np.array(cap, dtype=np.int64), v_max_km=np.array(maxkm, dtype=np.float64),
            v_cross=np.array(cross, dtype=bool), v_skills=np.array(skills, dtype=np.uint16),
            v_pref_gender=np.array(pgen, dtype=np.int8), v_pref_band=np.array(pband, dtype=np.int8),
        )
        cols.update(derive_child_columns(cats_a, cols["c_age"]))
        prob = cls(params, cid, vid, list(county_code), cols,
                   np.array(exc, dtype=np.int32), np.array(exv, dtype=np.int32))
        prob._cidx = cidx
        prob._vidx = vidx
        return prob


def derive_child_columns(cats: np.ndarray, age: np.ndarray) -> dict[str, np.ndarray]:
    """Tier, required skills and age band (vectorised derived rules)."""
    urgent = (cats & URGENT_CATS) != 0
    key = (cats & KEY_CATS) != 0
    tier = np.where(urgent, 2, np.where(key, 1, 0)).astype(np.int8)
    req = np.zeros(cats.shape, dtype=np.uint16)
    req |= np.where(urgent, SKILL_BIT["guardianship"], 0).astype(np.uint16)
    req |= np.where(cats & CAT_BIT["disabled"], SKILL_BIT["disability_care"], 0).astype(np.uint16)
    req |= np.where(cats & CAT_BIT["ill"], SKILL_BIT["health"], 0).astype(np.uint16)
    req |= np.where(cats & CAT_BIT["dropout"], SKILL_BIT["dropout_return"], 0).astype(np.uint16)
    band = np.where(age <= 5, 0, np.where(age <= 13, 1, 2)).astype(np.int8)
    return {"c_tier": tier, "c_req": req, "c_band": band}


def load_problem(path: str) -> Problem:
    """Read and validate a problem file (raises :class:`ProblemError`, or ``OSError``)."""
    with open(path, "rb") as f:
        raw = f.read()
    return Problem.from_json(raw)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km on the sphere of radius 6371.0088 km (vectorised)."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - lon1)
    h = np.sin(dp * 0.5) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl * 0.5) ** 2
    return (2.0 * EARTH_RADIUS_KM) * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def unit_xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (chord length is monotone in great-circle distance)."""
    la = np.radians(lat)
    lo = np.radians(lon)
    c = np.cos(la)
    return np.column_stack((c * np.cos(lo), c * np.sin(lo), np.sin(la)))


def km_to_chord(km) -> np.ndarray:
    return 2.0 * np.sin(np.minimum(np.asarray(km, dtype=np.float64) / EARTH_RADIUS_KM, math.pi)
                        * 0.5)
