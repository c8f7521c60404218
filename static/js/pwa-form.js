// A new-log form on the phone: a draft saved on every change (it survives reload, closing the
// browser and logging in again), restored on load, and a submit that goes through the outbox —
// sent at once when there is signal, kept on the phone (待上传) when there is none.
//
// The draft's client_uuid is made once, when the draft starts, so every later attempt to send
// the record is the same record to the server. Without IndexedDB the form posts as a plain
// HTML form (the server page works without any of this).
(function () {
  "use strict";
  var XB = window.XB;
  var form = document.querySelector("form[data-outbox]");
  if (!XB || !XB.outbox || !form || !window.indexedDB) { return; }
  var user = XB.user();
  if (!user) { return; }
  var kind = form.getAttribute("data-kind");
  var child = form.getAttribute("data-child");
  var key = [user, kind, child].join("|");
  var uuidInput = form.querySelector('input[name="client_uuid"]');
  var photoInput = form.querySelector('input[type=file][name="photos"]');
  var TEXT = ["content", "needs", "follow_up", "living_conditions", "study", "health", "emotions", "help_given",
    "guardian_confirmed_by", "place", "concern_note"];
  var draft = null;
  var enhanced = false;
  var busy = false;
  var photosReady = Promise.resolve();
  var saving = Promise.resolve();

  function msg(name) { return form.getAttribute("data-msg-" + name) || ""; }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function today() { var d = new Date(); return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }
  function clock(ms) { var d = ms ? new Date(ms) : new Date(); return pad(d.getHours()) + ":" + pad(d.getMinutes()); }

  // ---- form ⇄ plain data -----------------------------------------------------------------------
  function readFields() {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      var name = el.name;
      if (!name || el.type === "file" || name === "csrf_token" || name === "client_uuid" ||
          (el.type === "hidden" && name !== "lat" && name !== "lon")) { return; }
      if (el.type === "checkbox") {
        fields[name] = fields[name] || [];
        if (el.checked) { fields[name].push(el.value); }
      } else if (el.type === "radio") {
        if (el.checked) { fields[name] = el.value; } else if (!(name in fields)) { fields[name] = null; }
      } else {
        fields[name] = el.value;
      }
    });
    return fields;
  }

  function writeFields(fields) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in fields) || el.type === "file" || el.name === "csrf_token") { return; }
      var value = fields[el.name];
      if (el.type === "checkbox") { el.checked = (value || []).indexOf(el.value) >= 0; }
      else if (el.type === "radio") { el.checked = el.value === value; }
      else if (value !== null && value !== undefined) { el.value = value; }
    });
  }

  function showPhotos(photos) {
    if (!photoInput || !photos.length || !window.DataTransfer) { return; }
    try {
      var files = new DataTransfer();
      photos.forEach(function (p) { files.items.add(new File([p.blob], p.name || "photo.jpg", { type: p.blob.type })); });
      photoInput.files = files.files;
      var details = photoInput.closest("details");
      if (details) { details.open = true; }
    } catch (e) { /* the photos stay in the draft even if the input cannot show them */ }
  }

  // What the API receives: the same fields the HTML view turns into a LogInput.
  function bodyFrom(f) {
    var body = { client_uuid: draft.uuid, child_id: parseInt(child, 10), kind: kind, occurred_on: f.occurred_on || "",
      participants: f.participants || [] };
    TEXT.forEach(function (name) { if (name in f) { body[name] = f[name] || ""; } });
    ["mode", "mood", "start_time"].forEach(function (name) { if (name in f) { body[name] = f[name] || null; } });
    if ("duration_minutes" in f) {
      var minutes = parseInt(f.duration_minutes, 10);
      body.duration_minutes = isNaN(minutes) ? null : minutes;
    }
    if ("concerns" in f) { body.concerns = f.concerns || []; }
    if (kind === "visit") {
      body.guardian_present = f.guardian_present === "yes";
      body.safety = { wiring: f.safety_wiring || "ok", doors: f.safety_doors || "ok", water: f.safety_water || "ok",
        food: f.safety_food || "ok" };
    }
    var lat = parseFloat(f.lat);
    var lon = parseFloat(f.lon);
    body.lat = isNaN(lat) ? null : lat;
    body.lon = isNaN(lon) ? null : lon;
    if ("for_pair" in f) { body.for_pair = (f.for_pair || []).length > 0; }
    return body;
  }

  // ---- the draft ---------------------------------------------------------------------------
  function save() {
    if (!enhanced) { return; }
    draft.fields = readFields();
    draft.savedAt = Date.now();
    draft.error = null;  // being edited: the server's objection was seen
    var copy = draft;
    saving = saving.then(function () { return XB.drafts.put(copy); })["catch"](function () {});
  }

  function restoredNote(savedAt) {
    var note = document.createElement("div");
    note.className = "flash flash-info draft-note";
    note.setAttribute("role", "status");
    note.appendChild(document.createTextNode(XB.format(msg("restored"), { time: clock(savedAt) })));
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "btn btn-small";
    clear.textContent = msg("clear");
    clear.addEventListener("click", function () {
      XB.drafts.remove(key).then(function () { location.reload(); });
    });
    note.appendChild(clear);
    form.parentNode.insertBefore(note, form);
  }

  function start(saved) {
    if (saved) {
      draft = saved;
      writeFields(saved.fields || {});
      showPhotos(saved.photos || []);
      if (saved.error) { showErrors(saved.error); } else { restoredNote(saved.savedAt); }
    } else {
      draft = { key: key, user: user, kind: kind, child: child, uuid: XB.uuid(), fields: {}, photos: [],
        savedAt: Date.now() };
      // a page opened from the phone's cache may be days old: today's date, the time now
      if (form.elements.occurred_on) { form.elements.occurred_on.value = today(); }
      if (form.elements.start_time) { form.elements.start_time.value = clock(); }
    }
    uuidInput.value = draft.uuid;
    enhanced = true;
  }

  XB.drafts.get(key).then(start, function () { enhanced = false; });
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  if (photoInput) {
    photoInput.addEventListener("change", function () {
      var files = Array.prototype.slice.call(photoInput.files || [], 0, 6);
      var note = document.getElementById(photoInput.id + "-note");
      if (note) { note.textContent = note.getAttribute("data-working"); }
      photosReady = Promise.all(files.map(XB.shrinkPhoto)).then(function (blobs) {
        draft.photos = blobs.map(function (blob, i) {
          return { key: XB.uuid(), blob: blob, name: (files[i].name || "photo").replace(/\.\w+$/, "") + ".jpg" };
        });
        if (note) { note.textContent = note.getAttribute("data-done").replace("{n}", blobs.length); }
        save();
      });
    });
  }

  // ---- errors from the server, shown where they belong ----------------------------------------
  function clearErrors() {
    document.querySelectorAll("[data-js-error]").forEach(function (n) { n.remove(); });
    form.querySelectorAll(".js-has-error").forEach(function (n) { n.classList.remove("has-error", "js-has-error"); });
  }

  function placeOf(name) {
    if (name === "safety") { return form.querySelector(".safety"); }
    if (name === "photo" || name === "photos") { return photoInput && photoInput.closest(".field"); }
    var el = form.elements[name];
    if (el && el.length !== undefined && !el.tagName) { el = el[0]; }
    return el ? el.closest("fieldset, .field") : null;
  }

  function showErrors(error) {
    clearErrors();
    var top = document.createElement("div");
    top.className = "flash flash-error";
    top.setAttribute("role", "alert");
    top.setAttribute("data-js-error", "");
    var fields = error.fields || {};
    var unplaced = [];
    Object.keys(fields).forEach(function (name) {
      var place = placeOf(name);
      if (!place) { unplaced.push(fields[name]); return; }
      var p = document.createElement("p");
      p.className = "error";
      p.setAttribute("data-js-error", "");
      p.textContent = fields[name];
      place.appendChild(p);
      place.classList.add("has-error", "js-has-error");
      var details = place.closest("details");
      if (details) { details.open = true; }
    });
    top.textContent = Object.keys(fields).length && !unplaced.length ? msg("invalid")
      : [error.message].concat(unplaced).filter(Boolean).join(" ");
    form.parentNode.insertBefore(top, form);
    top.scrollIntoView({ block: "start" });
  }

  // ---- submit: into the outbox, then out of it ------------------------------------------------
  function leave(url, text, tone, queued) {
    XB.flashNext(text, tone, queued);
    location.assign(url);
  }

  form.addEventListener("submit", function (event) {
    if (!enhanced) { return; }  // plain HTML post
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    form.classList.add("is-busy");
    clearErrors();
    var item;
    photosReady.then(function () {
      draft.fields = readFields();
      item = { id: draft.uuid, user: user, kind: kind, kindLabel: form.getAttribute("data-kind-label"), child: child,
        childName: form.getAttribute("data-child-name"), url: location.pathname, body: bodyFrom(draft.fields),
        fields: draft.fields, status: "pending", error: null, logId: null, createdAt: Date.now(), updatedAt: Date.now(),
        photos: (draft.photos || []).map(function (p) { return { key: p.key, blob: p.blob, name: p.name, done: false }; }) };
      return saving.then(function () { return XB.outbox.add(item); })
        .then(function () { return XB.drafts.remove(key); })
        .then(function () { return XB.outbox.flush(user, item.id); });
    }).then(function (summary) {
      return XB.outboxStore.get(item.id).then(function (left) { finish(summary, left); });
    })["catch"](function () {
      busy = false;  // IndexedDB failed: nothing was queued, so post the plain form
      enhanced = false;
      form.submit();
    });

    function finish(summary, left) {
      var back = form.getAttribute("data-return");
      var alerting = (item.body.concerns || []).length > 0;
      if (!left) {  // sent: a danger goes to the server's 110 page, anything else back to the list
        if (summary.cases.length) { location.assign(summary.cases[0]); return; }
        leave(back, msg("saved"), "success");
      } else if (left.status === "needs_action" && !left.error.photo) {
        // refused as a whole (nothing was saved): back into the form, as a draft again
        XB.outboxStore.remove(item.id).then(function () {
          draft.error = null;
          return XB.drafts.put(draft);
        }).then(XB.announce);
        busy = false;
        form.classList.remove("is-busy");
        showErrors(left.error);
      } else if (left.status === "needs_action") {  // the log is saved, a photo was refused
        leave(back, left.error.message, "error");
      } else if (summary.state === "login") {
        leave(bar("login") + "?next=" + encodeURIComponent(back), msg("login"), "warning", true);
      } else {
        leave(back, alerting ? msg("queued-alert") : msg("queued"), alerting ? "error" : "warning", true);
      }
    }
  });

  function bar(name) {
    var el = document.getElementById("outbox-bar");
    return el ? el.getAttribute("data-" + name + "-url") : "/login";
  }
})();
