"""A second family of matching instances, with other structure than generate.py's.

Same sizes and rules (docs/matching-problem.md), generated independently:

* **clustered villages** — every child lives at one of a few village points (a child's home is
  its village's coordinates, as the web application builds them), villages in tight clusters
  around township centres, so many children share a location and many arcs tie;
* **more cross-county volunteers** — a quarter of the volunteers may serve across county borders
  (generate.py: ~3 %), with the longer ranges of county-seat volunteers;
* **scarce skills** — the required skills (guardianship, disability care, health care, dropout
  return) are rare among volunteers, so urgent and key children compete for few volunteers.

    python bench/matching/generate_b.py --size county --seed 1 -o bench/out/b-county.json
"""
from __future__ import annotations

import argparse
import json
import math

import numpy as np

SIZES = {"township": (1_000, 300, 1, 2), "county": (10_000, 3_000, 1, 12),
         "prefecture": (100_000, 30_000, 10, 12)}
KM_PER_DEG = 6371.0088 * math.pi / 180.0
ORIGIN = (25.8, 108.1)
CELL_KM = 45.0
SKILL_P = {"tutor_primary": 0.30, "tutor_secondary": 0.15, "psych": 0.20, "legal_hukou": 0.05,
           "guardianship": 0.07, "disability_care": 0.02, "health": 0.04, "dropout_return": 0.03}
NEEDS = ("tutor_primary", "tutor_secondary", "psych", "legal_hukou")


def _latlon(x, y):
    lat = ORIGIN[0] + y / KM_PER_DEG
    lon = ORIGIN[1] + x / (KM_PER_DEG * np.cos(np.radians(lat)))
    return np.round(lat, 6), np.round(lon, 6)


def generate(n_children: int, n_volunteers: int, n_counties: int, townships: int, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed + 1000)
    cols = max(1, int(math.ceil(math.sqrt(n_counties))))
    county = [f"52{27 + k // 10:02d}{k % 10 + 1:02d}" for k in range(n_counties)]
    cx = np.array([(k % cols) * CELL_KM for k in range(n_counties)], dtype=float)
    cy = np.array([(k // cols) * CELL_KM for k in range(n_counties)], dtype=float)
    # townships, then villages in tight clusters around them (8-20 per township)
    tw_c = np.repeat(np.arange(n_counties), townships)
    tw_x = cx[tw_c] + rng.uniform(4, CELL_KM - 4, tw_c.size)
    tw_y = cy[tw_c] + rng.uniform(4, CELL_KM - 4, tw_c.size)
    per = rng.integers(8, 21, tw_c.size)
    vil_t = np.repeat(np.arange(tw_c.size), per)
    vil_x = tw_x[vil_t] + rng.normal(0, 2.5, vil_t.size)
    vil_y = tw_y[vil_t] + rng.normal(0, 2.5, vil_t.size)
    vil_c = tw_c[vil_t]
    weight = rng.pareto(1.5, vil_t.size) + 1  # a few big villages
    # children: at their village's point
    cv = rng.choice(vil_t.size, n_children, p=weight / weight.sum())
    clat, clon = _latlon(vil_x[cv], vil_y[cv])
    age = rng.integers(0, 17, n_children)
    u = rng.random(n_children)
    children = []
    for i in range(n_children):
        cats = []
        if u[i] < 0.15:
            cats.append("no_guardian" if rng.random() < 0.6 else "one_parent_incapable")
        if rng.random() < 0.09:
            cats.append(str(rng.choice(["dropout", "no_hukou", "ill", "disabled"])))
        needs = [n for n in NEEDS if rng.random() < 0.18]
        children.append({"id": f"c{i}", "lat": float(clat[i]), "lon": float(clon[i]),
                         "county": county[vil_c[cv[i]]], "female": bool(rng.random() < 0.48),
                         "age": int(age[i]), "categories": cats, "needs": needs})
    # volunteers: 35 % at the county seat (long range, a quarter cross-county), the rest in villages
    seat = rng.random(n_volunteers) < 0.35
    vv = rng.choice(vil_t.size, n_volunteers, p=weight / weight.sum())
    vc = np.where(seat, rng.integers(0, n_counties, n_volunteers), vil_c[vv])
    vx = np.where(seat, cx[vc] + CELL_KM / 2 + rng.normal(0, 1, n_volunteers), vil_x[vv])
    vy = np.where(seat, cy[vc] + CELL_KM / 2 + rng.normal(0, 1, n_volunteers), vil_y[vv])
    vlat, vlon = _latlon(vx, vy)
    volunteers = []
    for j in range(n_volunteers):
        skills = [s for s, pr in SKILL_P.items() if rng.random() < pr]
        volunteers.append({
            "id": f"v{j}", "lat": float(vlat[j]), "lon": float(vlon[j]), "county": county[vc[j]],
            "female": bool(rng.random() < 0.7), "capacity": int(rng.choice([0, 1, 1, 2, 2, 3, 4])),
            "max_km": float(rng.uniform(12, 35) if seat[j] else rng.uniform(2, 9)),
            "cross_county": bool(rng.random() < 0.25), "skills": skills,
            "prefer_gender": None if rng.random() < 0.8 else str(rng.choice(["female", "male"])),
            "prefer_age_band": None if rng.random() < 0.85 else str(rng.choice(["0-5", "6-13", "14-16"])),
        })
    return {"children": children, "volunteers": volunteers, "existing_pairs": []}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=SIZES, default="county")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args(argv)
    with open(a.output, "w", encoding="utf-8") as f:
        json.dump(generate(*SIZES[a.size], seed=a.seed), f, ensure_ascii=False, separators=(",", ":"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
