// The dashboard's own script, the only one besides the vendored htmx and uPlot: it draws the
// overview's daily chart from the figures the page carries in `data-series` (the table under the
// chart shows the same days, so nothing depends on this script).
(function () {
  "use strict";

  function utc(seconds) {
    return uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC");
  }

  function draw(element) {
    if (element.dataset.drawn || typeof uPlot === "undefined") {
      return;
    }
    element.dataset.drawn = "yes";
    var days = JSON.parse(element.dataset.series);
    var data = [
      days.map(function (day) { return Date.parse(day.date + "T00:00:00Z") / 1000; }),
      days.map(function (day) { return Number(day.revenue); }),
      days.map(function (day) { return day.orders; }),
    ];
    var options = {
      width: element.clientWidth,
      height: 260,
      tzDate: utc,
      scales: { x: { time: true }, money: {}, count: {} },
      series: [
        {},
        { label: "Revenue", scale: "money", stroke: "#2357c6", fill: "rgba(35, 87, 198, 0.12)", width: 2,
          value: function (u, v) { return v == null ? "" : v.toFixed(2); } },
        { label: "Orders", scale: "count", stroke: "#b36b00", width: 2 },
      ],
      axes: [
        {},
        { scale: "money" },
        { scale: "count", side: 1, grid: { show: false } },
      ],
    };
    var chart = new uPlot(options, data, element);
    window.addEventListener("resize", function () {
      chart.setSize({ width: element.clientWidth, height: 260 });
    });
  }

  function drawAll(root) {
    root.querySelectorAll("[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  // Pages htmx swaps in (the overview's period form) bring their own chart.
  document.addEventListener("htmx:load", function (event) { drawAll(event.detail.elt); });
})();
