"""The activities pages: importing this module registers every route (``views_<topic>.py``) on
the blueprint of :mod:`app.activities.blueprint`."""
from app.activities import views_cases, views_events, views_logs, views_overview  # noqa: F401
from app.activities.blueprint import bp

__all__ = ["bp"]
