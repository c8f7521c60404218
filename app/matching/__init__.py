"""Volunteer <-> child matching (结对匹配).

Two layers:

* ``engine/`` — the pure solver: no Flask, no database, usable from the command line
  (``python -m app.matching --help``) and from tests on its own. Its public names are
  re-exported here, so ``from app.matching import Problem, solve`` works.
* the web application's side — ``models`` (pairs, proposals), ``build`` (the problem from the
  database), ``adapter`` (the engine's result shaped for the proposal page), ``service``,
  ``pairs`` (the pair lifecycle) and ``views``. These import Flask and SQLAlchemy; the engine
  never imports them.

Importing this package imports nothing heavy: the engine's names are loaded on first use
(PEP 562 ``__getattr__``), because the app factory imports ``app.matching.models`` and every
start of the app — each command-line command too — would otherwise load numpy, scipy and
OR-Tools (about 0.4 s of CPU) that only solving and explaining need.
"""

__all__ = [
    "Params", "Child", "Volunteer", "Problem", "ProblemError", "load_problem",
    "CandidateGraph", "build_graph",
    "solve", "SolveResult", "Assignment", "Unmatched", "MatchingError",
    "explain", "check_pair", "Violation", "REASONS", "EXTRA_REASONS",
    "CATEGORIES", "SKILLS", "TIERS", "AGE_BANDS",
]


def __getattr__(name: str):
    if name in __all__:
        from . import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
