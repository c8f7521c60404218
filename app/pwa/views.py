"""The installable app's pages: the service worker (/sw.js), the offline page and the outbox."""
from __future__ import annotations

import hashlib

from flask import current_app, render_template, request
from flask_login import current_user

from app.config import BASE_DIR
from app.core.permissions import PUBLIC, policy
from app.pwa.blueprint import bp

WORKBOX = "/static/vendor/workbox-7.4.1/"
#: static files of the app shell, precached at install
SHELL = ("css/app.css", "css/activities.css", "css/pwa.css", "js/app.js", "js/activities.js", "js/outbox.js",
         "js/pwa.js", "js/pwa-form.js", "icons/icon-192.png", "icons/icon-512.png", "icons/maskable-192.png",
         "icons/maskable-512.png", "manifest.webmanifest")
OFFLINE_TEMPLATE = "pwa/offline.html"


def _revision(*paths) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def precache_manifest() -> list[dict]:
    """``[{url, revision}]`` of the app shell (revisions change whenever a file does)."""
    static = BASE_DIR / "static"
    entries = [{"url": f"/static/{name}", "revision": _revision(static / name)} for name in SHELL]
    offline_sources = [BASE_DIR / "templates" / OFFLINE_TEMPLATE, static / "css/app.css",
                       BASE_DIR / "translations/en/LC_MESSAGES/messages.po"]
    entries.append({"url": "/offline", "revision": _revision(*offline_sources)})
    return entries


@bp.route("/sw.js")
@policy(PUBLIC)
def service_worker():
    body = render_template("pwa/sw.js", precache=precache_manifest(), workbox=WORKBOX,
                           debug=current_app.debug)
    return current_app.response_class(body, mimetype="text/javascript")


@bp.after_app_request
def service_worker_headers(response):
    # Registered with the blueprint, before the app's own header hook, so it runs after it and
    # may replace its no-store: the worker is revalidated on every check, never stale.
    if request.endpoint == "pwa.service_worker":
        response.headers["Service-Worker-Allowed"] = "/"
        response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/offline")
@policy(PUBLIC)
def offline():
    """Shown by the service worker for a page that is not cached (precached: no personal data)."""
    return render_template(OFFLINE_TEMPLATE)


@bp.route("/outbox")
@policy("authenticated")
def outbox():
    """What this phone still has to send (the list itself lives on the phone: static/js/pwa.js
    fills it in). ``?leaving=1``: asked on logout while records are waiting."""
    return render_template("pwa/outbox.html", leaving=request.args.get("leaving") == "1",
                           is_volunteer=current_user.role == "volunteer")
