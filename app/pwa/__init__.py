"""The installable web app (PWA): the service worker (/sw.js), the offline page and the outbox page.

The service worker is built with Workbox 7.4.1 (vendored under static/vendor, never a CDN). It
precaches the app shell — CSS, JS, icons, manifest and the offline page, each with a revision
hashed from its content, so a deployment that changes a file installs a new worker — and
keeps the volunteer's pages (今日待办, a child's history, the log forms, the outbox) network
first, so they open offline after one visit. It never caches the API, photos, or any page
that shows an identity number.

The web app manifest is static/manifest.webmanifest; the phone side is static/js/pwa.js (the
outbox), outbox.js and pwa-form.js.
"""
