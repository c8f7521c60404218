"""Strict parsing of the exchange format (docs/matching-problem.md) into numpy columns.

Every error is a :class:`ProblemError` whose message names the offending record, e.g.
``children[12] (id "c12"): unknown category "foo"``. The loops are written out (not generic
per-field validators) because they run once per child at prefecture size.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

import numpy as np

from .rules import (BAND_CODE, CAT_BIT, DEFAULT_UNMATCHED, GENDER_CODE, MAX_PARAM, SKILL_BIT, TIERS,
                    ProblemError, derive_child_columns)
from .values import Params

CHILD_KEYS = frozenset(("id", "lat", "lon", "county", "female", "age", "categories", "needs"))
VOL_KEYS = frozenset(("id", "lat", "lon", "county", "female", "capacity", "max_km",
                      "cross_county", "skills", "prefer_gender", "prefer_age_band"))
#: optional fields (a file without them solves exactly as before they existed)
CHILD_OPTIONAL = frozenset(("school", "household"))
CHILD_ALLOWED = CHILD_KEYS | CHILD_OPTIONAL
VOL_OPTIONAL = frozenset(("held", "school"))
VOL_ALLOWED = VOL_KEYS | VOL_OPTIONAL
PAIR_KEYS = frozenset(("child", "volunteer"))
TOP_KEYS = frozenset(("params", "children", "volunteers", "existing_pairs", "pinned", "excluded"))
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


def parse_problem(data: Any) -> tuple:
    """``(params, child_ids, volunteer_ids, counties, columns, ex_child, ex_vol, child_index,
    volunteer_index)`` of a problem in the exchange format (see :class:`Problem`)."""
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
    school_code: dict[str, int] = {}
    cid, cidx, ccols = _parse_children(children, county_code, school_code)
    vid, vidx, vcols = _parse_volunteers(volunteers, county_code, school_code)
    exc, exv = _parse_pairs(pairs, cidx, vidx)
    cols = {**ccols, **vcols, **_parse_steering(data, cidx, vidx)}
    cols.update(derive_child_columns(cols["c_cats"], cols["c_age"]))
    cols["schools"] = list(school_code)
    return (params, cid, vid, list(county_code), cols, np.array(exc, dtype=np.int32),
            np.array(exv, dtype=np.int32), cidx, vidx)


def _school(where: str, x: Any, school_code: dict, fld: str = "school") -> int:
    """The code of an optional ``school`` or ``household`` (a non-empty string; new ones join
    ``school_code``)."""
    if type(x) is not str or not x:
        raise _bad(where, fld, "a non-empty string", x)
    return school_code.setdefault(x, len(school_code))


def _person(kind: str, i: int, r: dict, ids: list, index: dict,
            county_code: dict) -> tuple[float, float, int, bool]:
    """The fields children and volunteers share: the id (appended to ``ids``, its position to
    ``index``) and ``lat, lon, county`` (code; new counties join ``county_code``), ``female``."""
    x = r["id"]
    if type(x) is not str or not x:
        raise _bad(f"{kind}[{i}]", "id", "a non-empty string", x)
    if x in index:
        raise ProblemError(f"{_where(kind, i, r)}: duplicate id (also {kind}[{index[x]}])")
    index[x] = i
    ids.append(x)
    lat, lon, county, female = r["lat"], r["lon"], r["county"], r["female"]
    if (type(lat) is not float and type(lat) is not int) or not -90.0 <= lat <= 90.0:
        _number(_where(kind, i, r), "lat", lat, -90.0, 90.0)
    if (type(lon) is not float and type(lon) is not int) or not -180.0 <= lon <= 180.0:
        _number(_where(kind, i, r), "lon", lon, -180.0, 180.0)
    if type(county) is not str or not county:
        raise _bad(_where(kind, i, r), "county", "a non-empty string", county)
    if type(female) is not bool:
        raise _bad(_where(kind, i, r), "female", "true or false", female)
    return lat, lon, county_code.setdefault(county, len(county_code)), female


def _parse_children(children: list, county_code: dict,
                    school_code: dict) -> tuple[list[str], dict[str, int], dict]:
    """Ids, id -> position and the columns of the children (new counties join ``county_code``)."""
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
    school = [-1] * n
    household = [-1] * n
    household_code: dict[str, int] = {}
    for i, r in enumerate(children):
        if type(r) is not dict:
            raise ProblemError(f"children[{i}]: must be an object, got {_type_name(r)}")
        if r.keys() != CHILD_KEYS:
            if not CHILD_KEYS <= r.keys() <= CHILD_ALLOWED:
                raise _key_error(_where("children", i, r), r, CHILD_ALLOWED, CHILD_KEYS)
            if "school" in r:
                school[i] = _school(_where("children", i, r), r["school"], school_code)
            if "household" in r:
                household[i] = _school(_where("children", i, r), r["household"], household_code,
                                       "household")
        lat[i], lon[i], cty[i], fem[i] = _person("children", i, r, cid, cidx, county_code)
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
    return cid, cidx, dict(
        c_lat=np.array(lat, dtype=np.float64), c_lon=np.array(lon, dtype=np.float64),
        c_county=np.array(cty, dtype=np.int32), c_female=np.array(fem, dtype=bool),
        c_age=np.array(age, dtype=np.int64), c_cats=np.array(cats, dtype=np.uint16),
        c_needs=np.array(needs, dtype=np.uint16), c_school=np.array(school, dtype=np.int32),
        c_household=np.array(household, dtype=np.int32), households=list(household_code))


def _parse_volunteers(volunteers: list, county_code: dict,
                      school_code: dict) -> tuple[list[str], dict[str, int], dict]:
    """Ids, id -> position and the columns of the volunteers (new counties join ``county_code``)."""
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
    held = [0] * m
    vschool = [-1] * m
    for j, r in enumerate(volunteers):
        if type(r) is not dict:
            raise ProblemError(f"volunteers[{j}]: must be an object, got {_type_name(r)}")
        if r.keys() != VOL_KEYS:
            if not VOL_KEYS <= r.keys() <= VOL_ALLOWED:
                raise _key_error(_where("volunteers", j, r), r, VOL_ALLOWED, VOL_KEYS)
            x = r.get("held", 0)
            held[j] = _int(_where("volunteers", j, r), "held", x, 0, 1_000_000)
            if "school" in r:
                vschool[j] = _school(_where("volunteers", j, r), r["school"], school_code)
        vlat[j], vlon[j], vcty[j], vfem[j] = _person("volunteers", j, r, vid, vidx, county_code)
        w = None
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
                           '"0-5", "6-13", "14-16", "17+" or null', x)
            pband[j] = w
    return vid, vidx, dict(
        v_lat=np.array(vlat, dtype=np.float64), v_lon=np.array(vlon, dtype=np.float64),
        v_county=np.array(vcty, dtype=np.int32), v_female=np.array(vfem, dtype=bool),
        v_capacity=np.array(cap, dtype=np.int64), v_held=np.array(held, dtype=np.int64),
        # the places the solver may fill: a volunteer's held places are kept free
        v_cap=np.maximum(np.array(cap, dtype=np.int64) - np.array(held, dtype=np.int64), 0),
        v_max_km=np.array(maxkm, dtype=np.float64),
        v_cross=np.array(cross, dtype=bool), v_skills=np.array(skills, dtype=np.uint16),
        v_pref_gender=np.array(pgen, dtype=np.int8), v_pref_band=np.array(pband, dtype=np.int8),
        v_school=np.array(vschool, dtype=np.int32))


def _pair(where: str, r: Any, cidx: dict, vidx: dict) -> tuple[int, int]:
    """Child and volunteer positions of one ``{"child": id, "volunteer": id}`` record."""
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
    return ci, vj


def _parse_pairs(pairs: list, cidx: dict, vidx: dict) -> tuple[list[int], list[int]]:
    """Child and volunteer positions of the existing pairs."""
    exc = [0] * len(pairs)
    exv = [0] * len(pairs)
    seen: dict[tuple[int, int], int] = {}
    for k, r in enumerate(pairs):
        ci, vj = _pair(f"existing_pairs[{k}]", r, cidx, vidx)
        if (ci, vj) in seen:
            raise ProblemError(f"existing_pairs[{k}]: duplicate pair ({_q(r['child'])}, "
                               f"{_q(r['volunteer'])}) (also existing_pairs[{seen[ci, vj]}])")
        seen[ci, vj] = k
        exc[k] = ci
        exv[k] = vj
    return exc, exv


def _parse_steering(data: dict, cidx: dict, vidx: dict) -> dict[str, np.ndarray]:
    """The coordinator's pinned pairs (must be in the result) and excluded pairs (never), as
    position columns ``pin_child, pin_vol, excl_child, excl_vol``."""
    out = {}
    where_of = {}
    for name, short in (("pinned", "pin"), ("excluded", "excl")):
        rows = data.get(name, [])
        if type(rows) is not list:
            raise ProblemError(f"{name}: must be an array, got {_type_name(rows)}")
        pc, pv = [], []
        for k, r in enumerate(rows):
            where = f"{name}[{k}]"
            ci, vj = _pair(where, r, cidx, vidx)
            c, v = r["child"], r["volunteer"]
            if (ci, vj) in where_of:
                raise ProblemError(f"{where}: pair ({_q(c)}, {_q(v)}) is also {where_of[ci, vj]}")
            if name == "pinned" and ci in pc:
                raise ProblemError(f"{where}: child {_q(c)} is pinned more than once")
            where_of[ci, vj] = where
            pc.append(ci)
            pv.append(vj)
        out[f"{short}_child"] = np.array(pc, dtype=np.int64)
        out[f"{short}_vol"] = np.array(pv, dtype=np.int64)
    return out
