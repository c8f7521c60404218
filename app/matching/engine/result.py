"""What a solve returns: the assignment, the children left out, and the certificate's verdict."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .graph import CandidateGraph


class MatchingError(ValueError):
    """A request the solver cannot honour (e.g. a locked pair that is not feasible)."""


@dataclass
class Assignment:
    """One child placed with one volunteer in a solve (not the database pair)."""

    child: str
    volunteer: str
    cost: int
    kept: bool = False      # an existing pair that is kept
    locked: bool = False


@dataclass
class Unmatched:
    child: str
    tier: str
    reason: str = ""
    detail: dict = field(default_factory=dict)


@dataclass
class SolveResult:
    pairs: list[Assignment]
    unmatched: list[Unmatched]
    objective: int
    optimal: bool
    seconds: float
    timings: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    # positional views (for explain / the web app)
    match: np.ndarray | None = None      # volunteer position per child, -1 if unmatched
    arc_of_child: np.ndarray | None = None  # arc position in the graph per child, -1 if none
    graph: CandidateGraph | None = field(default=None, repr=False)  # the graph solved
    #: the certificate's optimal duals (u per child, price per volunteer), when proven
    duals: tuple | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        """Exactly the exchange format of docs/matching-problem.md."""
        return {
            "pairs": [{"child": p.child, "volunteer": p.volunteer, "cost": p.cost}
                      for p in self.pairs],
            "unmatched": [{"child": u.child, "tier": u.tier, "reason": u.reason}
                          for u in self.unmatched],
            "objective": int(self.objective),
            "optimal": bool(self.optimal),
            "seconds": round(float(self.seconds), 3),
        }

