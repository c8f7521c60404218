// Care-activity forms: the 110 alert when a danger is ticked, smaller photos before upload and
// an optional location. Progressive enhancement only: every form works without this file.
(function () {
  "use strict";

  // 1. Mandatory report: ticking any "发现以下情况" box shows the full-screen 110 alert at once.
  var alertBox = document.getElementById("alert110");
  if (alertBox) {
    var boxes = document.querySelectorAll("input[data-concern]");
    var shown = false;
    var open = function () {
      alertBox.hidden = false;
      document.body.classList.add("alert-open");
      var call = alertBox.querySelector(".call110");
      if (call) { call.focus(); }
    };
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        if (box.checked && !shown) { shown = true; open(); }
      });
    });
    alertBox.querySelectorAll("[data-close-alert]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        alertBox.hidden = true;
        document.body.classList.remove("alert-open");
        var fieldset = document.getElementById("concerns");
        if (fieldset) { fieldset.scrollIntoView({ block: "start" }); }
      });
    });
  }

  // 2. Photos: shrunk on the phone by XB.shrinkPhoto (static/js/outbox.js, loaded on every page);
  // the server re-encodes anyway, so without it the originals go as they are.
  var shrink = (window.XB && window.XB.shrinkPhoto) || function (file) { return Promise.resolve(file); };
  document.querySelectorAll("input[type=file][data-shrink]").forEach(function (input) {
    // a form with the phone's outbox (static/js/pwa-form.js) shrinks and keeps its photos itself
    if (input.form && input.form.hasAttribute("data-outbox") && window.indexedDB) { return; }
    input.addEventListener("change", function () {
      if (!window.DataTransfer || !input.files.length) { return; }
      var note = document.getElementById(input.id + "-note");
      if (note) { note.textContent = note.getAttribute("data-working"); }
      Promise.all(Array.prototype.map.call(input.files, shrink)).then(function (files) {
        try {
          var list = new DataTransfer();
          files.forEach(function (f) { list.items.add(f); });
          input.files = list.files;
        } catch (e) { /* keep the originals: the server shrinks them */ }
        if (note) { note.textContent = note.getAttribute("data-done").replace("{n}", files.length); }
      });
    });
  });

  // 3. Location: only when the volunteer asks, never required (GPS often fails in villages).
  var geo = document.querySelector("[data-geo]");
  if (geo && navigator.geolocation) {
    geo.hidden = false;
    var status = document.getElementById("geo-status");
    geo.addEventListener("click", function () {
      status.textContent = geo.getAttribute("data-working");
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("lat").value = pos.coords.latitude.toFixed(6);
        document.getElementById("lon").value = pos.coords.longitude.toFixed(6);
        status.textContent = geo.getAttribute("data-done");
      }, function () {
        status.textContent = geo.getAttribute("data-failed");
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
    });
  }
})();
