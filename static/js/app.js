// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Confirm buttons: <button data-confirm="确定吗？">
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
