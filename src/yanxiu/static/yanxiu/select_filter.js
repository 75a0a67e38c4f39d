/* A search box above each <select data-searchable>: typing keeps the options whose
 * name, full pinyin or pinyin initials (data-search) contain what was typed.
 * "zw", "zhang", "张" all find 张伟. The chosen option always stays. */
(function () {
  function norm(s) { return (s || "").toLowerCase().replace(/\s+/g, ""); }

  function enhance(select) {
    if (select.dataset.searchReady) return;
    select.dataset.searchReady = "1";
    var all = Array.prototype.slice.call(select.options);
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm mb-1 select-filter";
    input.placeholder = select.dataset.searchPlaceholder || "";
    input.setAttribute("aria-label", input.placeholder);
    input.setAttribute("autocomplete", "off");
    if (select.id) input.id = select.id + "-search";
    select.parentNode.insertBefore(input, select);
    var count = Math.min(8, all.length);
    input.addEventListener("input", function () {
      var q = norm(input.value);
      var chosen = select.value;
      var keep = all.filter(function (o) {
        if (!q) return true;
        if (o.value === "" || o.value === chosen) return true;
        return norm(o.dataset.search || o.text).indexOf(q) !== -1 || norm(o.text).indexOf(q) !== -1;
      });
      // Rebuild the list (hiding options does not work in every phone browser).
      while (select.options.length) select.remove(0);
      keep.forEach(function (o) { select.add(o); });
      var matches = keep.filter(function (o) { return o.value !== "" && o.value !== chosen; });
      if (q && matches.length === 1 && !chosen) { select.value = matches[0].value; }
      select.size = q ? Math.max(2, Math.min(count, keep.length)) : 0;
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); select.focus(); }
    });
  }

  function run() { document.querySelectorAll("select[data-searchable]").forEach(enhance); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
  document.addEventListener("htmx:afterSwap", run);
})();
