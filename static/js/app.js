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
  // A refused form: bring its error summary into view and focus it, so that a phone shows what
  // to fix instead of the top of a long page (the summary's links lead to each field).
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.scrollIntoView({block: "start"});
      summary.focus({preventScroll: true});
    }
  });
})();
