/* A student's scores over a school year's exams, one line per subject, drawn with the vendored ECharts.
 * <div data-chart="line" data-source="ID-of-json-script"></div>
 * The JSON is {categories: [exam names], series: [{name: subject, data: [score or null]}]}; null is a gap. */
(function () {
  var FONT = '"Yanxiu Sans", ' + getComputedStyle(document.body).fontFamily;

  function whenFontLoaded(text, draw) {
    var done = false;
    function go() { if (!done) { done = true; draw(); } }
    if (!document.fonts || !document.fonts.load) return go();
    document.fonts.load('14px "Yanxiu Sans"', text || "成绩").then(go, go);
    setTimeout(go, 3000);
  }

  function line(el, spec) {
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { width: 90, overflow: "truncate" } },
      yAxis: { type: "value", min: 0 },
      series: spec.series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, connectNulls: false, symbolSize: 8 };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(function () { chart.resize(); });
    return chart;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('[data-chart="line"]').forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (el._chart || !source || typeof echarts === "undefined") return;
      var spec = JSON.parse(source.textContent);
      el.style.height = "260px";
      var text = spec.categories.join("") + spec.series.map(function (s) { return s.name; }).join("");
      whenFontLoaded(text, function () { el._chart = line(el, spec); });
    });
  });
})();
