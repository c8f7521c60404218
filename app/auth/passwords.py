"""Password hashing with argon2id."""
from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def hasher() -> PasswordHasher:
    """The configured argon2id hasher (parameters from ``PASSWORD_HASH``)."""
    return PasswordHasher(type=Type.ID, **current_app.config["PASSWORD_HASH"])


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check ``password``; with no stored hash, spend the same time and return False."""
    ph = hasher()
    try:
        if stored_hash is None:
            ph.verify(_dummy_hash(), password)
            return False
        return ph.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY: dict[tuple, str] = {}


def _dummy_hash() -> str:
    key = tuple(sorted(current_app.config["PASSWORD_HASH"].items()))
    if key not in _DUMMY:
        _DUMMY[key] = hasher().hash("not-a-real-password")
    return _DUMMY[key]
