"""Volunteer <-> child matching (结对匹配).

Two layers:

* ``engine/`` — the pure solver: no Flask, no database, usable from the command line
  (``python -m app.matching --help``) and from tests on its own. Its public names are
  re-exported here, so ``from app.matching import Problem, solve`` works.
* the web application's side — ``models`` (pairs, proposals), ``build`` (the problem from the
  database), ``adapter`` (the engine's result shaped for the proposal page), ``service``,
  ``pairs`` (the pair lifecycle) and ``views``. These import Flask and SQLAlchemy; the engine
  never imports them.

Importing this package imports only the engine (the Flask modules are imported by the app
factory), so ``python -m app.matching`` stays light.
"""

from .engine import (AGE_BANDS, CATEGORIES, EXTRA_REASONS, REASONS, SKILLS, TIERS, Assignment,
                     CandidateGraph, Child, MatchingError, Params, Problem, ProblemError,
                     SolveResult, Unmatched, Violation, Volunteer, build_graph, check_pair,
                     explain, load_problem, solve)

__all__ = [
    "Params", "Child", "Volunteer", "Problem", "ProblemError", "load_problem",
    "CandidateGraph", "build_graph",
    "solve", "SolveResult", "Assignment", "Unmatched", "MatchingError",
    "explain", "check_pair", "Violation", "REASONS", "EXTRA_REASONS",
    "CATEGORIES", "SKILLS", "TIERS", "AGE_BANDS",
]
