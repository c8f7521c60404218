"""Siblings: children of one household should have the same carer where capacity allows.

"Together" is a property of pairs of pairs, which a min-cost flow cannot price exactly, so the
optimum is computed as before and the households it splits are flagged afterwards, each with a
one-tap fix the coordinator may take: pin every sibling of the round to one volunteer who may
take them all. The re-solve under those pins is exact again (pins are constraints of the
solver), and what the fix costs shows in the diff between the two proposals.

A household is *split* when its children in the round do not all have the same volunteer, or a
sibling outside the round (paired already, in queue mode) has a carer that its siblings in the
round do not share. A household whose children all stay unmatched, with no carer outside, is
not split: there is no carer to keep them together with.

The fix is a volunteer ``v`` that:

* has an arc (every hard constraint holds) to every sibling of the round, not excluded by the
  coordinator, and no sibling is pinned to another volunteer;
* has places for them all: ``v``'s places in this round (capacity less held places; in queue
  mode what is left after today's pairs) less the children of other households pinned to ``v``
  are at least the number of siblings in the round.

Among such volunteers: first one that already cares for a sibling outside the round, then one
that already has a sibling in the round, then the lowest total pair cost of the siblings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np

from .graph import CandidateGraph
from .problem import Problem


@dataclass
class SiblingSplit:
    """A household the result splits, and the fix (None when no volunteer may take them all)."""

    household: str
    children: list[str]
    volunteers: list[str | None]  # each child's volunteer in the result (None: left out)
    carers: list[str] = field(default_factory=list)  # carers of siblings outside the round
    fix: str | None = None  # the volunteer to pin every sibling of the round to
    #: the siblings to pin to ``fix`` (all of the round but those pinned to it already: one
    #: that is with ``fix`` now must stay there when the others join)
    pin: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"household": self.household, "children": self.children,
                "volunteers": self.volunteers, "carers": self.carers, "fix": self.fix,
                "pin": self.pin}


def sibling_splits(p: Problem, g: CandidateGraph, match: np.ndarray, *,
                   carers: Mapping[str, Iterable[str]] | None = None,
                   forbidden: Iterable[tuple[int, int]] = ()) -> list[SiblingSplit]:
    """The households that the assignment ``match`` (volunteer position per child, -1: none)
    splits, with their fixes (see the module docstring), in household order.

    ``carers``: household id -> ids of the volunteers caring today for siblings that are not
    in this problem (unknown volunteer ids are kept as carers but cannot be a fix).
    ``forbidden``: (child, volunteer) positions excluded besides the problem's own exclusions.
    """
    carers = {h: list(vs) for h, vs in (carers or {}).items()}
    in_round = np.flatnonzero(p.c_household >= 0)
    if in_round.size == 0:
        return []
    groups: dict[int, list[int]] = {}
    for i in in_round.tolist():
        groups.setdefault(int(p.c_household[i]), []).append(i)
    arcs = _arcs_of(g, in_round)
    banned = set(zip(p.excl_child.tolist(), p.excl_vol.tolist())) | set(forbidden)
    pinned = dict(zip(p.pin_child.tolist(), p.pin_vol.tolist()))
    pins_at = np.bincount(p.pin_vol, minlength=p.n_volunteers) if p.pin_vol.size else \
        np.zeros(p.n_volunteers, dtype=np.int64)
    vidx = p.volunteer_index
    out = []
    for h, kids in sorted(groups.items(), key=lambda x: p.households[x[0]]):
        name = p.households[h]
        outside = carers.get(name, [])
        now = [int(match[i]) for i in kids]
        if len(set(now) | {vidx.get(v, -2) for v in outside}) <= 1:
            continue  # all with one carer, or all left out with none outside
        split = SiblingSplit(name, [p.child_ids[i] for i in kids],
                             [p.volunteer_ids[j] if j >= 0 else None for j in now], list(outside))
        fix = _fix(p, kids, now, [vidx[v] for v in outside if v in vidx], arcs, banned, pinned,
                   pins_at)
        if fix is not None:
            split.fix = p.volunteer_ids[fix]
            split.pin = [p.child_ids[i] for i in kids if pinned.get(i) != fix]
        out.append(split)
    return out


def _arcs_of(g: CandidateGraph, children: np.ndarray) -> dict[int, dict[int, int]]:
    """child -> {volunteer: pair cost} for the feasible arcs of ``children``."""
    pos = g.arcs_of_children(children)
    out: dict[int, dict[int, int]] = {}
    for i, j, c in zip(g.ci[pos].tolist(), g.vj[pos].tolist(), g.cost[pos].tolist()):
        out.setdefault(i, {})[j] = c
    return out


def _fix(p: Problem, kids: list[int], now: list[int], outside: list[int], arcs: dict,
         banned: set, pinned: dict, pins_at: np.ndarray) -> int | None:
    """The volunteer to pin every sibling of ``kids`` to, or None (module docstring)."""
    common = None
    for i in kids:
        ok = {j for j in arcs.get(i, {}) if (i, j) not in banned}
        if i in pinned:
            ok &= {pinned[i]}
        common = ok if common is None else common & ok
    best = None
    for j in common or ():
        others = int(pins_at[j]) - sum(1 for i in kids if pinned.get(i) == j)
        if int(p.v_cap[j]) - others < len(kids):
            continue
        key = (j not in outside, j not in now, sum(arcs[i][j] for i in kids), j)
        if best is None or key < best[0]:
            best = (key, j)
    return None if best is None else best[1]
