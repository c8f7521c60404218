"""The activities blueprint with all its views registered (imported by the app factory)."""
from app.activities import views_cases, views_events, views_logs, views_overview  # noqa: F401
from app.activities.blueprint import bp

__all__ = ["bp"]
