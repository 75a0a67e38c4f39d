/* Charts drawn with the vendored ECharts from data the page embeds with json_script.
 * <div data-chart="stacked-bar" data-source="ID-of-json-script"></div>
 * The JSON is {categories: [...], series: [{name, data: [...], color}]}. */
(function () {
  // Chart labels use the bundled font first: a phone without Chinese fonts would
  // otherwise draw boxes, and ECharts measures label widths with the font it is given.
  var FONT = '"Yanxiu Sans", ' + getComputedStyle(document.body).fontFamily;

  function whenFontLoaded(text, draw) {
    var done = false;
    function go() { if (!done) { done = true; draw(); } }
    if (!document.fonts || !document.fonts.load) return go();
    document.fonts.load('14px "Yanxiu Sans"', text || "研修").then(go, go);
    setTimeout(go, 3000);  // never leave the chart empty on a slow network
  }

  function stackedBar(el, spec) {
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: spec.categories, inverse: true, axisLabel: { width: 140, overflow: "truncate" } },
      series: spec.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "total", data: s.data, itemStyle: { color: s.color } };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
    // If the font arrived after the first drawing, lay the labels out again with it.
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(function () { chart.resize(); });
    return chart;
  }
  function drawAll(root) {
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (el._chart || !source || typeof echarts === "undefined") return;
      var spec = JSON.parse(source.textContent);
      if (el.dataset.chart === "stacked-bar") {
        el.style.height = Math.max(200, 28 * spec.categories.length + 60) + "px";
        var text = spec.categories.join("") + spec.series.map(function (s) { return s.name; }).join("");
        whenFontLoaded(text, function () { el._chart = stackedBar(el, spec); });
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  // A list paged in place by htmx brings its chart with it (the county's schools, page by page).
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
