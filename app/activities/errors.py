"""The activities' refusal, in a module of its own: the services, cases and events raise it, the
views and the API show it (so no module needs another only for this name)."""
from __future__ import annotations

from app.core.errors import UserError


class ActivityError(UserError):
    """Input a log, case or event cannot be saved with; ``message`` is Chinese, ``field`` names the
    form field, ``code`` is a stable machine-readable reason for the API (``uuid_conflict``,
    ``not_allowed`` …)."""

    def __init__(self, field: str | None, message: str, code: str = "invalid"):
        super().__init__(message, field=field, code=code)
