// Small page behaviours declared with data attributes, so that no template needs an
// inline script or event handler (the Content-Security-Policy allows only this site's scripts).
//   data-autosubmit         on a select: submit its form when the choice changes
//   data-select-on-click    on an input: select its text when clicked (addresses to copy)
//   data-print              on a button: print the page
//   data-confirm="..."      on a form or a submit button: ask before submitting
//   data-check="selector"   on a button: tick the matching checkboxes
//                           (with data-check-only="name": only those whose data-name is "1")
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target.closest && event.target.closest("[data-autosubmit]");
    if (el && el.form) el.form.submit();
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;
    var el = target.closest("[data-select-on-click]");
    if (el) { el.select(); return; }
    if (target.closest("[data-print]")) { window.print(); return; }
    el = target.closest("[data-check]");
    if (el) {
      var only = el.getAttribute("data-check-only");
      document.querySelectorAll(el.getAttribute("data-check")).forEach(function (box) {
        box.checked = only ? box.dataset[only] === "1" : true;
      });
      return;
    }
    el = target.closest("button[data-confirm], input[type=submit][data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  }, true);
})();
