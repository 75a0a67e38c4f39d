/* Charts drawn with the vendored ECharts from data the page embeds with json_script.
 * <div data-chart="stacked-bar" data-source="ID-of-json-script"></div>
 * The JSON is {categories: [...], series: [{name, data: [...], color}]}. */
(function () {
  function stackedBar(el, spec) {
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
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
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source || typeof echarts === "undefined") return;
      var spec = JSON.parse(source.textContent);
      if (el.dataset.chart === "stacked-bar") {
        el.style.height = Math.max(200, 28 * spec.categories.length + 60) + "px";
        stackedBar(el, spec);
      }
    });
  });
})();
