/* Web Push subscription for the installed app (notification settings page). Browsers without
   push (many in-app browsers) are told so; the person is then reached by SMS. */
(function () {
  "use strict";
  function urlB64ToUint8Array(base64) {
    var padding = "=".repeat((4 - base64.length % 4) % 4);
    var raw = atob((base64 + padding).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  var button = document.querySelector("[data-push-subscribe]");
  var result = document.querySelector("[data-push-result]");
  if (!button) { return; }
  function say(text) { if (result) { result.textContent = text; } }
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    button.disabled = true;
    say(button.getAttribute("data-unsupported") || "此浏览器不支持推送 / This browser cannot receive push messages.");
    return;
  }
  button.addEventListener("click", function () {
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { throw new Error("permission"); }
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      return reg.pushManager.subscribe({ userVisibleOnly: true,
        applicationServerKey: urlB64ToUint8Array(button.getAttribute("data-key")) });
    }).then(function (sub) {
      var token = document.querySelector('meta[name="csrf-token"]').content;
      return fetch(button.getAttribute("data-url"), { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token }, body: JSON.stringify(sub) });
    }).then(function (response) {
      if (!response.ok) { throw new Error("server"); }
      say("已开启推送 / Push is on for this device.");
    }).catch(function (err) {
      say(err && err.message === "permission" ? "未允许通知 / Notifications were not allowed."
        : "开启失败，请稍后再试 / Could not turn push on; try again later.");
    });
  });
})();
