"""Value objects a problem is built from in Python: parameters, a child, a volunteer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from .rules import (DEFAULT_UNMATCHED, TIERS, age_band_of, required_skills_of, tier_of)


@dataclass(frozen=True)
class Params:
    gender_rule: bool = True
    girl_age: int = 10
    missing_need_cost: int = 3000
    preference_cost: int = 2000
    unmatched_cost: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_UNMATCHED))
    churn_cost: int = 50000

    def unmatched_costs(self) -> np.ndarray:
        """Unmatched cost per tier code (normal, key, urgent) as int64."""
        return np.array([self.unmatched_cost[t] for t in TIERS], dtype=np.int64)

    def to_dict(self) -> dict:
        return {"gender_rule": self.gender_rule, "girl_age": self.girl_age,
                "missing_need_cost": self.missing_need_cost,
                "preference_cost": self.preference_cost,
                "unmatched_cost": {t: self.unmatched_cost[t] for t in TIERS},
                "churn_cost": self.churn_cost}


@dataclass(frozen=True)
class Child:
    id: str
    lat: float
    lon: float
    county: str
    female: bool
    age: int
    categories: Sequence[str] = ()
    needs: Sequence[str] = ()
    school: str | None = None  # optional: the school the child attends
    household: str | None = None  # optional: siblings share one (engine/siblings.py)

    @property
    def tier(self) -> str:
        return tier_of(self.categories)

    @property
    def required_skills(self) -> list[str]:
        return required_skills_of(self.categories)

    @property
    def age_band(self) -> str:
        return age_band_of(self.age)

    def to_dict(self) -> dict:
        d = {"id": self.id, "lat": self.lat, "lon": self.lon, "county": self.county,
             "female": self.female, "age": self.age,
             "categories": _as_list(self.categories), "needs": _as_list(self.needs)}
        if self.school is not None:
            d["school"] = self.school
        if self.household is not None:
            d["household"] = self.household
        return d


@dataclass(frozen=True)
class Volunteer:
    id: str
    lat: float
    lon: float
    county: str
    female: bool
    capacity: int
    max_km: float
    cross_county: bool = False
    skills: Sequence[str] = ()
    prefer_gender: str | None = None
    prefer_age_band: str | None = None
    held: int = 0  # places the coordinator holds back (not offered in this round)
    school: str | None = None  # a teacher's school: serves only children of that school

    def to_dict(self) -> dict:
        d = self._fields()
        if self.held:
            d["held"] = self.held
        if self.school is not None:
            d["school"] = self.school
        return d

    def _fields(self) -> dict:
        return {"id": self.id, "lat": self.lat, "lon": self.lon, "county": self.county,
                "female": self.female, "capacity": self.capacity, "max_km": self.max_km,
                "cross_county": self.cross_county, "skills": _as_list(self.skills),
                "prefer_gender": self.prefer_gender, "prefer_age_band": self.prefer_age_band}


def _as_list(x):
    if isinstance(x, (set, frozenset)):
        return sorted(x)
    if isinstance(x, (list, tuple)):
        return list(x)
    return x  # left for the validator to reject

