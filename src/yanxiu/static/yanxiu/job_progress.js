// The width of each progress bar from its data-progress attribute (0-100): pages
// carry no style attributes (Content-Security-Policy), so the width is set here,
// on load and after htmx swaps the job's status in.
(function () {
  "use strict";
  function apply(root) {
    (root || document).querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = parseFloat(bar.getAttribute("data-progress"));
      if (!isFinite(value)) value = 0;
      bar.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { apply(document); });
  document.addEventListener("htmx:afterSettle", function () { apply(document); });
  apply(document);
})();
