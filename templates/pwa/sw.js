/* 相伴 service worker (served by app/pwa/views.py). Workbox 7.4.1 is vendored: no CDN. */
/* global workbox */
"use strict";
importScripts("{{ workbox }}workbox-sw.js");
workbox.setConfig({ modulePathPrefix: "{{ workbox }}", debug: {{ 'true' if debug else 'false' }} });
workbox.loadModule("workbox-strategies");
workbox.loadModule("workbox-expiration");

var PAGES = "xiangban-pages";
var STATIC = "xiangban-static";
// Pages a volunteer needs in a village without signal: none of them shows an identity number.
var OFFLINE_PAGES = [
  /^\/activities\/today$/,
  /^\/activities\/children\/\d+$/,
  /^\/activities\/children\/\d+\/(talks|visits|holidays)\/new$/,
  /^\/outbox$/
];

workbox.core.setCacheNameDetails({ prefix: "xiangban" });
self.skipWaiting();
workbox.core.clientsClaim();

workbox.precaching.precacheAndRoute({{ precache|tojson }});
workbox.precaching.cleanupOutdatedCaches();

// Only a complete page of our own is kept: never an error, a redirect (to the login page, say)
// or anything the server did not answer with 200.
var onlyComplete = {
  cacheWillUpdate: function (args) {
    var r = args.response;
    return r && r.status === 200 && r.type === "basic" && !r.redirected ? r : null;
  }
};
var pages = new workbox.strategies.NetworkFirst({
  cacheName: PAGES,
  networkTimeoutSeconds: 6,
  matchOptions: { ignoreVary: true },
  plugins: [onlyComplete, new workbox.expiration.ExpirationPlugin({ maxEntries: 120, maxAgeSeconds: 30 * 24 * 3600 })]
});

function sameOrigin(url) { return url.origin === self.location.origin; }
function offlinePage() { return workbox.precaching.matchPrecache("/offline"); }

workbox.routing.registerRoute(function (ctx) {
  return ctx.request.mode === "navigate" && sameOrigin(ctx.url) &&
    OFFLINE_PAGES.some(function (re) { return re.test(ctx.url.pathname); });
}, pages);

// The start page "/" sends a volunteer to 今日待办: offline, open the cached one directly.
workbox.routing.registerRoute(function (ctx) {
  return ctx.request.mode === "navigate" && sameOrigin(ctx.url) && ctx.url.pathname === "/";
}, function (ctx) {
  return fetch(ctx.request).catch(function () {
    return caches.open(PAGES).then(function (cache) {
      return cache.match("/activities/today", { ignoreVary: true });
    }).then(function (page) { return page || offlinePage(); });
  });
});

// Any other page: straight to the network, the offline page when there is none.
workbox.routing.registerRoute(function (ctx) {
  return ctx.request.mode === "navigate" && sameOrigin(ctx.url);
}, new workbox.strategies.NetworkOnly());

// Other static files (not in the shell): fast from the cache, refreshed in the background.
workbox.routing.registerRoute(function (ctx) {
  return sameOrigin(ctx.url) && ctx.url.pathname.indexOf("/static/") === 0;
}, new workbox.strategies.StaleWhileRevalidate({ cacheName: STATIC, plugins: [onlyComplete] }));

workbox.routing.setCatchHandler(function (ctx) {
  return ctx.request.destination === "document" ? offlinePage() : Response.error();
});

// Messages from the pages (static/js/pwa.js):
//   {type: "warm", urls: [...]}  fetch and keep the pages a volunteer will need offline
//   {type: "forget"}             drop every cached page (logout, or another user on this phone)
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "warm" && Array.isArray(data.urls)) {
    event.waitUntil(Promise.all(data.urls.filter(function (u) {
      var url = new URL(u, self.location.origin);
      return sameOrigin(url) && OFFLINE_PAGES.some(function (re) { return re.test(url.pathname); });
    }).map(function (u) {
      return pages.handle({ event: event, request: new Request(u, { credentials: "same-origin" }) })
        .catch(function () { return null; });
    })));
  } else if (data.type === "forget") {
    event.waitUntil(caches.delete(PAGES));
  }
});

// Web Push (app.notify): show the notification; a tap opens the page it links to.
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: event.data && event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || "相伴", {
    body: data.body || "", icon: "/static/icons/icon-192.png", badge: "/static/icons/icon-192.png",
    data: { url: data.url || "/notifications" }, requireInteraction: true
  }));
});
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = new URL((event.notification.data && event.notification.data.url) || "/notifications", self.location.origin);
  if (!sameOrigin(url)) { url = new URL("/notifications", self.location.origin); }
  event.waitUntil(self.clients.openWindow(url.pathname + url.search));
});
