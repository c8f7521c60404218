"""Configuration read from the environment.

``XIANGBAN_CONFIG`` picks a profile (``development`` — the default —, ``testing`` or
``production``); individual settings come from environment variables.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


class Config:
    """Defaults shared by every profile."""

    NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'xiangban.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 5000
    REDIS_URL = os.environ.get("REDIS_URL") or None

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_CN": "中文", "en": "English"}

    WTF_CSRF_ENABLED = True
    WTF_CSRF_CHECK_DEFAULT = False  # checked in app.core.web, which knows about API tokens
    WTF_CSRF_HEADERS = ["X-CSRFToken", "X-CSRF-Token"]
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session (offline forms)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    SESSION_COOKIE_NAME = "xiangban_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    USER_SESSION_IDLE = timedelta(hours=12)
    # However active, a login session ends this long after it began (a stolen cookie dies too).
    USER_SESSION_MAX = timedelta(hours=float(os.environ.get("SESSION_MAX_HOURS", "24")))
    # Personal API tokens stop working this long after they were issued.
    API_TOKEN_LIFETIME = timedelta(days=float(os.environ.get("API_TOKEN_DAYS", "180")))
    # Number of reverse proxies in front of the site whose X-Forwarded-* headers are trusted.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    # Strict-Transport-Security max-age; 0 sends no header (production turns it on).
    HSTS_SECONDS = 0

    # argon2id: RFC 9106 "second recommended" profile (64 MiB, t=3, p=4).
    PASSWORD_HASH = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT = timedelta(minutes=15)
    LOGIN_IP_MAX_FAILURES = 30  # per IP per lockout window
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(BASE_DIR / "instance" / "uploads"))
    # Roster files waiting between preview and confirmation; unset: <instance>/imports.
    IMPORT_DIR = os.environ.get("IMPORT_DIR") or None
    DEMO_ALLOWED = True
    # Issued report files and thumbnails; unset: <instance>/reports.
    REPORTS_DIR = os.environ.get("REPORTS_DIR") or None
    # Processes rendering the chunks of one large PDF; unset: min(2, CPU count).
    REPORTS_PDF_WORKERS = int(os.environ.get("REPORTS_PDF_WORKERS", "0")) or None
    CASE_ESCALATE_HOURS = float(os.environ.get("CASE_ESCALATE_HOURS", "4"))
    # Reports estimated above this many rows run in the background (RQ when REDIS_URL is set).
    REPORTS_SYNC_ROWS = int(os.environ.get("REPORTS_SYNC_ROWS", "3000"))
    # The public address of this site (https://xiangban.example.gov.cn): printed reports carry
    # an absolute verification URL and its QR code built from it. Production refuses to issue
    # reports without it (a bare path on paper cannot be checked by anyone).
    SITE_URL = (os.environ.get("SITE_URL") or "").rstrip("/") or None

    # Notifications (see README "Notifications"). Links in messages are SITE_URL + path.
    # Escalation chain of an unacknowledged mandatory-report case: the village director at once,
    # the township supervisor after CASE_ESCALATE_HOURS, the county coordinator after
    # CASE_ESCALATE_COUNTY_HOURS (both counted from the report).
    CASE_ESCALATE_COUNTY_HOURS = float(os.environ.get("CASE_ESCALATE_COUNTY_HOURS", "8"))
    # The report form promises that the coordinator is told at once as well.
    CASE_NOTIFY_COORDINATOR_ON_OPEN = os.environ.get("CASE_NOTIFY_COORDINATOR_ON_OPEN", "1") == "1"
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None  # unset: no e-mail channel
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"  # SMTPS (465)
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"  # STARTTLS (587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "xiangban@localhost")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "15"))
    SMS_PROVIDER = os.environ.get("SMS_PROVIDER") or None  # "aliyun"; unset: no SMS channel
    SMS_ENDPOINT = os.environ.get("SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
    SMS_ACCESS_KEY_ID = os.environ.get("SMS_ACCESS_KEY_ID") or None
    SMS_ACCESS_KEY_SECRET = os.environ.get("SMS_ACCESS_KEY_SECRET") or None
    SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "相伴")
    SMS_TEMPLATE_CODE = os.environ.get("SMS_TEMPLATE_CODE") or None  # template with ${title} and ${url}
    SMS_REGION = os.environ.get("SMS_REGION", "cn-hangzhou")
    SMS_TIMEOUT = float(os.environ.get("SMS_TIMEOUT", "10"))
    VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY") or None  # unset: no Web Push
    VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY") or None
    VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:admin@localhost")
    NOTIFY_RATE_PER_HOUR = int(os.environ.get("NOTIFY_RATE_PER_HOUR", "6"))  # per person; cases exempt
    NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "4"))
    NOTIFY_RETRY_MINUTES = tuple(int(m) for m in os.environ.get("NOTIFY_RETRY_MINUTES", "1,5,30").split(","))
    NOTIFY_INLINE = False  # deliver in the committing thread (tests); else RQ or the in-process pool


class DevelopmentConfig(Config):
    NAME = "development"


class TestingConfig(Config):
    NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    # Cheap hashing in tests only; production parameters are checked by a test.
    PASSWORD_HASH = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    NOTIFY_INLINE = True
    MAIL_SERVER = None
    SMS_PROVIDER = None
    VAPID_PUBLIC_KEY = VAPID_PRIVATE_KEY = None


class ProductionConfig(Config):
    NAME = "production"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    DEMO_ALLOWED = False
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))


PROFILES = {c.NAME: c for c in (DevelopmentConfig, TestingConfig, ProductionConfig)}


def load_config(name: str | None = None) -> type[Config]:
    """Return the configuration class for ``name`` (or ``XIANGBAN_CONFIG``).

    :raise RuntimeError: on an unknown profile, or production without a real secret key.
    """
    name = name or os.environ.get("XIANGBAN_CONFIG", "development")
    try:
        config = PROFILES[name]
    except KeyError:
        raise RuntimeError(f"Unknown XIANGBAN_CONFIG {name!r}; use one of {sorted(PROFILES)}")
    if config is ProductionConfig and (
        not os.environ.get("SECRET_KEY") or not os.environ.get("DATABASE_URL")
    ):
        raise RuntimeError("Production needs SECRET_KEY and DATABASE_URL in the environment")
    return config
