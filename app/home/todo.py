"""The to-do registry behind every home page.

A *provider* is a function ``fn(user, today) -> Iterable[TodoItem]`` that returns the items for
``user`` inside that user's scope (it must apply the same scope clauses as the pages it links to,
so a line never points at something the user cannot open). Packages register providers at import
time, once, with :func:`register_provider` or the :func:`provider` decorator, naming the roles the
provider serves; :func:`todo_for` gathers them and sorts the lines most urgent first.

Example (in ``app/<your package>/todo_providers.py``, found and imported by :func:`load_providers`)::

    from app.home.todo import HIGH, TodoItem, provider

    @provider("village_director", "coordinator")
    def open_gaps(user, today):
        n = ...  # count in the user's scope
        if n:
            yield TodoItem(key="duties.gaps", title=_l("监护缺位待处理"), count=n, urgency=HIGH,
                           url=url_for("duties.gaps"))

Providers only read; they never write or commit.
"""
from __future__ import annotations

import logging
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from importlib import util as importlib_util
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)
APP_DIR = Path(__file__).resolve().parents[1]

# Urgency, lower first. The home page shows the first three with a coloured mark.
CRITICAL = 0  # a child may be in danger now (escalated, unacknowledged mandatory report)
HIGH = 1      # overdue or past a deadline
NORMAL = 2    # due soon, waiting for this person
INFO = 3      # worth knowing (recent reports, upcoming events)
URGENCY_NAMES = {CRITICAL: "critical", HIGH: "high", NORMAL: "normal", INFO: "info"}

Provider = Callable[..., Iterable["TodoItem"]]


@dataclass(frozen=True)
class TodoItem:
    """One line of a home page.

    ``title`` is shown as is (pass a lazily translated string or an already translated one);
    ``count`` when the line stands for several things; ``due`` a deadline (China date), shown and
    used to sort within an urgency; ``url`` the place to act; ``role`` is filled in by the registry
    with the role the list was built for; ``key`` identifies the line (tests, de-duplication).
    """

    key: str
    title: str
    url: str
    urgency: int = NORMAL
    due: date | None = None
    count: int | None = None
    detail: str = ""
    role: str | None = None

    def sort_key(self) -> tuple:
        return (self.urgency, self.due or date.max, -(self.count or 0), str(self.title))

    @property
    def urgency_name(self) -> str:
        return URGENCY_NAMES.get(self.urgency, "info")


@dataclass
class _Registration:
    fn: Provider
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def name(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"


_providers: list[_Registration] = []

#: Modules that define providers; imported once, before the first list is built. Besides these,
#: every ``app/<package>/todo_providers.py`` is imported (so a package plugs in without editing
#: this list); a module imported anyway at start-up may also just use the decorator.
PROVIDER_MODULES = [
    "app.home.providers",
]
DISCOVERED_NAME = "todo_providers"
_loaded = False


def register_provider(fn: Provider, *roles: str) -> Provider:
    """Register ``fn`` for ``roles`` (all roles when none are given). Registering the same
    function twice is a no-op, so a module re-imported in tests does not double its lines."""
    from app.core.permissions import ALL_ROLES

    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"unknown roles for to-do provider {fn.__qualname__}: {sorted(unknown)}")
    registration = _Registration(fn, frozenset(roles) or frozenset(ALL_ROLES))
    _providers[:] = [r for r in _providers if r.name != registration.name]
    _providers.append(registration)
    return fn


def provider(*roles: str) -> Callable[[Provider], Provider]:
    """Decorator form of :func:`register_provider`."""
    def decorator(fn: Provider) -> Provider:
        return register_provider(fn, *roles)
    return decorator


def load_providers() -> None:
    global _loaded
    if not _loaded:
        for name in PROVIDER_MODULES + _discovered():
            import_module(name)
        _loaded = True


def _discovered() -> list[str]:
    # the packages beside app/home, read from the folder: importing the ``app`` package itself
    # would lead from a feature back to the factory
    return sorted(f"app.{info.name}.{DISCOVERED_NAME}" for info in pkgutil.iter_modules([str(APP_DIR)])
                  if info.ispkg and importlib_util.find_spec(f"app.{info.name}.{DISCOVERED_NAME}") is not None)


def providers_for(role: str) -> list[Provider]:
    load_providers()
    return [r.fn for r in _providers if role in r.roles]


def todo_for(user, today: date) -> list[TodoItem]:
    """Every provider's lines for ``user``, most urgent first.

    A provider that fails is logged and skipped (one broken list must not hide a child in danger
    from the rest of the page); under testing the error propagates so that it is seen.
    """
    items: list[TodoItem] = []
    seen: set[str] = set()
    for fn in providers_for(user.role):
        try:
            produced = list(fn(user, today) or ())
        except Exception:
            if current_app.testing:
                raise
            log.exception("to-do provider %s failed for user %s", fn.__qualname__, user.id)
            continue
        for item in produced:
            if item.key in seen:
                continue
            seen.add(item.key)
            items.append(item if item.role else _with_role(item, user.role))
    return sorted(items, key=TodoItem.sort_key)


def _with_role(item: TodoItem, role: str) -> TodoItem:
    from dataclasses import replace

    return replace(item, role=role)
