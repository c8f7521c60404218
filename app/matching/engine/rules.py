"""The matching vocabulary and its derived rules (docs/matching-problem.md), and geometry.

Codes (categories, skills, tiers, age bands), the tier / required-skill / age-band rules in a
scalar and a vectorised form, and great-circle distances. No other module of the engine is
imported here: everything else builds on it.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import numpy as np

from .skills import N_, SKILL_LABELS  # noqa: F401  (re-exported)

CATEGORIES = ("no_guardian", "one_parent_incapable", "dropout", "no_hukou", "ill", "disabled")
SKILLS = tuple(SKILL_LABELS)
TIERS = ("normal", "key", "urgent")  # tier codes 0, 1, 2 (higher = more urgent)
#: band codes 0-3. Children in difficulty stay on the registry until 18, so 17-year-olds (and
#: the orphans over 18 still in study) have a band of their own: "14-16" stays what it says.
AGE_BANDS = ("0-5", "6-13", "14-16", "17+")
GENDERS = ("male", "female")  # prefer_gender codes 0, 1 (-1: no preference)

CAT_BIT = {name: 1 << k for k, name in enumerate(CATEGORIES)}
SKILL_BIT = {name: 1 << k for k, name in enumerate(SKILLS)}
BAND_CODE = {name: k for k, name in enumerate(AGE_BANDS)}
GENDER_CODE = {name: k for k, name in enumerate(GENDERS)}

URGENT_CATS = CAT_BIT["no_guardian"] | CAT_BIT["one_parent_incapable"]
KEY_CATS = CAT_BIT["dropout"] | CAT_BIT["no_hukou"] | CAT_BIT["ill"] | CAT_BIT["disabled"]

EARTH_RADIUS_KM = 6371.0088
MAX_PARAM = 10**12  # keeps every objective far inside int64 (and OR-Tools' cost scaling)

DEFAULT_UNMATCHED = {"normal": 100_000, "key": 1_000_000, "urgent": 10_000_000}


class ProblemError(ValueError):
    """A malformed problem; the message names the offending record."""


# --------------------------------------------------------------------------------------------
# Derived rules (scalar versions; the vectorised ones live in Problem)
# --------------------------------------------------------------------------------------------

def mask_of(names: Iterable[str], bits: Mapping[str, int]) -> int:
    m = 0
    for n in names:
        m |= bits[n]
    return m


def names_of(mask: int, names: Sequence[str]) -> list[str]:
    return [n for k, n in enumerate(names) if mask >> k & 1]


def tier_code(cat_mask: int) -> int:
    if cat_mask & URGENT_CATS:
        return 2
    if cat_mask & KEY_CATS:
        return 1
    return 0


def required_mask(cat_mask: int) -> int:
    r = 0
    if cat_mask & URGENT_CATS:
        r |= SKILL_BIT["guardianship"]
    if cat_mask & CAT_BIT["disabled"]:
        r |= SKILL_BIT["disability_care"]
    if cat_mask & CAT_BIT["ill"]:
        r |= SKILL_BIT["health"]
    if cat_mask & CAT_BIT["dropout"]:
        r |= SKILL_BIT["dropout_return"]
    return r


def band_code(age: int) -> int:
    return 0 if age <= 5 else (1 if age <= 13 else (2 if age <= 16 else 3))


def tier_of(categories: Iterable[str]) -> str:
    """``urgent``, ``key`` or ``normal`` for a list of category names."""
    return TIERS[tier_code(mask_of(categories, CAT_BIT))]


def required_skills_of(categories: Iterable[str]) -> list[str]:
    return names_of(required_mask(mask_of(categories, CAT_BIT)), SKILLS)


def age_band_of(age: int) -> str:
    return AGE_BANDS[band_code(age)]


def derive_child_columns(cats: np.ndarray, age: np.ndarray) -> dict[str, np.ndarray]:
    """Tier, required skills and age band (vectorised derived rules)."""
    urgent = (cats & URGENT_CATS) != 0
    key = (cats & KEY_CATS) != 0
    tier = np.where(urgent, 2, np.where(key, 1, 0)).astype(np.int8)
    req = np.zeros(cats.shape, dtype=np.uint16)
    req |= np.where(urgent, SKILL_BIT["guardianship"], 0).astype(np.uint16)
    req |= np.where(cats & CAT_BIT["disabled"], SKILL_BIT["disability_care"], 0).astype(np.uint16)
    req |= np.where(cats & CAT_BIT["ill"], SKILL_BIT["health"], 0).astype(np.uint16)
    req |= np.where(cats & CAT_BIT["dropout"], SKILL_BIT["dropout_return"], 0).astype(np.uint16)
    band = np.searchsorted(np.array([5, 13, 16]), age, side="left").astype(np.int8)
    return {"c_tier": tier, "c_req": req, "c_band": band}


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km on the sphere of radius 6371.0088 km (vectorised)."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - lon1)
    h = np.sin(dp * 0.5) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl * 0.5) ** 2
    return (2.0 * EARTH_RADIUS_KM) * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def unit_xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (chord length is monotone in great-circle distance)."""
    la = np.radians(lat)
    lo = np.radians(lon)
    c = np.cos(la)
    return np.column_stack((c * np.cos(lo), c * np.sin(lo), np.sin(la)))


def km_to_chord(km) -> np.ndarray:
    return 2.0 * np.sin(np.minimum(np.asarray(km, dtype=np.float64) / EARTH_RADIUS_KM, math.pi)
                        * 0.5)

