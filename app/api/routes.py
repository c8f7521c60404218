"""The API blueprint with all its endpoints registered (imported by the app factory)."""
from app.api import children, events, logs, sync, views  # noqa: F401
from app.api.blueprint import bp

__all__ = ["bp"]
