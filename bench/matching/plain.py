"""The peer: a plain OR-Tools min-cost-flow solve of the same file, as a whole process.

    python bench/matching/plain.py PROBLEM.json -o RESULT.json

Reads the problem, builds every feasible arc (the same candidate graph as the solver's), hands
the whole network to ``SimpleMinCostFlow`` once and writes pairs, unmatched children and the
objective. No pruning, no certificate, no explanations: what a plain solve of the formulation
costs, for ratios.py to time side by side with ``python -m app.matching solve``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from ortools.graph.python import min_cost_flow

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.matching import build_graph, load_problem  # noqa: E402
from app.matching.engine.rules import TIERS  # noqa: E402


def network(p, g) -> tuple[min_cost_flow.SimpleMinCostFlow, int]:
    """The whole network of problem ``p`` on its candidate graph ``g`` as one OR-Tools
    ``SimpleMinCostFlow`` (arcs 0 .. n_arcs - 1 are the graph's, in its order), and the constant
    to add to its optimal cost (the churn discount of every still-feasible existing pair)."""
    nc, nv = p.n_children, p.n_volunteers
    churn = int(p.params.churn_cost)
    cost = g.cost.copy()
    ex = g.ex_arc[g.ex_arc >= 0]
    cost[ex] -= churn
    s = min_cost_flow.SimpleMinCostFlow()
    sink = nc + nv
    s.add_arcs_with_capacity_and_unit_cost(g.ci.astype(np.int32), (g.vj + nc).astype(np.int32),
                                           np.ones(g.n_arcs, dtype=np.int64), cost)
    s.add_arcs_with_capacity_and_unit_cost(np.arange(nc, dtype=np.int32), np.full(nc, sink, dtype=np.int32),
                                           np.ones(nc, dtype=np.int64), p.params.unmatched_costs()[p.c_tier])
    s.add_arcs_with_capacity_and_unit_cost(np.arange(nc, nc + nv, dtype=np.int32),
                                           np.full(nv, sink, dtype=np.int32), p.v_cap, np.zeros(nv, dtype=np.int64))
    sup = np.zeros(sink + 1, dtype=np.int64)
    sup[:nc] = 1
    sup[sink] = -nc
    s.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), sup)
    return s, churn * int(ex.size)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    problem_path, out = argv[0], argv[argv.index("-o") + 1]
    p = load_problem(problem_path)
    g = build_graph(p)
    nc = p.n_children
    s, constant = network(p, g)
    if s.solve() != s.OPTIMAL:
        return 1
    used = np.flatnonzero(s.flows(np.arange(g.n_arcs, dtype=np.int64)) > 0)
    placed = np.zeros(nc, dtype=bool)
    placed[g.ci[used]] = True
    result = {"pairs": [{"child": p.child_ids[i], "volunteer": p.volunteer_ids[j], "cost": int(c)}
                        for i, j, c in zip(g.ci[used].tolist(), g.vj[used].tolist(), g.cost[used].tolist())],
              "unmatched": [{"child": p.child_ids[i], "tier": TIERS[p.c_tier[i]]}
                            for i in np.flatnonzero(~placed).tolist()],
              "objective": int(s.optimal_cost()) + constant}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, separators=(",", ":"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
