"""Speed against the peer on the same file: our solver and a plain OR-Tools solve, each timed as
a whole process (interpreter start, read, build, solve, write), side by side, alternating.

    python bench/matching/ratios.py                       # county size, both families, 3 runs
    python bench/matching/ratios.py --sizes county prefecture --runs 5
    python bench/matching/ratios.py --sizes prefecture --families B --cases rematch --runs 1

Two instance families (generate.py, and generate_b.py with other structure: clustered villages,
more cross-county volunteers, scarce skills) and two cases each:

* fresh — the instance without existing pairs;
* re-match — the fresh optimum's pairs become the existing pairs and 5 % of the people change
  (generate.perturb), as in a later round.

Per case: median wall time of ``python -m app.matching solve`` and of ``plain.py``, their ratio
(the targets: fresh ≤ 1.0, re-match ≤ 0.6), the same for CPU time (user + system of the whole
process tree), the peak RSS of each whole process tree, and whether the objectives agree. Both
run under an address-space limit (``--max-gb``, default 12): on a shared machine a process that
needs more fails (reported as such) instead of pushing the machine out of memory. Writes
bench/out/ratios-<sizes, families, cases>.md and .json (a re-match alone reuses the fresh result of an
earlier run when there is one).
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


def _timed(cmd: list[str], max_bytes: int) -> dict:
    r = timed_process(cmd, max_bytes)
    if r["rc"] != 0:
        r["failed"] = True
    return r


def run_case(label: str, problem: Path, runs: int, max_bytes: int) -> dict:
    ours_out, plain_out = problem.with_suffix(".ours.json"), problem.with_suffix(".plain.json")
    ours, plain = [], []
    for _ in range(runs):  # alternate: a slow spell of the machine hits both alike
        ours.append(_timed([PY, "-m", "app.matching", "solve", str(problem), "-o", str(ours_out)],
                           max_bytes))
        if ours[-1].get("failed"):
            raise RuntimeError(f"our solve of {problem} failed")
        plain.append(_timed([PY, str(HERE / "plain.py"), str(problem), "-o", str(plain_out)],
                            max_bytes))
    a = json.loads(ours_out.read_text())
    row = {"case": label, "ours_s": statistics.median(x["seconds"] for x in ours),
           "ours_cpu_s": statistics.median(x["cpu_s"] for x in ours),
           "ours_tree_peak_mb": max(x["tree_peak_mb"] for x in ours),
           "plain_peak_mb": max(x["tree_peak_mb"] for x in plain), "optimal": a["optimal"],
           "runs": runs}
    done = [x for x in plain if not x.get("failed")]
    if not done:
        # the peer did not finish within the limit: how far it got
        return {**row, "plain_failed": True, "plain_s": max(x["seconds"] for x in plain),
                "ratio": None, "cpu_ratio": None, "same_objective": None}
    b = json.loads(plain_out.read_text())
    row["plain_s"] = statistics.median(x["seconds"] for x in done)
    row["plain_cpu_s"] = statistics.median(x["cpu_s"] for x in done)
    return {**row, "ratio": row["ours_s"] / row["plain_s"],
            "cpu_ratio": row["ours_cpu_s"] / row["plain_cpu_s"],
            "same_objective": a["objective"] == b["objective"]}


def run(sizes: list[str], runs: int, seed: int, families: list[str], cases: list[str],
        max_bytes: int) -> list[dict]:
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in sizes:
        for family, make in FAMILIES.items():
            if family[0] not in families:
                continue
            tag = f"ratio-{family[0]}-{size}-s{seed}"
            fresh = make(size, seed)
            fresh["existing_pairs"] = []
            fresh_path = OUT / f"{tag}-fresh.json"
            generate.write_json(fresh, fresh_path)
            if "fresh" in cases:
                load = _load_avg()
                rows.append({"size": size, "family": family,
                             **run_case("fresh", fresh_path, runs, max_bytes), "load": load})
                print(json.dumps(rows[-1]), file=sys.stderr)
            if "rematch" not in cases:
                continue
            fresh_out = fresh_path.with_suffix(".ours.json")
            if not fresh_out.exists():
                _timed([PY, "-m", "app.matching", "solve", str(fresh_path), "-o", str(fresh_out)],
                       max_bytes)
            pairs = json.loads(fresh_out.read_text())["pairs"]
            rematch_path = OUT / f"{tag}-rematch.json"
            generate.write_json(generate.perturb(fresh, 0.05, seed + 6, pairs), rematch_path)
            load = _load_avg()
            rows.append({"size": size, "family": family,
                         **run_case("re-match", rematch_path, runs, max_bytes), "load": load})
            print(json.dumps(rows[-1]), file=sys.stderr)
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| size | family | case | ours (s, whole process) | plain OR-Tools (s) | ratio | CPU ratio | "
             "target | our tree peak MB | plain peak MB | same objective | load |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        target = "≤ 1.0" if r["case"] == "fresh" else "≤ 0.6"
        if r.get("plain_failed"):
            plain, ratio, cpu, same = f"failed after {r['plain_s']:.0f}", "–", "–", "–"
        else:
            plain, ratio = f"{r['plain_s']:.2f}", f"**{r['ratio']:.2f}**"
            cpu, same = f"{r['cpu_ratio']:.2f}", "yes" if r["same_objective"] else "NO"
        lines.append(f"| {r['size']} | {r['family']} | {r['case']} | {r['ours_s']:.2f} | {plain} | "
                     f"{ratio} | {cpu} | {target} | {r['ours_tree_peak_mb']:.0f} | "
                     f"{r['plain_peak_mb']:.0f} | {same} | {r['load']} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["county"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--families", nargs="+", default=["A", "B"], choices=["A", "B"])
    ap.add_argument("--cases", nargs="+", default=["fresh", "rematch"], choices=["fresh", "rematch"])
    ap.add_argument("--max-gb", type=float, default=12.0,
                    help="address-space limit of each solve (GB); a solve that needs more fails")
    a = ap.parse_args(argv)
    rows = run(a.sizes, a.runs, a.seed, a.families, a.cases, int(a.max_gb * 1e9))
    md = markdown(rows)
    name = "ratios-" + "-".join([*a.sizes, *a.families, *a.cases])
    (OUT / f"{name}.md").write_text(md, encoding="utf-8")
    (OUT / f"{name}.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
