"""Volunteer <-> child matching: the pure solver (no Flask, no database).

Typical use from the web application::

    from app.matching import Child, Volunteer, Params, Problem, solve, explain, check_pair

    problem = Problem.from_objects(children, volunteers, existing_pairs=[("c1", "v1")],
                                   params=Params())
    result = solve(problem, locked=[("c2", "v7")], forbidden=[("c3", "v1")])
    result.to_dict()            # exchange format (pairs, unmatched, objective, optimal, seconds)
    why = explain(problem, result)
    check_pair(problem, "c4", "v2", current_load=1)   # -> [Violation(code, message, detail)]

See ``docs/matching-problem.md`` for the formulation; ``python -m app.matching --help``
for the command line.
"""

from .explain import EXTRA_REASONS, REASONS, Violation, check_pair
from .explain import explain as _explain
from .graph import CandidateGraph, build_graph
from .problem import (AGE_BANDS, CATEGORIES, SKILLS, TIERS, Child, Params, Problem, ProblemError,
                      Volunteer, load_problem)
from .solver import MatchingError, Pair, SolveResult, Unmatched, solve


def explain(problem: Problem, result: SolveResult, graph: CandidateGraph | None = None,
            max_listed: int = 10) -> dict:
    """Why each pair was made and what blocks each unmatched child (see explain.explain)."""
    if graph is None:
        graph = result.graph if result.graph is not None else build_graph(problem)
    return _explain(problem, result, graph, max_listed=max_listed)


__all__ = [
    "Params", "Child", "Volunteer", "Problem", "ProblemError", "load_problem",
    "CandidateGraph", "build_graph",
    "solve", "SolveResult", "Pair", "Unmatched", "MatchingError",
    "explain", "check_pair", "Violation", "REASONS", "EXTRA_REASONS",
    "CATEGORIES", "SKILLS", "TIERS", "AGE_BANDS",
]
