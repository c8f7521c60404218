// The installable app on every page: registers the service worker, shows the outbox bar
// (待上传 N 条 / 需处理 N 条), sends the outbox when the page opens, when the network returns and
// on demand, keeps the volunteer's pages cached for offline use, asks before logging out while
// records wait, and draws the outbox page (/outbox). Messages come from data-msg-* attributes
// rendered by the server, so they are translated like every other text.
(function () {
  "use strict";
  var XB = window.XB;
  if (!XB || !XB.outbox || !window.indexedDB) { return; }
  var user = XB.user();
  var signedIn = !!document.querySelector('meta[name="xb-user"]');
  var bar = document.getElementById("outbox-bar");
  var list = document.getElementById("outbox-list");
  var PAGES = "xiangban-pages";
  var lastSent = 0;

  function msg(el, name) { return el ? el.getAttribute("data-msg-" + name) || "" : ""; }

  // ---- service worker ------------------------------------------------------------------------
  var ready = null;
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    ready = navigator.serviceWorker.ready;
  }
  function toWorker(message) {
    if (!ready) { return; }
    ready.then(function (reg) { if (reg.active) { reg.active.postMessage(message); } });
  }

  // Another user on this phone: the previous user's cached pages go before any are kept.
  if (signedIn) {
    var previous = XB.lastUser();
    if (previous && previous !== user) { toWorker({ type: "forget" }); }
    try { localStorage.setItem("xb-last-user", user); } catch (e) { /* private mode */ }
    // keep what this page links to (a child's forms and history) for use without signal
    var urls = [location.pathname, "/outbox"];
    document.querySelectorAll('#main a[href^="/activities/children/"]').forEach(function (a) {
      urls.push(a.getAttribute("href"));
    });
    toWorker({ type: "warm", urls: urls });
  }

  // ---- messages carried over a page change ---------------------------------------------------
  XB.flash = function (text, kind, link, queued) {
    var main = document.getElementById("main");
    if (!main || !text) { return; }
    var box = document.createElement("div");
    box.className = "flash flash-" + (kind || "success");
    if (queued) { box.setAttribute("data-xb-queued", ""); }  // "kept on the phone": gone once sent
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.textContent = text;
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      box.appendChild(document.createTextNode(" "));
      box.appendChild(a);
    }
    main.insertBefore(box, main.firstChild);
  };
  XB.flashNext = function (text, kind, queued) {
    try {
      sessionStorage.setItem("xb-flash", JSON.stringify({ text: text, kind: kind, queued: !!queued }));
    } catch (e) { /* ignore */ }
  };
  try {
    var carried = JSON.parse(sessionStorage.getItem("xb-flash") || "null");
    sessionStorage.removeItem("xb-flash");
    if (carried) { XB.flash(carried.text, carried.kind, null, carried.queued); }
  } catch (e) { /* ignore */ }

  // ---- the outbox bar ------------------------------------------------------------------------
  function toggle(selector, on) {
    var el = bar.querySelector(selector);
    if (el) { el.hidden = !on; }
  }

  function renderBar() {
    if (!bar) { return Promise.resolve(); }
    var who = user || XB.lastUser();
    if (!who) { bar.hidden = true; return Promise.resolve(); }
    return XB.outbox.counts(who).then(function (c) {
      var parts = [];
      var state = "";
      var outboxPage = !!list;
      if (!signedIn && !user) {  // the login page: only say that records wait for this phone's user
        parts.push(XB.format(msg(bar, "waiting"), { n: c.total }));
      } else {
        if (c.pending) { parts.push(XB.format(msg(bar, "pending"), { n: c.pending })); }
        if (c.needs) { parts.push(XB.format(msg(bar, "needs"), { n: c.needs })); state = "is-needs"; }
        if (c.pending && XB.outbox.busy) { parts.push(msg(bar, "sending")); }
        else if (c.pending && XB.outbox.state === "login") { parts.push(msg(bar, "login")); }
        else if (c.pending && (XB.outbox.state === "offline" || !navigator.onLine)) {
          parts.push(msg(bar, "offline"));
          state = state || "is-offline";
        } else if (c.pending && XB.outbox.state === "retry") { parts.push(msg(bar, "failed")); }
        if (lastSent) {
          parts.unshift(XB.format(msg(bar, "sent"), { n: lastSent }));
          state = state || (c.total ? "" : "is-done");
        }
      }
      bar.hidden = !c.total && !(lastSent && signedIn);
      bar.className = "outbox-bar " + state;
      bar.querySelector(".outbox-state").textContent = parts.join(" · ");
      var login = XB.outbox.state === "login" && c.pending > 0;
      var canSend = signedIn && c.pending > 0 && !XB.outbox.busy && !login;
      document.querySelectorAll("[data-outbox-send]").forEach(function (b) { b.hidden = !canSend; });
      toggle("[data-outbox-open]", signedIn && c.total > 0 && !outboxPage);
      toggle("[data-outbox-login]", login);
      toggle("[data-outbox-refresh]", !!lastSent && !outboxPage);
      var loginLink = bar.querySelector("[data-outbox-login]");
      if (loginLink) { loginLink.href = bar.getAttribute("data-login-url") + "?next=" + encodeURIComponent(location.pathname); }
    }).catch(function () { bar.hidden = true; });
  }

  XB.send = function () {
    if (!user) { return Promise.resolve(null); }
    return XB.outbox.flush(user).then(function (s) {
      if (s.sent) {
        lastSent += s.sent;
        document.querySelectorAll("[data-xb-queued]").forEach(function (n) { n.remove(); });
      }
      s.cases.forEach(function (url) {
        XB.flash(msg(bar, "case"), "error", { href: url, text: msg(bar, "case-link") });
      });
      renderBar();
      return s;
    });
  };

  document.addEventListener("xb:outbox", function () { renderBar(); renderList(); });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-outbox-send]")) {
      event.preventDefault();
      XB.send();
    } else if (event.target.closest("[data-outbox-refresh]")) {
      location.reload();
    }
  });
  window.addEventListener("online", function () { XB.send(); });
  window.addEventListener("offline", function () { renderBar(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { XB.send(); }
  });
  // weak signal often says "online" while nothing gets through: try again every minute
  setInterval(function () {
    if (user && document.visibilityState === "visible" && !XB.outbox.busy) {
      XB.outbox.counts(user).then(function (c) { if (c.pending) { XB.send(); } });
    }
  }, 60000);

  // ---- logging out while records wait ----------------------------------------------------------
  function forgetPages() {
    return window.caches ? caches["delete"](PAGES).catch(function () {}) : Promise.resolve();
  }

  XB.logout = function () {
    var form = document.querySelector("form[data-logout]");
    if (!form) { return; }
    forgetPages().then(function () {
      return XB.freshToken()["catch"](function () { return null; });
    }).then(function () {
      form.setAttribute("data-confirmed", "1");
      form.submit();
    });
  };

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-logout") || form.hasAttribute("data-confirmed") || !user) { return; }
    event.preventDefault();
    Promise.all([XB.outbox.counts(user), XB.drafts.byUser(user)]).then(function (r) {
      if (r[0].total || r[1].length) {
        location.href = bar.getAttribute("data-outbox-url") + "?leaving=1";
      } else {
        XB.logout();
      }
    }, XB.logout);
  }, true);

  // ---- the outbox page -------------------------------------------------------------------------
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  function when(ms) {
    var d = new Date(ms);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  // 修改: the record goes back to its form as a draft (same client_uuid, unless the number
  // itself was the problem) and leaves the outbox.
  XB.editItem = function (item) {
    var fresh = item.error && item.error.code === "uuid_conflict";
    var draft = { key: [item.user, item.kind, item.child].join("|"), user: item.user, kind: item.kind,
      child: item.child, uuid: fresh ? XB.uuid() : item.id, fields: item.fields || {},
      photos: (item.photos || []).map(function (p) { return { key: p.key, blob: p.blob, name: p.name }; }),
      savedAt: Date.now(), error: item.error };
    return XB.drafts.put(draft).then(function () { return XB.outboxStore.remove(item.id); }).then(function () {
      location.href = item.url;
    });
  };

  function itemCard(item) {
    var needs = item.status === "needs_action";
    var card = el("article", "outbox-item" + (needs ? " is-needs" : ""));
    card.setAttribute("data-item", item.id);
    var title = el("h2", "", (item.childName || "") + " · " + (item.kindLabel || item.kind));
    card.appendChild(title);
    var badges = el("p", "badges");
    badges.appendChild(el("span", "status " + (needs ? "status-overdue" : "status-due_this_week"),
      needs ? msg(list, "needs") : (item.logId ? msg(list, "log-saved") : msg(list, "pending"))));
    if (item.body && item.body.concerns && item.body.concerns.length) {
      badges.appendChild(el("span", "status status-escalated", msg(list, "alert")));
    }
    card.appendChild(badges);
    var meta = [item.body ? item.body.occurred_on : "", XB.format(msg(list, "saved-at"), { time: when(item.createdAt) })];
    if (item.photos && item.photos.length) { meta.push(XB.format(msg(list, "photos"), { n: item.photos.length })); }
    card.appendChild(el("p", "meta", meta.join(" · ")));
    if (needs && item.error) {
      var reason = el("div", "reason", item.error.message || "");
      var fields = item.error.fields || {};
      var others = Object.keys(fields).map(function (k) { return fields[k]; })
        .filter(function (text) { return text && text !== item.error.message; });
      if (others.length) {
        var ul = el("ul");
        others.forEach(function (text) { ul.appendChild(el("li", "", text)); });
        reason.appendChild(ul);
      }
      card.appendChild(reason);
    }
    var row = el("div", "btn-row");
    if (needs && !item.logId) {
      var edit = el("button", "btn btn-primary", msg(list, "edit"));
      edit.type = "button";
      edit.addEventListener("click", function () { XB.editItem(item); });
      row.appendChild(edit);
    }
    if (item.logId) {
      var view = el("a", "btn", msg(list, "view"));
      view.href = "/activities/logs/" + item.logId;
      row.appendChild(view);
    }
    if (needs) {
      var drop = el("button", "btn", msg(list, "discard"));
      drop.type = "button";
      drop.addEventListener("click", function () {
        if (window.confirm(msg(list, "confirm"))) { XB.outbox.discard(item.id); }
      });
      row.appendChild(drop);
    }
    card.appendChild(row);
    return card;
  }

  function renderList() {
    if (!list || !user) { return; }
    XB.outbox.list(user).then(function (items) {
      list.querySelectorAll(".outbox-item, .outbox-empty").forEach(function (n) { n.remove(); });
      if (!items.length) { list.appendChild(el("p", "card outbox-empty", msg(list, "empty"))); }
      items.forEach(function (item) { list.appendChild(itemCard(item)); });
      renderLeaving(items);
    });
  }

  function renderLeaving(items) {
    var box = document.getElementById("leaving");
    if (!box) { return; }
    XB.drafts.byUser(user).then(function (drafts) {
      if (!items.length && !drafts.length) {
        box.hidden = false;
        box.querySelector(".leaving-title").textContent = msg(box, "done");
        box.querySelectorAll("[data-outbox-send], [data-logout-discard]").forEach(function (b) { b.hidden = true; });
        return;
      }
      box.hidden = false;
      box.querySelector(".leaving-title").textContent = XB.format(msg(box, "title"), { n: items.length });
      var d = box.querySelector(".leaving-drafts");
      d.hidden = !drafts.length;
      d.textContent = XB.format(msg(box, "drafts"), { n: drafts.length });
    });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-logout-keep]")) {
      XB.logout();
    } else if (event.target.closest("[data-logout-discard]")) {
      var button = event.target.closest("[data-logout-discard]");
      if (!window.confirm(button.getAttribute("data-confirm-text"))) { return; }
      Promise.all([XB.outbox.list(user), XB.drafts.byUser(user)]).then(function (r) {
        return Promise.all(r[0].map(function (i) { return XB.outboxStore.remove(i.id); })
          .concat(r[1].map(function (d) { return XB.drafts.remove(d.key); })));
      }).then(XB.logout, XB.logout);
    }
  });

  renderBar();
  renderList();
  if (user && signedIn) { XB.send(); }
})();
