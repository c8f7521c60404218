"""The application factory."""
from __future__ import annotations

import logging
import os
from importlib import import_module
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from app.config import BASE_DIR, load_config
from app.core.commands import LazyCommands, needs_routes
from app.extensions import babel, csrf, db, login_manager, migrate

#: The feature packages with pages, in the order their blueprints are registered. The pwa comes
#: last and before the app's request hooks: its header hook must run after the app's own.
FEATURES = ("home", "auth", "children", "volunteers", "activities", "matching", "protection", "reports", "school",
            "homes", "families", "rounds", "orgs", "plans", "api", "notify", "pwa")
#: ``flask --app wsgi <command>`` → the package whose ``cli.py`` lists it in ``COMMANDS``; the
#: module is imported only when its command runs (tests/core/test_commands.py keeps this whole).
CLI_COMMANDS = {
    "divisions": "core", "db-backup": "core", "db-restore": "core",
    "cases": "activities", "users": "auth", "children": "children", "notify": "notify",
    "protection": "protection", "reports": "reports", "seed-demo": "demo",
}


def create_app(config: dict | str | None = None, *, routes: bool = True) -> Flask:
    """Build the app. ``config`` is a profile name or a dict of overrides (tests).

    ``routes=False`` leaves out every feature's pages, for a command marked routeless
    (see :mod:`app.core.commands`)."""
    app = Flask(
        "app",
        root_path=str(BASE_DIR / "app"),
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(BASE_DIR / "instance"),
    )
    app.cli = LazyCommands(CLI_COMMANDS)
    overrides = config if isinstance(config, dict) else {}
    profile = config if isinstance(config, str) else overrides.pop("PROFILE", None)
    app.config.from_object(load_config(profile))
    app.config.update(overrides)
    Path(app.instance_path).mkdir(exist_ok=True)
    check_production_config(app)
    install_request_plumbing(app)

    register_extensions(app)
    if routes:
        register_blueprints(app)
    from app.notify.jobs import install_commit_hook

    install_commit_hook()
    from app.api.auth import authenticate_bearer
    from app.core import web

    web.register_request_hooks(app, authenticators=[authenticate_bearer])
    web.register_error_handlers(app)
    web.register_template_helpers(app)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))
    return app


def check_production_config(app: Flask) -> None:
    """Refuse to start production with a guessable signing key (sessions and CSRF rely on it)."""
    if app.config.get("NAME") != "production":
        return
    key = app.config.get("SECRET_KEY") or ""
    if len(key.encode() if isinstance(key, str) else key) < 32:
        raise RuntimeError("SECRET_KEY must be at least 32 bytes in production "
                           "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')")


def install_request_plumbing(app: Flask) -> None:
    """Bounded ids in URLs and parameters, and the client's real address behind reverse proxies."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from app.core.web import BoundedIntConverter, XiangbanRequest

    app.request_class = XiangbanRequest
    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:
        # Trust exactly as many X-Forwarded-* hops as there are proxies: a client cannot forge
        # its address past them, and throttling and audit see the real client, not the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def register_extensions(app: Flask) -> None:
    from app.core.web import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(BASE_DIR / "translations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.session_protection = None  # server-side sessions do the work (see auth.services)

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import redirect, request, url_for

        from app.core.web import wants_json

        if wants_json():
            from app.core.errors import error_response

            return error_response(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @login_manager.user_loader
    def load_user(token: str):
        from app.auth.services import load_session_user

        return load_session_user(token)

    with app.app_context():
        _configure_engine(app)
    _import_models()


def _configure_engine(app: Flask) -> None:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        busy = app.config["SQLITE_BUSY_TIMEOUT_MS"]

        @sa.event.listens_for(engine, "connect")
        def sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            if app.config["SQLALCHEMY_DATABASE_URI"] not in ("sqlite://", "sqlite:///:memory:"):
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={int(busy)}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()


def _import_models() -> None:
    # Every model module, so that Alembic and relationships see all tables.
    import app.activities.models  # noqa: F401
    import app.api.models  # noqa: F401
    import app.auth.models  # noqa: F401
    import app.children.models  # noqa: F401
    import app.core.audit  # noqa: F401
    import app.core.models  # noqa: F401
    import app.matching.models  # noqa: F401
    import app.notify.models  # noqa: F401
    import app.protection.models  # noqa: F401
    import app.reports.models  # noqa: F401
    import app.volunteers.models  # noqa: F401
    import app.homes.models  # noqa: F401
    import app.families.models  # noqa: F401
    import app.rounds.models  # noqa: F401
    import app.plans.models  # noqa: F401


def register_blueprints(app: Flask) -> None:
    """Each feature's ``views`` module (importing it registers every route) and its blueprint."""
    for name in FEATURES:
        app.register_blueprint(import_module(f"app.{name}.views").bp)


def cli_needs_routes(argv: list[str]) -> bool:
    """Whether the process ``argv`` started needs the pages (see :func:`app.core.commands.needs_routes`)."""
    return needs_routes(argv, CLI_COMMANDS)
