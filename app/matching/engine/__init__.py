"""The matching engine: the pure, provably optimal volunteer <-> child solver.

No Flask and no database here (tests/matching/test_engine_pure.py imports it in a fresh
interpreter and checks): the web application builds a problem in the exchange format
(docs/matching-problem.md) and hands it over; ``python -m app.matching`` does the same from a
file. Typical use::

    from app.matching.engine import Params, Problem, solve, explain, check_pair

    problem = Problem.from_objects(children, volunteers, existing_pairs=[("c1", "v1")],
                                   params=Params())
    result = solve(problem, locked=[("c2", "v7")], forbidden=[("c3", "v1")])
    result.to_dict()            # exchange format (pairs, unmatched, objective, optimal, seconds)
    why = explain(problem, result)
    check_pair(problem, "c4", "v2", current_load=1)   # -> [Violation(code, message, detail)]

Modules, by concern: rules (vocabulary, derived rules, geometry), values and parse and problem
(the problem), graph (feasible arcs and costs), result, driver (the request and the result: ``solve``),
flowsolver (the optimum and its certificate), flow (one OR-Tools solve), duals (the
certificate's numerics), arcs (arc sets), repair (re-solving a region), county and parallel (the
county method and its worker processes), classes (interchangeable children as one node),
classgraph (a big round solved on the graph of its classes, never one arc per child),
tuning (the constants), reasons (unmatched reasons, ``explain`` and manual checks), why (explanations for the page),
siblings (households a result splits, and the fix).
"""

from importlib import import_module

# Where each public name lives. They load on first use (PEP 562 ``__getattr__``): the web side
# imports ``engine.rules`` for the skill vocabulary on every start of the app, and loading the
# solver with it would pull in scipy and OR-Tools (about 0.5 s of CPU) for every command, the
# roster import's dry run included. No submodule shares a public name (``solve`` lives in
# ``driver``, ``explain`` in ``reasons``): importing a submodule sets it as an attribute of the
# package, which would hide a lazily loaded name of the same spelling.
_HOME = {
    "EXTRA_REASONS": "reasons", "REASONS": "reasons", "Violation": "reasons",
    "check_pair": "reasons",
    "CandidateGraph": "graph", "build_graph": "graph",
    "Problem": "problem", "load_problem": "problem",
    "Assignment": "result", "MatchingError": "result", "SolveResult": "result",
    "Unmatched": "result",
    "AGE_BANDS": "rules", "CATEGORIES": "rules", "SKILLS": "rules", "TIERS": "rules",
    "ProblemError": "rules",
    "solve": "driver",
    "Child": "values", "Params": "values", "Volunteer": "values",
}


def explain(problem, result, graph=None, max_listed: int = 10) -> dict:
    """Why each pair was made and what blocks each unmatched child (see reasons.explain)."""
    if graph is None:
        # (a round solved on its class graph keeps no per-child graph: built here)
        graph = import_module(".driver", __name__).with_graph(problem, result)
    reasons = import_module(".reasons", __name__)
    return reasons.explain(problem, result, graph, max_listed=max_listed)


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(import_module(f".{_HOME[name]}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Params", "Child", "Volunteer", "Problem", "ProblemError", "load_problem",
    "CandidateGraph", "build_graph",
    "solve", "SolveResult", "Assignment", "Unmatched", "MatchingError",
    "explain", "check_pair", "Violation", "REASONS", "EXTRA_REASONS",
    "CATEGORIES", "SKILLS", "TIERS", "AGE_BANDS",
]
