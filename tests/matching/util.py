"""Helpers for the matching tests: tiny instances in the exchange format and an independent
brute-force optimum (scipy linear_sum_assignment on an expanded cost matrix)."""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linear_sum_assignment

KM_LAT = 1 / 111.19492664455873  # degrees of latitude per km on the 6371.0088 km sphere
BASE = (27.0, 107.0)


def at(north_km=0.0, east_km=0.0):
    lat = BASE[0] + north_km * KM_LAT
    lon = BASE[1] + east_km * KM_LAT / math.cos(math.radians(lat))
    return lat, lon


def child(cid, north=0.0, east=0.0, county="522601", female=False, age=8, categories=(),
          needs=()):
    lat, lon = at(north, east)
    return {"id": cid, "lat": lat, "lon": lon, "county": county, "female": female, "age": age,
            "categories": list(categories), "needs": list(needs)}


def vol(vid, north=0.0, east=0.0, county="522601", female=True, capacity=1, max_km=10.0,
        cross_county=False, skills=(), prefer_gender=None, prefer_age_band=None):
    lat, lon = at(north, east)
    return {"id": vid, "lat": lat, "lon": lon, "county": county, "female": female,
            "capacity": capacity, "max_km": max_km, "cross_county": cross_county,
            "skills": list(skills), "prefer_gender": prefer_gender,
            "prefer_age_band": prefer_age_band}


def problem(children, volunteers, existing=(), **params):
    d = {"children": list(children), "volunteers": list(volunteers),
         "existing_pairs": [{"child": c, "volunteer": v} for c, v in existing]}
    if params:
        d["params"] = params
    return d


# ---- an independent model of docs/matching-problem.md (plain Python) ------------------------------------

R = 6371.0088
DEFAULT_U = {"normal": 100_000, "key": 1_000_000, "urgent": 10_000_000}


def hav(a, b):
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b["lon"] - a["lon"]) / 2) ** 2)
    return 2 * R * math.asin(math.sqrt(min(1.0, h)))


def tier(c):
    s = set(c["categories"])
    if s & {"no_guardian", "one_parent_incapable"}:
        return "urgent"
    if s & {"dropout", "no_hukou", "ill", "disabled"}:
        return "key"
    return "normal"


def required(c):
    s = set(c["categories"])
    r = set()
    if tier(c) == "urgent":
        r.add("guardianship")
    for cat, sk in (("disabled", "disability_care"), ("ill", "health"),
                    ("dropout", "dropout_return")):
        if cat in s:
            r.add(sk)
    return r


def places(v):
    """The places a solve may fill: the capacity less the places the coordinator holds back."""
    return max(v["capacity"] - v.get("held", 0), 0)


def feasible(d, c, v):
    p = d.get("params", {})
    if places(v) <= 0 or hav(c, v) > v["max_km"]:
        return False
    if c["county"] != v["county"] and not v["cross_county"]:
        return False
    if p.get("gender_rule", True) and c["female"] and c["age"] >= p.get("girl_age", 10) \
            and not v["female"]:
        return False
    if v.get("school") is not None and v["school"] != c.get("school"):
        return False  # a teacher serves only the pupils of their own school
    return required(c) <= set(v["skills"])


def cost(d, c, v):
    p = d.get("params", {})
    band = "0-5" if c["age"] <= 5 else "6-13" if c["age"] <= 13 else "14-16" if c["age"] <= 16 else "17+"
    miss = len(set(c["needs"]) - required(c) - set(v["skills"]))
    pref = int(v["prefer_gender"] is not None and (v["prefer_gender"] == "female") != c["female"])
    pref += int(v["prefer_age_band"] is not None and v["prefer_age_band"] != band)
    return (1 + round(hav(c, v) * 1000) + p.get("missing_need_cost", 3000) * miss
            + p.get("preference_cost", 2000) * pref)


def brute_force_objective(d) -> int:
    """Exact optimum by linear_sum_assignment on children x (volunteer slots + own dummy)."""
    p = d.get("params", {})
    U = dict(DEFAULT_U)
    U.update(p.get("unmatched_cost", {}))
    churn = p.get("churn_cost", 50000)
    C, V = d["children"], d["volunteers"]
    ex = {(e["child"], e["volunteer"]) for e in d.get("existing_pairs", [])}
    pinned = {e["child"]: e["volunteer"] for e in d.get("pinned", [])}
    excluded = {(e["child"], e["volunteer"]) for e in d.get("excluded", [])}
    n_ex = sum(1 for c in C for v in V if (c["id"], v["id"]) in ex and feasible(d, c, v)
               and (c["id"], v["id"]) not in excluded)
    if not C:
        return churn * n_ex
    slots = [v for v in V for _ in range(places(v))]
    BIG = 10 ** 13
    M = np.full((len(C), len(slots) + len(C)), BIG, dtype=np.int64)
    for i, c in enumerate(C):
        for s, v in enumerate(slots):
            if (c["id"], v["id"]) in excluded or pinned.get(c["id"], v["id"]) != v["id"]:
                continue  # never this pair; a pinned child only with its volunteer
            if feasible(d, c, v):
                M[i, s] = cost(d, c, v) - (churn if (c["id"], v["id"]) in ex else 0)
        if c["id"] not in pinned:
            M[i, len(slots) + i] = U[tier(c)]
    r, k = linear_sum_assignment(M)
    total = int(M[r, k].sum())
    assert total < BIG
    return total + churn * n_ex
