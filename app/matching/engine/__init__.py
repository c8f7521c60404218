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
(the problem), graph (feasible arcs and costs), result, solve (the request and the result),
flowsolver (the optimum and its certificate), flow (one OR-Tools solve), duals (the
certificate's numerics), arcs (arc sets), repair (re-solving a region), county and parallel (the
county method and its worker processes), classes (interchangeable children as one node),
tuning (the constants), explain (reasons and manual checks), why (explanations for the page),
siblings (households a result splits, and the fix).
"""

from .explain import EXTRA_REASONS, REASONS, Violation, check_pair
from .explain import explain as _explain
from .graph import CandidateGraph, build_graph
from .problem import Problem, load_problem
from .result import Assignment, MatchingError, SolveResult, Unmatched
from .rules import AGE_BANDS, CATEGORIES, SKILLS, TIERS, ProblemError
from .solve import solve
from .values import Child, Params, Volunteer


def explain(problem: Problem, result: SolveResult, graph: CandidateGraph | None = None,
            max_listed: int = 10) -> dict:
    """Why each pair was made and what blocks each unmatched child (see explain.explain)."""
    if graph is None:
        graph = result.graph if result.graph is not None else build_graph(problem)
    return _explain(problem, result, graph, max_listed=max_listed)


__all__ = [
    "Params", "Child", "Volunteer", "Problem", "ProblemError", "load_problem",
    "CandidateGraph", "build_graph",
    "solve", "SolveResult", "Assignment", "Unmatched", "MatchingError",
    "explain", "check_pair", "Violation", "REASONS", "EXTRA_REASONS",
    "CATEGORIES", "SKILLS", "TIERS", "AGE_BANDS",
]
