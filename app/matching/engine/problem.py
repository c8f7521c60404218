"""The matching problem, held as numpy columns.

A :class:`Problem` is columnar (one entry per child / volunteer) so that a prefecture of
100,000 children is cheap to hold and to turn into a candidate graph. It is built either from
the exchange format (:meth:`Problem.from_dict`, :meth:`Problem.from_json`, :func:`load_problem`)
or from Python objects (:meth:`Problem.from_objects` with :class:`Child` / :class:`Volunteer`);
both go through the same strict validation (:mod:`.parse`) and raise :class:`ProblemError` with a
message naming the offending record.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

import numpy as np

from .parse import parse_problem
from .rules import AGE_BANDS, CATEGORIES, GENDERS, SKILLS, ProblemError, names_of
from .values import Child, Params, Volunteer


class Problem:
    """A validated matching problem held as numpy columns.

    Children ``i`` (0..n_children-1) and volunteers ``j`` (0..n_volunteers-1) are addressed by
    position; ``child_ids`` / ``volunteer_ids`` give their ids. Child and volunteer ids live in
    separate namespaces. Existing pairs are ``ex_child[k], ex_vol[k]`` (positions).
    """

    def __init__(self, params: Params, child_ids: list[str], volunteer_ids: list[str],
                 counties: list[str], cols: dict[str, np.ndarray],
                 ex_child: np.ndarray, ex_vol: np.ndarray):
        self.params = params
        self.child_ids = child_ids
        self.volunteer_ids = volunteer_ids
        self.counties = counties  # county code -> county string
        for k, v in cols.items():
            setattr(self, k, v)
        self.ex_child = ex_child
        self.ex_vol = ex_vol
        self._cidx: dict[str, int] | None = None
        self._vidx: dict[str, int] | None = None

    # columns (declared for readers and type checkers)
    c_lat: np.ndarray       # float64 degrees
    c_lon: np.ndarray
    c_county: np.ndarray    # int32 code into counties
    c_female: np.ndarray    # bool
    c_age: np.ndarray       # int64
    c_cats: np.ndarray      # uint16 bitmask over CATEGORIES
    c_needs: np.ndarray     # uint16 bitmask over SKILLS
    c_tier: np.ndarray      # int8: 0 normal, 1 key, 2 urgent
    c_req: np.ndarray       # uint16 bitmask of required skills
    c_band: np.ndarray      # int8 age band code
    v_lat: np.ndarray
    v_lon: np.ndarray
    v_county: np.ndarray
    v_female: np.ndarray
    v_capacity: np.ndarray  # int64, as given
    v_held: np.ndarray      # int64, places held back by the coordinator
    v_cap: np.ndarray       # int64, places the solver may fill: max(capacity - held, 0)
    v_max_km: np.ndarray    # float64
    v_cross: np.ndarray     # bool
    v_skills: np.ndarray    # uint16 bitmask over SKILLS
    v_pref_gender: np.ndarray  # int8: -1 none, 0 male, 1 female
    v_pref_band: np.ndarray    # int8: -1 none, else band code
    # optional school (code into ``schools``, -1 none): a volunteer with a school serves only
    # children of that school
    c_school: np.ndarray
    v_school: np.ndarray
    schools: list
    # optional household (code into ``households``, -1 none): siblings share one
    c_household: np.ndarray
    households: list
    # the coordinator's steering: pinned pairs (must be kept) and excluded pairs (never)
    pin_child: np.ndarray = np.zeros(0, dtype=np.int64)
    pin_vol: np.ndarray = np.zeros(0, dtype=np.int64)
    excl_child: np.ndarray = np.zeros(0, dtype=np.int64)
    excl_vol: np.ndarray = np.zeros(0, dtype=np.int64)

    # ---- sizes and lookups -----------------------------------------------------------------
    @property
    def n_children(self) -> int:
        return len(self.child_ids)

    @property
    def n_volunteers(self) -> int:
        return len(self.volunteer_ids)

    @property
    def child_index(self) -> dict[str, int]:
        if self._cidx is None:
            self._cidx = {cid: i for i, cid in enumerate(self.child_ids)}
        return self._cidx

    @property
    def volunteer_index(self) -> dict[str, int]:
        if self._vidx is None:
            self._vidx = {vid: j for j, vid in enumerate(self.volunteer_ids)}
        return self._vidx

    def girl_rule_mask(self) -> np.ndarray:
        """Children who may only be paired with a female volunteer (safeguarding)."""
        p = self.params
        if not p.gender_rule:
            return np.zeros(self.n_children, dtype=bool)
        return self.c_female & (self.c_age >= p.girl_age)

    def child(self, i: int) -> Child:
        return Child(id=self.child_ids[i], lat=float(self.c_lat[i]), lon=float(self.c_lon[i]),
                     county=self.counties[self.c_county[i]], female=bool(self.c_female[i]),
                     age=int(self.c_age[i]), categories=names_of(int(self.c_cats[i]), CATEGORIES),
                     needs=names_of(int(self.c_needs[i]), SKILLS),
                     school=self.schools[self.c_school[i]] if self.c_school[i] >= 0 else None,
                     household=(self.households[self.c_household[i]] if self.c_household[i] >= 0
                                else None))

    def volunteer(self, j: int) -> Volunteer:
        pg = int(self.v_pref_gender[j])
        pb = int(self.v_pref_band[j])
        return Volunteer(id=self.volunteer_ids[j], lat=float(self.v_lat[j]),
                         lon=float(self.v_lon[j]), county=self.counties[self.v_county[j]],
                         female=bool(self.v_female[j]), capacity=int(self.v_capacity[j]),
                         max_km=float(self.v_max_km[j]), cross_county=bool(self.v_cross[j]),
                         skills=names_of(int(self.v_skills[j]), SKILLS),
                         prefer_gender=GENDERS[pg] if pg >= 0 else None,
                         prefer_age_band=AGE_BANDS[pb] if pb >= 0 else None,
                         held=int(self.v_held[j]),
                         school=self.schools[self.v_school[j]] if self.v_school[j] >= 0 else None)

    def to_dict(self) -> dict:
        """The exchange format (round-trips through :meth:`from_dict`)."""
        return {"params": self.params.to_dict(),
                "children": [self.child(i).to_dict() for i in range(self.n_children)],
                "volunteers": [self.volunteer(j).to_dict() for j in range(self.n_volunteers)],
                "existing_pairs": self._pairs(self.ex_child, self.ex_vol),
                **({"pinned": self._pairs(self.pin_child, self.pin_vol)} if self.pin_child.size
                   else {}),
                **({"excluded": self._pairs(self.excl_child, self.excl_vol)}
                   if self.excl_child.size else {})}

    def _pairs(self, cs: np.ndarray, vs: np.ndarray) -> list[dict]:
        return [{"child": self.child_ids[c], "volunteer": self.volunteer_ids[v]}
                for c, v in zip(cs.tolist(), vs.tolist())]

    @property
    def pinned(self) -> list[tuple[str, str]]:
        """The pinned pairs as (child id, volunteer id)."""
        return [(self.child_ids[c], self.volunteer_ids[v])
                for c, v in zip(self.pin_child.tolist(), self.pin_vol.tolist())]

    @property
    def excluded(self) -> list[tuple[str, str]]:
        """The excluded pairs as (child id, volunteer id)."""
        return [(self.child_ids[c], self.volunteer_ids[v])
                for c, v in zip(self.excl_child.tolist(), self.excl_vol.tolist())]

    def __repr__(self) -> str:
        return (f"Problem({self.n_children} children, {self.n_volunteers} volunteers, "
                f"{len(self.ex_child)} existing pairs)")

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def from_json(cls, text: str | bytes) -> "Problem":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ProblemError(f"invalid JSON: {e}") from None
        except UnicodeDecodeError as e:
            raise ProblemError(f"invalid JSON: not UTF-8 ({e})") from None
        return cls.from_dict(data)

    @classmethod
    def from_objects(cls, children: Iterable[Child], volunteers: Iterable[Volunteer],
                     existing_pairs: Iterable[tuple[str, str]] = (),
                     params: Params | None = None) -> "Problem":
        """Build from :class:`Child` / :class:`Volunteer` objects and ``(child_id,
        volunteer_id)`` tuples (same validation as the exchange format)."""
        data = {
            "params": (params or Params()).to_dict(),
            "children": [c.to_dict() for c in children],
            "volunteers": [v.to_dict() for v in volunteers],
            "existing_pairs": [{"child": c, "volunteer": v} for c, v in existing_pairs],
        }
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any) -> "Problem":
        params, cid, vid, counties, cols, exc, exv, cidx, vidx = parse_problem(data)
        prob = cls(params, cid, vid, counties, cols, exc, exv)
        prob._cidx = cidx
        prob._vidx = vidx
        return prob


def load_problem(path: str) -> Problem:
    """Read and validate a problem file (raises :class:`ProblemError`, or ``OSError``)."""
    with open(path, "rb") as f:
        raw = f.read()
    return Problem.from_json(raw)

