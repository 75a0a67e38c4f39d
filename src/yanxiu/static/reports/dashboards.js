/* Dashboards: each chart's table sits in a <details data-table-view open>, so it is
 * readable without JS; once ECharts is there the table folds under its chart and
 * "表格视图" unfolds it again. The charts themselves are drawn by yanxiu/charts.js. */
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("details[data-table-view]").forEach(function (el) {
      var chart = el.parentNode.querySelector("[data-chart]");
      if (chart) el.open = false;
    });
  });
})();
