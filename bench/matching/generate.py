"""Deterministic generator of realistic matching instances (exchange format of docs/matching-problem.md).

Geography: counties are ~40 km cells of a prefecture grid (codes modelled on Qiandongnan, Guizhou);
each county has a seat and a dozen townships; villages cluster around the township centres and
children live in villages. Volunteers are a mix of loving mothers (爱心妈妈, mostly women, in the
villages, small capacity and range), five elders (五老, in villages and townships), teachers (at
township schools, capacity 3-6) and youth volunteers (mostly from the county seat, longest range).
About 3 % of volunteers may serve across county borders; ~15 % of children are urgent, ~10 % key;
roughly 60 % of children have an existing pair from the previous round (as far as capacity allows).

Usage::

    python bench/matching/generate.py gen --size county --seed 1 -o bench/out/county.json
    python bench/matching/generate.py perturb bench/out/county.json --result RESULT.json \\
        --frac 0.05 --seed 2 -o bench/out/county-perturbed.json

``perturb`` changes about ``frac`` of the people (moves, capacity changes, departures, arrivals,
category changes). With ``--result``, the existing pairs of the new problem are the pairs of that
result (the state after the previous solve), restricted to people who are still there.

Only numpy and scipy are used; the same seed always gives the same file.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np
from scipy.spatial import cKDTree

SKILLS = ("tutor_primary", "tutor_secondary", "psych", "disability_care", "health",
          "legal_hukou", "guardianship", "dropout_return")
SIZES = {
    # name: (children, volunteers, counties, townships per county)
    "tiny": (120, 40, 1, 2),
    "township": (1_000, 300, 1, 2),
    "county": (10_000, 3_000, 1, 12),
    "prefecture": (100_000, 30_000, 10, 12),
}
COUNTY_CODES = ["522601", "522622", "522623", "522624", "522625", "522626", "522627", "522628",
                "522629", "522630", "522631", "522632", "522633", "522634", "522635", "522636"]
KM_PER_DEG = 6371.0088 * math.pi / 180.0
ORIGIN = (26.3, 107.4)  # south-west corner of the prefecture grid
CELL_KM = 40.0


def _to_latlon(x_km, y_km):
    lat = ORIGIN[0] + y_km / KM_PER_DEG
    lon = ORIGIN[1] + x_km / (KM_PER_DEG * np.cos(np.radians(lat)))
    return np.round(lat, 6), np.round(lon, 6)


def _pick(rng, p, n):
    return rng.random(n) < p


def generate(n_children: int, n_volunteers: int, n_counties: int = 1, townships: int = 12,
             seed: int = 1, existing_frac: float = 0.6) -> dict:
    rng = np.random.default_rng(seed)
    cols = max(1, int(math.ceil(math.sqrt(n_counties * 1.2))))
    # --- geography -------------------------------------------------------------------------
    cx0 = np.array([(k % cols) * CELL_KM for k in range(n_counties)])
    cy0 = np.array([(k // cols) * CELL_KM for k in range(n_counties)])
    seat_x = cx0 + CELL_KM * rng.uniform(0.35, 0.65, n_counties)
    seat_y = cy0 + CELL_KM * rng.uniform(0.35, 0.65, n_counties)
    tw_county = np.repeat(np.arange(n_counties), townships)
    tw_x = cx0[tw_county] + CELL_KM * rng.uniform(0.08, 0.92, tw_county.size)
    tw_y = cy0[tw_county] + CELL_KM * rng.uniform(0.08, 0.92, tw_county.size)
    first = np.arange(n_counties) * townships  # township 0 of each county is the county seat
    tw_x[first], tw_y[first] = seat_x, seat_y
    villages_per_tw = rng.integers(8, 16, tw_county.size)
    vil_tw = np.repeat(np.arange(tw_county.size), villages_per_tw)
    vil_county = tw_county[vil_tw]
    spread = np.where(np.isin(vil_tw, first), 2.5, 4.5)
    vil_x = np.clip(tw_x[vil_tw] + rng.normal(0, spread), cx0[vil_county] + 0.5,
                    cx0[vil_county] + CELL_KM - 0.5)
    vil_y = np.clip(tw_y[vil_tw] + rng.normal(0, spread), cy0[vil_county] + 0.5,
                    cy0[vil_county] + CELL_KM - 0.5)
    vil_w = rng.lognormal(0.0, 0.5, vil_tw.size)
    vil_w[np.isin(vil_tw, first)] *= 1.6  # more people around the seat
    vil_w /= vil_w.sum()

    def in_cell(x, y, county):
        return (np.clip(x, cx0[county] + 0.05, cx0[county] + CELL_KM - 0.05),
                np.clip(y, cy0[county] + 0.05, cy0[county] + CELL_KM - 0.05))

    # --- children -------------------------------------------------------------------------
    n = n_children
    cv = rng.choice(vil_tw.size, n, p=vil_w)
    c_county = vil_county[cv]
    c_x, c_y = in_cell(vil_x[cv] + rng.normal(0, 0.3, n), vil_y[cv] + rng.normal(0, 0.3, n),
                       c_county)
    c_lat, c_lon = _to_latlon(c_x, c_y)
    band = rng.choice(3, n, p=[0.25, 0.55, 0.20])
    age = np.where(band == 0, rng.integers(0, 6, n),
                   np.where(band == 1, rng.integers(6, 14, n), rng.integers(14, 17, n)))
    female = _pick(rng, 0.48, n)
    u = rng.random(n)
    no_guardian = u < 0.04
    one_parent = (u >= 0.04) & (u < 0.15)
    dropout = _pick(rng, 0.06, n) & (age >= 12)
    no_hukou = _pick(rng, 0.02, n)
    ill = _pick(rng, 0.03, n)
    disabled = _pick(rng, 0.03, n)
    urgent = no_guardian | one_parent
    needs = {
        "tutor_primary": (age >= 6) & (age <= 11) & _pick(rng, 0.6, n),
        "tutor_secondary": (age >= 12) & _pick(rng, 0.5, n),
        "psych": _pick(rng, 0.35, n) | (urgent & _pick(rng, 0.3, n)),
        "disability_care": disabled,
        "health": ill,
        "legal_hukou": no_hukou & _pick(rng, 0.9, n),
        "guardianship": urgent & _pick(rng, 0.7, n),
        "dropout_return": dropout,
    }
    cats = {"no_guardian": no_guardian, "one_parent_incapable": one_parent, "dropout": dropout,
            "no_hukou": no_hukou, "ill": ill, "disabled": disabled}
    county_code = [COUNTY_CODES[k % len(COUNTY_CODES)] if k < len(COUNTY_CODES)
                   else f"52{2700 + k:04d}" for k in range(n_counties)]
    children = []
    for i in range(n):
        children.append({
            "id": f"c{i}", "lat": float(c_lat[i]), "lon": float(c_lon[i]),
            "county": county_code[c_county[i]], "female": bool(female[i]), "age": int(age[i]),
            "categories": [k for k, a in cats.items() if a[i]],
            "needs": [k for k, a in needs.items() if a[i]],
        })

    # --- volunteers -----------------------------------------------------------------------
    m = n_volunteers
    kind = rng.choice(4, m, p=[0.45, 0.15, 0.20, 0.20])  # mother, elder, teacher, youth
    home_v = rng.choice(vil_tw.size, m, p=vil_w)          # mothers / elders live in a village
    seat_of = first[vil_county[home_v]]
    home_t = np.where(_pick(rng, 0.3, m), seat_of, vil_tw[home_v])  # school township
    v_county = vil_county[home_v]
    vx = np.where(kind <= 1, vil_x[home_v], np.where(kind == 2, tw_x[home_t], tw_x[seat_of]))
    vy = np.where(kind <= 1, vil_y[home_v], np.where(kind == 2, tw_y[home_t], tw_y[seat_of]))
    youth_in_town = (kind == 3) & _pick(rng, 0.25, m)  # some youth live in townships
    vx = np.where(youth_in_town, tw_x[vil_tw[home_v]], vx)
    vy = np.where(youth_in_town, tw_y[vil_tw[home_v]], vy)
    jit = np.choose(kind, [0.5, 0.8, 0.6, 2.0])
    vx, vy = in_cell(vx + rng.normal(0, jit), vy + rng.normal(0, jit), v_county)
    v_lat, v_lon = _to_latlon(vx, vy)
    v_female = rng.random(m) < np.choose(kind, [0.97, 0.2, 0.55, 0.55])
    cap = np.choose(kind, [rng.choice([1, 2, 3], m, p=[0.6, 0.35, 0.05]),
                           rng.choice([1, 2, 3], m, p=[0.45, 0.4, 0.15]),
                           rng.integers(3, 7, m),
                           rng.choice([1, 2, 3], m, p=[0.5, 0.35, 0.15])])
    cap = np.where(_pick(rng, 0.02, m), 0, cap)  # paused volunteers
    lo = np.choose(kind, [3.0, 3.0, 4.0, 5.0])
    hi = np.choose(kind, [8.0, 10.0, 12.0, 25.0])
    max_km = np.round((lo + (hi - lo) * rng.random(m) ** 2.5) * 2) / 2  # half-km steps
    cross = rng.random(m) < np.choose(kind, [0.01, 0.01, 0.04, 0.06])
    skill_p = np.array([  # rows: mother, elder, teacher, youth; columns: SKILLS
        [0.30, 0.05, 0.50, 0.06, 0.10, 0.02, 0.55, 0.05],
        [0.20, 0.05, 0.15, 0.03, 0.05, 0.30, 0.50, 0.30],
        [0.60, 0.45, 0.30, 0.08, 0.05, 0.05, 0.20, 0.30],
        [0.50, 0.50, 0.30, 0.05, 0.10, 0.10, 0.12, 0.10],
    ])
    has = rng.random((m, len(SKILLS))) < skill_p[kind]
    pg = rng.random(m)
    prefer_gender = np.where(pg < 0.07, "female", np.where(pg < 0.10, "male", ""))
    pb = rng.random(m)
    prefer_band = np.where(pb < 0.05, "0-5", np.where(pb < 0.13, "6-13",
                                                      np.where(pb < 0.16, "14-16", "")))
    volunteers = []
    for j in range(m):
        volunteers.append({
            "id": f"v{j}", "lat": float(v_lat[j]), "lon": float(v_lon[j]),
            "county": county_code[v_county[j]], "female": bool(v_female[j]),
            "capacity": int(cap[j]), "max_km": float(max_km[j]), "cross_county": bool(cross[j]),
            "skills": [s for k, s in enumerate(SKILLS) if has[j, k]],
            "prefer_gender": str(prefer_gender[j]) or None,
            "prefer_age_band": str(prefer_band[j]) or None,
        })

    problem = {"params": {"gender_rule": True, "girl_age": 10, "missing_need_cost": 3000,
                          "preference_cost": 2000,
                          "unmatched_cost": {"normal": 100000, "key": 1000000,
                                             "urgent": 10000000},
                          "churn_cost": 50000},
               "children": children, "volunteers": volunteers, "existing_pairs": []}
    problem["existing_pairs"] = _existing_pairs(problem, rng, existing_frac)
    return problem


def _req(c):
    cats = set(c["categories"])
    r = set()
    if cats & {"no_guardian", "one_parent_incapable"}:
        r.add("guardianship")
    if "disabled" in cats:
        r.add("disability_care")
    if "ill" in cats:
        r.add("health")
    if "dropout" in cats:
        r.add("dropout_return")
    return r


def _xyz(lat, lon):
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _existing_pairs(problem, rng, frac):
    """Pairs from an earlier round: a near volunteer that fitted then (with some drift)."""
    ch, vo = problem["children"], problem["volunteers"]
    if not ch or not vo or frac <= 0:
        return []
    vlat = np.array([v["lat"] for v in vo])
    vlon = np.array([v["lon"] for v in vo])
    tree = cKDTree(_xyz(vlat, vlon))
    left = np.array([v["capacity"] for v in vo])
    order = rng.permutation(len(ch))
    urgent_first = sorted(order, key=lambda i: 0 if _req(ch[i]) else 1)  # stable
    want = int(frac * len(ch))
    clat = np.array([c["lat"] for c in ch])
    clon = np.array([c["lon"] for c in ch])
    k = min(24, len(vo))
    _, nbr = tree.query(_xyz(clat, clon), k=k)
    nbr = nbr.reshape(len(ch), k)
    pairs = []
    skills = [set(v["skills"]) for v in vo]
    for i in urgent_first:
        if len(pairs) >= want:
            break
        c = ch[i]
        need = _req(c)
        girl = c["female"] and c["age"] >= 10
        for j in nbr[i]:
            v = vo[j]
            if left[j] <= 0 or (girl and not v["female"]) or not need <= skills[j]:
                continue
            if v["county"] != c["county"] and not v["cross_county"]:
                continue
            d = _hav_km(c["lat"], c["lon"], v["lat"], v["lon"])
            if d > v["max_km"] * (1.15 if rng.random() < 0.05 else 1.0):  # a little drift
                continue
            left[j] -= 1
            pairs.append({"child": c["id"], "volunteer": v["id"]})
            break
    return pairs


def _hav_km(la1, lo1, la2, lo2):
    p1, p2 = math.radians(la1), math.radians(la2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lo2 - lo1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


def perturb(problem: dict, frac: float = 0.05, seed: int = 2, pairs=None) -> dict:
    """Change about ``frac`` of the people; existing pairs from ``pairs`` if given."""
    rng = np.random.default_rng(seed)
    ch = [dict(c) for c in problem["children"]]
    vo = [dict(v) for v in problem["volunteers"]]
    nc, nv = len(ch), len(vo)

    def some(total, share):
        k = int(round(total * frac * share))
        return rng.choice(total, size=min(k, total), replace=False) if total else np.array([], int)

    # volunteers: 30 % of changes move, 30 % change capacity, 20 % leave, 20 % arrive
    for j in some(nv, 0.3):
        v = vo[j]
        v["lat"] = round(v["lat"] + rng.normal(0, 0.05), 6)
        v["lon"] = round(v["lon"] + rng.normal(0, 0.05), 6)
    for j in some(nv, 0.3):
        vo[j]["capacity"] = int(max(0, vo[j]["capacity"] + rng.choice([-2, -1, 1, 2])))
    gone_v = {vo[j]["id"] for j in some(nv, 0.2)}
    arrivals_v = []
    for k, j in enumerate(some(nv, 0.2)):
        v = dict(vo[j])
        v["id"] = f"vn{seed}_{k}"
        v["lat"] = round(v["lat"] + rng.normal(0, 0.03), 6)
        v["lon"] = round(v["lon"] + rng.normal(0, 0.03), 6)
        arrivals_v.append(v)
    vo = [v for v in vo if v["id"] not in gone_v] + arrivals_v
    # children: 30 % move, 20 % change categories, 25 % leave, 25 % arrive
    for i in some(nc, 0.3):
        c = ch[i]
        c["lat"] = round(min(90, max(-90, c["lat"] + rng.normal(0, 0.04))), 6)
        c["lon"] = round(c["lon"] + rng.normal(0, 0.04), 6)
    for i in some(nc, 0.2):
        c = ch[i]
        extra = str(rng.choice(["no_guardian", "one_parent_incapable", "ill", "dropout"]))
        if extra not in c["categories"]:
            c["categories"] = list(c["categories"]) + [extra]
            if extra == "ill" and "health" not in c["needs"]:
                c["needs"] = list(c["needs"]) + ["health"]
    gone_c = {ch[i]["id"] for i in some(nc, 0.25)}
    arrivals_c = []
    for k, i in enumerate(some(nc, 0.25)):
        c = dict(ch[i])
        c["id"] = f"cn{seed}_{k}"
        c["lat"] = round(c["lat"] + rng.normal(0, 0.02), 6)
        c["lon"] = round(c["lon"] + rng.normal(0, 0.02), 6)
        c["age"] = int(rng.integers(0, 17))
        arrivals_c.append(c)
    ch = [c for c in ch if c["id"] not in gone_c] + arrivals_c
    base = pairs if pairs is not None else problem.get("existing_pairs", [])
    keep_c = {c["id"] for c in ch}
    keep_v = {v["id"] for v in vo}
    existing = [{"child": p["child"], "volunteer": p["volunteer"]} for p in base
                if p["child"] in keep_c and p["volunteer"] in keep_v]
    out = {"children": ch, "volunteers": vo, "existing_pairs": existing}
    if "params" in problem:
        out = {"params": problem["params"], **out}
    return out


def write_json(obj, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen", help="generate an instance")
    g.add_argument("--size", choices=sorted(SIZES), default="county")
    g.add_argument("--children", type=int, help="override the number of children")
    g.add_argument("--volunteers", type=int, help="override the number of volunteers")
    g.add_argument("--counties", type=int)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--existing", type=float, default=0.6, help="share with existing pairs")
    g.add_argument("-o", "--output", required=True)
    p = sub.add_parser("perturb", help="change about 5%% of the people of an instance")
    p.add_argument("problem")
    p.add_argument("--result", help="result.json whose pairs become the existing pairs")
    p.add_argument("--frac", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("-o", "--output", required=True)
    a = ap.parse_args(argv)
    if a.cmd == "gen":
        nc, nv, ncounty, tw = SIZES[a.size]
        prob = generate(a.children or nc, a.volunteers or nv, a.counties or ncounty, tw,
                        seed=a.seed, existing_frac=a.existing)
    else:
        with open(a.problem, encoding="utf-8") as f:
            base = json.load(f)
        pairs = None
        if a.result:
            with open(a.result, encoding="utf-8") as f:
                pairs = json.load(f)["pairs"]
        prob = perturb(base, a.frac, a.seed, pairs)
    write_json(prob, a.output)
    print(f"{a.output}: {len(prob['children'])} children, {len(prob['volunteers'])} volunteers,"
          f" {len(prob['existing_pairs'])} existing pairs", file=sys.stderr)


if __name__ == "__main__":
    main()
