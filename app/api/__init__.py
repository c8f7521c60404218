"""The JSON API under /api/v1 (OpenAPI 3 at /api/v1/openapi.json), for the phone app and offline sync.

* Who: the browser session (writes send ``X-CSRFToken``; ``GET /api/v1/csrf`` hands out a fresh
  token when a cached page's has expired) or a personal token, ``Authorization: Bearer xb_…``
  (made on /settings/tokens or with ``flask --app wsgi users token USERNAME``), which ignores cookies.
* What: ``/me``, ``/children`` (what is due, no identity numbers), ``/logs`` (idempotent on the
  phone's ``client_uuid``; ``concerns`` make the mandatory report in the same transaction),
  ``/logs/{id}/photos`` (one photo per request, idempotent on its key), ``/sync`` (a batch, one
  transaction and one answer per item), ``/events/{id}/attendance`` and ``/checkin``.
* Errors: always ``{"error": {status, code, message (Chinese), message_en, request_id, fields?}}``.

The same activities services and permission rules serve the HTML views and the API. The
installable app (service worker, offline and outbox pages) is :mod:`app.pwa`; the phone
side is static/js/outbox.js, pwa.js and pwa-form.js.
"""
