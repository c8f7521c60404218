"""Speed against the peer on the same file: our solver and a plain OR-Tools solve, each timed as
a whole process (interpreter start, read, build, solve, write), side by side, alternating.

    python bench/matching/ratios.py                       # county size, both families, 3 runs
    python bench/matching/ratios.py --sizes county prefecture --runs 5

Two instance families (generate.py, and generate_b.py with other structure: clustered villages,
more cross-county volunteers, scarce skills) and two cases each:

* fresh — the instance without existing pairs;
* re-match — the fresh optimum's pairs become the existing pairs and 5 % of the people change
  (generate.perturb), as in a later round.

Per case: median wall time of ``python -m app.matching solve`` and of ``plain.py``, their ratio
(the targets: fresh ≤ 1.0, re-match ≤ 0.6), the peak RSS of our whole process tree, and whether
the objectives agree. Writes bench/out/ratios.md and bench/out/ratios.json.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "bench" / "out"
PY = sys.executable
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import generate_b  # noqa: E402
from bench import _load_avg, timed_process  # noqa: E402

FAMILIES = {"A (generate.py)": lambda size, seed: generate.generate(*generate.SIZES[size], seed=seed),
            "B (generate_b.py)": lambda size, seed: generate_b.generate(*generate_b.SIZES[size], seed=seed)}


def _timed(cmd: list[str]) -> dict:
    r = timed_process(cmd)
    if r["rc"] != 0:
        raise RuntimeError(f"{cmd} failed")
    return r


def run_case(label: str, problem: Path, runs: int) -> dict:
    ours_out, plain_out = problem.with_suffix(".ours.json"), problem.with_suffix(".plain.json")
    ours, plain = [], []
    for _ in range(runs):  # alternate: a slow spell of the machine hits both alike
        ours.append(_timed([PY, "-m", "app.matching", "solve", str(problem), "-o", str(ours_out)]))
        plain.append(_timed([PY, str(HERE / "plain.py"), str(problem), "-o", str(plain_out)]))
    a, b = json.loads(ours_out.read_text()), json.loads(plain_out.read_text())
    t_ours = statistics.median(x["seconds"] for x in ours)
    t_plain = statistics.median(x["seconds"] for x in plain)
    return {"case": label, "ours_s": t_ours, "plain_s": t_plain, "ratio": t_ours / t_plain,
            "ours_tree_peak_mb": max(x["tree_peak_mb"] for x in ours),
            "plain_peak_mb": max(x["tree_peak_mb"] for x in plain),
            "same_objective": a["objective"] == b["objective"], "optimal": a["optimal"],
            "runs": runs}


def run(sizes: list[str], runs: int, seed: int) -> list[dict]:
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in sizes:
        for family, make in FAMILIES.items():
            tag = f"ratio-{family[0]}-{size}-s{seed}"
            fresh = make(size, seed)
            fresh["existing_pairs"] = []
            fresh_path = OUT / f"{tag}-fresh.json"
            generate.write_json(fresh, fresh_path)
            load = _load_avg()
            row = run_case("fresh", fresh_path, runs)
            pairs = json.loads(fresh_path.with_suffix(".ours.json").read_text())["pairs"]
            rematch_path = OUT / f"{tag}-rematch.json"
            generate.write_json(generate.perturb(fresh, 0.05, seed + 6, pairs), rematch_path)
            rows.append({"size": size, "family": family, **row, "load": load})
            rows.append({"size": size, "family": family, **run_case("re-match", rematch_path, runs),
                         "load": _load_avg()})
            print(json.dumps(rows[-2:]), file=sys.stderr)
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| size | family | case | ours (s, whole process) | plain OR-Tools (s) | ratio | target | "
             "our tree peak MB | same objective | load |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        target = "≤ 1.0" if r["case"] == "fresh" else "≤ 0.6"
        lines.append(f"| {r['size']} | {r['family']} | {r['case']} | {r['ours_s']:.2f} | {r['plain_s']:.2f} | "
                     f"**{r['ratio']:.2f}** | {target} | {r['ours_tree_peak_mb']:.0f} | "
                     f"{'yes' if r['same_objective'] else 'NO'} | {r['load']} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["county"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    rows = run(a.sizes, a.runs, a.seed)
    md = markdown(rows)
    (OUT / "ratios.md").write_text(md, encoding="utf-8")
    (OUT / "ratios.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
