// The phone's outbox: unfinished drafts and unsent records kept in IndexedDB, and the sender that
// delivers them to the JSON API (/api/v1/sync, then /api/v1/logs/{id}/photos one photo at a time).
//
// Everything is per user (the user id is part of every key), so another person logging in on
// the same phone never sees someone else's records. Nothing identifying is stored: the forms
// hold no identity numbers and the API never sends any. Every record carries the client_uuid
// made once when its draft started, so sending it again — after a timeout, from two tabs, or
// twice at once — never creates a second record on the server.
(function () {
  "use strict";
  var XB = window.XB = window.XB || {};
  var DB_NAME = "xiangban";
  var DB_VERSION = 1;
  var BATCH = 50;
  var opening = null;

  // ---- a very small IndexedDB wrapper ------------------------------------------------------
  function openDb() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        if (!window.indexedDB) { reject(new Error("IndexedDB unavailable")); return; }
        var req = indexedDB.open(DB_NAME, DB_VERSION);
        req.onupgradeneeded = function () {
          var db = req.result;
          ["drafts", "outbox"].forEach(function (name) {
            if (!db.objectStoreNames.contains(name)) {
              db.createObjectStore(name, { keyPath: name === "drafts" ? "key" : "id" }).createIndex("user", "user");
            }
          });
        };
        req.onsuccess = function () {
          var db = req.result;
          db.onversionchange = function () { db.close(); opening = null; };
          resolve(db);
        };
        req.onerror = function () { opening = null; reject(req.error); };
      });
    }
    return opening;
  }

  function run(storeName, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(storeName, mode);
        var req = work(t.objectStore(storeName));
        var result;
        if (req) { req.onsuccess = function () { result = req.result; }; }
        t.oncomplete = function () { resolve(result); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }

  function store(name) {
    return {
      get: function (key) { return run(name, "readonly", function (s) { return s.get(key); }); },
      put: function (value) { return run(name, "readwrite", function (s) { return s.put(value); }); },
      remove: function (key) { return run(name, "readwrite", function (s) { return s["delete"](key); }); },
      byUser: function (user) {
        return run(name, "readonly", function (s) { return s.index("user").getAll(String(user)); });
      }
    };
  }
  XB.drafts = store("drafts");
  XB.outboxStore = store("outbox");

  // ---- small helpers shared by the pages -----------------------------------------------------
  XB.user = function () {
    var meta = document.querySelector('meta[name="xb-user"]');
    if (meta) { return meta.content; }
    // the precached offline page belongs to nobody: it shows the last user's outbox
    return document.body && document.body.hasAttribute("data-offline-page") ? XB.lastUser() : null;
  };
  XB.lastUser = function () {
    try { return localStorage.getItem("xb-last-user"); } catch (e) { return null; }
  };
  XB.uuid = function () {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  };
  XB.format = function (text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (m, k) { return values[k] !== undefined ? values[k] : m; });
  };
  XB.announce = function () { document.dispatchEvent(new CustomEvent("xb:outbox")); };

  // Photos: the one place that shrinks them on the phone (the outbox and the plain activity forms
  // both call it): at most 1600 px as JPEG, before they are queued or sent (cheap phones, slow
  // networks). The server re-encodes anyway, so anything the phone cannot decode goes as it is.
  var PHOTO_MAX_SIDE = 1600;
  var PHOTO_QUALITY = 0.8;
  XB.shrinkPhoto = function (file) {
    return new Promise(function (resolve) {
      if (!/^image\//.test(file.type) || !window.createImageBitmap) { resolve(file); return; }
      createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
        var scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        var ctx = canvas.getContext("2d");
        ctx.fillStyle = "#fff";  // a transparent PNG becomes a JPEG on white, not on black
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          if (!blob) { resolve(file); return; }
          resolve(new File([blob], (file.name || "photo").replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }));
        }, "image/jpeg", PHOTO_QUALITY);
      }).catch(function () { resolve(file); });
    });
  };

  // ---- talking to the API ------------------------------------------------------------------
  var csrf = null;

  function stop(outcome) { var e = new Error(outcome); e.outcome = outcome; return e; }

  function timed(url, options, seconds) {
    var ctl = window.AbortController ? new AbortController() : null;
    var timer = ctl ? setTimeout(function () { ctl.abort(); }, seconds * 1000) : null;
    if (ctl) { options.signal = ctl.signal; }
    return fetch(url, options).then(function (r) { clearTimeout(timer); return r; },
      function (e) { clearTimeout(timer); throw e; });
  }

  function pageToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return csrf || (meta ? meta.content : "");
  }

  // A fresh CSRF token for this session; the page's own may have expired (a cached page, a new
  // login). 401 means the session itself is gone: the records wait for the next login.
  XB.freshToken = function () {
    return timed("/api/v1/csrf", { credentials: "same-origin", cache: "no-store",
      headers: { Accept: "application/json" } }, 20).then(function (r) {
      if (r.status === 401) { throw stop("login"); }
      if (!r.ok) { throw stop("retry"); }
      return r.json();
    }, function () { throw stop("offline"); }).then(function (body) {
      csrf = body.csrf_token;
      var meta = document.querySelector('meta[name="csrf-token"]');
      if (meta) { meta.content = csrf; }
      document.querySelectorAll('input[name="csrf_token"]').forEach(function (i) { i.value = csrf; });
      return csrf;
    });
  };

  // One API call: {status, body}; throws stop("offline" | "login" | "retry").
  function call(method, url, payload, isForm, refreshed) {
    var headers = { Accept: "application/json", "X-CSRFToken": pageToken() };
    if (!isForm) { headers["Content-Type"] = "application/json"; }
    return timed(url, { method: method, credentials: "same-origin", cache: "no-store", headers: headers,
      body: isForm ? payload : JSON.stringify(payload) }, isForm ? 120 : 40).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (body) { return { status: r.status, body: body }; });
    }, function () { throw stop("offline"); }).then(function (res) {
      var code = res.body && res.body.error && res.body.error.code;
      if (res.status === 400 && code === "csrf_failed" && !refreshed) {
        return XB.freshToken().then(function () { return call(method, url, payload, isForm, true); });
      }
      if (res.status === 401) { throw stop("login"); }
      if (res.status >= 500 || res.status === 429 || res.status === 408 || res.status === 0) { throw stop("retry"); }
      return res;
    });
  }

  function errorOf(res) {
    var error = res.body && res.body.error;
    return error || { status: res.status, message: "", fields: null };
  }

  function needsAction(item, error, photoStage) {
    item.status = "needs_action";
    item.error = { status: error.status, code: error.code || "", message: error.message || "",
      message_en: error.message_en || "", fields: error.fields || null, photo: !!photoStage };
    item.updatedAt = Date.now();
    return XB.outboxStore.put(item).then(function () { return "needs"; });
  }

  // After the log is saved: its photos, one request each, each idempotent on its key.
  function sendPhotos(item) {
    var next = (item.photos || []).filter(function (p) { return !p.done; })[0];
    if (!next) {
      return XB.outboxStore.remove(item.id).then(function () { return "sent"; });
    }
    var form = new FormData();
    form.append("photo", next.blob, next.name || "photo.jpg");
    form.append("client_key", next.key);
    return call("POST", "/api/v1/logs/" + item.logId + "/photos", form, true).then(function (res) {
      if (res.status === 200 || res.status === 201) {
        next.done = true;
        return XB.outboxStore.put(item).then(function () { return sendPhotos(item); });
      }
      return needsAction(item, errorOf(res), true);
    });
  }

  function logSaved(item, result) {
    item.logId = result.log.id;
    item.caseUrl = result["case"] ? result["case"].alert_url : null;
    item.updatedAt = Date.now();
    return XB.outboxStore.put(item).then(function () { return sendPhotos(item); });
  }

  // Deliver one item (log, then photos). Not locked: XB.outbox.flush serialises; the browser
  // tests call this twice at once on purpose to prove the server keeps one record.
  function deliver(item) {
    if (item.logId) { return sendPhotos(item); }
    return call("POST", "/api/v1/logs", item.body).then(function (res) {
      if (res.status === 200 || res.status === 201) { return logSaved(item, res.body); }
      return needsAction(item, errorOf(res), false);
    });
  }

  function deliverBatch(items) {
    var fresh = items.filter(function (i) { return !i.logId; }).slice(0, BATCH);
    if (!fresh.length) { return Promise.resolve({}); }
    return call("POST", "/api/v1/sync", { items: fresh.map(function (i) { return i.body; }) }).then(function (res) {
      var byId = {};
      if (res.status === 200 && res.body && res.body.results) {
        res.body.results.forEach(function (r) { byId[fresh[r.index].id] = r; });
      }
      return byId;  // anything else (an old server, a refused batch): send them one by one
    });
  }

  function lock(name, work) {
    if (navigator.locks && navigator.locks.request) { return navigator.locks.request(name, work); }
    var chain = lock.chains[name] || Promise.resolve();
    var next = chain.then(work, work);
    lock.chains[name] = next.catch(function () {});
    return next;
  }
  lock.chains = {};

  XB.outbox = {
    add: function (item) { return XB.outboxStore.put(item).then(XB.announce); },
    list: function (user) {
      return XB.outboxStore.byUser(user || XB.user()).then(function (items) {
        return items.sort(function (a, b) { return a.createdAt - b.createdAt; });
      });
    },
    counts: function (user) {
      return XB.outboxStore.byUser(user).then(function (items) {
        var needs = items.filter(function (i) { return i.status === "needs_action"; }).length;
        return { pending: items.length - needs, needs: needs, total: items.length };
      });
    },
    discard: function (id) { return XB.outboxStore.remove(id).then(XB.announce); },
    _deliver: deliver,
    state: null,  // "offline" | "login" | "retry" after the last run, else null

    // Send everything of ``user`` that waits; resolves {sent, needs, state, cases}.
    flush: function (user, only) {
      user = String(user || XB.user() || "");
      var summary = { sent: 0, needs: 0, state: null, cases: [] };
      if (!user) { return Promise.resolve(summary); }
      return lock("xb-outbox-" + user, function () {
        return XB.outboxStore.byUser(user).then(function (items) {
          items = items.filter(function (i) { return i.status === "pending" && (!only || i.id === only); });
          if (!items.length) { return summary; }
          XB.outbox.busy = true;
          XB.announce();
          return deliverBatch(items).then(function (results) {
            return items.reduce(function (chain, item) {
              return chain.then(function () {
                var r = results[item.id];
                var step;
                if (!r) { step = deliver(item); }
                else if (r.status === 200 || r.status === 201) { step = logSaved(item, r); }
                else if (r.status >= 500) { step = Promise.reject(stop("retry")); }
                else { step = needsAction(item, r.error || { status: r.status }, false); }
                return step.then(function (outcome) {
                  if (outcome === "sent") {
                    summary.sent += 1;
                    if (item.caseUrl) { summary.cases.push(item.caseUrl); }
                  } else { summary.needs += 1; }
                });
              });
            }, Promise.resolve());
          });
        }).then(function () { return null; }, function (e) {
          if (!e || !e.outcome) {  // an unexpected failure: keep everything, try again later
            if (window.console) { console.error(e); }
            return "retry";
          }
          return e.outcome;
        }).then(function (state) {
          summary.state = state;
          XB.outbox.busy = false;
          XB.outbox.state = state;
          XB.announce();
          return summary;
        });
      });
    }
  };
})();
