"""The solver's tuning constants, in one place and before any code that reads them.

None of them changes a result: the solver is exact and certifies its optimum whatever they are;
they only decide which way it gets there. Code reads them as ``tuning.NAME`` at call time, so a
test can change one with ``monkeypatch.setattr(tuning, NAME, value)``. The measurements behind
each value are in bench/matching/HISTORY.md.
"""

#: a re-match: at most this share of the places is free after the still-feasible existing pairs.
#: "auto" then picks the pruned method even for several counties; on a fresh round of several
#: counties the county method.
PRUNED_FREE_SHARE = 0.10

#: re-solves after a repair run on costs reduced by the duals, capped at this (exact: see
#: flow.flow_used_reduced; OR-Tools' cost scaling needs fewer phases on smaller costs).
REDUCED_COST_CAP = 100_000

#: nearly tight arcs (reduced cost below this) join the arc set P with the violating ones after
#: the first pruned solve, whose duals are rough...
NEAR_TIGHT_FIRST = 2000
#: ... and after the classes method's solve (its duals are only a first guess)
NEAR_TIGHT_CLASSES = 200
#: ... and in the county method's cross-county step (the per-county duals are exact; smaller is
#: better there, but 0 makes the least duals need many rounds to settle).
NEAR_TIGHT_CROSS = 400

#: a repair (re-solve of the region around improving arcs) instead of a joint re-solve when at
#: most this many arcs improve.
REPAIR_MAX_ARCS = 100_000
#: with at most this many distinct heads (volunteers), the region is the children on the shortest
#: cycle through each arc (one Dijkstra per head); above it, the wider two-Dijkstra bound.
REPAIR_EXACT_PATHS = 16
#: ... and only when the region holds at most this share of the children (else everyone is
#: re-solved on the pruned arc set).
REPAIR_MAX_SHARE = 0.6

#: a round that is not the county method's is solved as classes of interchangeable children
#: (engine/classes.py) when there are at most this share as many classes as children (children
#: at their village's point: family B of the bench), else by the pruned method
CLASS_SHARE = 0.75

#: counties are solved in parallel processes (OR-Tools holds the GIL) when the machine has more
#: than one core and the per-county graphs together have at least this many arcs (below it,
#: starting the processes costs more than it saves).
PARALLEL_MIN_ARCS = 2_000_000
MAX_COUNTY_WORKERS = 2
#: a fresh round of at least this many children in several counties starts the county solves
#: while the graph is being built (county.CountyPipeline).
PIPELINE_MIN_CHILDREN = 10_000

#: the first pruned arc set: each child's this many cheapest arcs...
PRUNED_ARCS_PER_CHILD = 8
#: ... and, per free place of a volunteer, about this many of its cheapest arcs to normal
#: children without an existing pair.
PRUNED_ARCS_PER_PLACE = 60
#: ... and about this many to every volunteer, full or not (its price then meets the competition
#: of the children without a pair: without them a full volunteer's least price is too low and
#: every unmatched child in its range violates the certificate)
PRUNED_ARCS_PER_FULL = 8
#: the county solves hand back about this many cheapest arcs per child (the seed of P).
CHEAP_ARCS_PER_CHILD = 4

#: a round of at least this many children (not steered) whose children group into at most
#: CLASS_SHARE as many classes is first looked at on its class graph (engine/classgraph.py: one
#: member per class)...
CLASS_GRAPH_MIN_CHILDREN = 5_000
#: ... and solved there when every child's arcs would be more than this many; else the
#: per-child graph is built as usual
CLASS_GRAPH_MIN_ARCS = 1_000_000
#: the class graph's first arc set: each volunteer's this many cheapest arcs (with each class's
#: PRUNED_ARCS_PER_CHILD cheapest)
CLASS_GRAPH_ARCS_PER_VOLUNTEER = 8
#: ... and each round adds the violating arcs (at most this many per class and per volunteer,
#: the most violated, when they are very many) ...
CLASS_GRAPH_MOST_VIOLATED = 8
#: ... or, when they are fewer, the nearly tight arcs with them (reduced cost below this)
CLASS_GRAPH_NEAR_TIGHT = 200
#: the class graph's first arc set: each class's this many cheapest arcs
CLASS_GRAPH_ARCS_PER_CLASS = 8
