// The dashboard's charts (数据看板 and 大屏). No inline scripts (Content-Security-Policy): the figures come
// from <script type="application/json" id="dashboard-data"> (json_script), the page wires up through data-
// attributes. Each chart's table is rendered by the server; the buttons only switch between the two.
(function () {
  "use strict";

  if (!window.echarts) return;
  var data = {charts: {}, drill_url: ""};
  var screen = document.body.hasAttribute("data-screen");
  var instances = [];

  var PALETTE = ["#206bc4", "#2fb344", "#f59f00", "#d63939", "#ae3ec9", "#17a2b8", "#f76707", "#74b816",
    "#4263eb", "#d6336c", "#0ca678", "#868e96"];
  var SCREEN_PALETTE = ["#4dabf7", "#51cf66", "#fcc419", "#ff6b6b", "#cc5de8", "#22b8cf", "#ff922b", "#94d82d",
    "#748ffc", "#f06595", "#20c997", "#adb5bd"];
  var SERIES_COLOURS = {"进度正常": "#2fb344", "进度落后": "#d63939"};

  function fontSize(normal) { return screen ? Math.round(normal * 1.5) : normal; }

  function number(value) { return value === null || value === undefined ? "—" : value; }

  function hasFigures(chart) {
    return chart.rows.some(function (row) {
      return chart.series.some(function (s) { return row[s.column]; });
    });
  }

  function pieOption(chart) {
    var rows = chart.rows.filter(function (row) { return row[1]; });
    return {
      color: screen ? SCREEN_PALETTE : PALETTE,
      tooltip: {trigger: "item", formatter: "{b}：{c}（{d}%）"},
      legend: {type: "scroll", bottom: 0, textStyle: {fontSize: fontSize(12)}},
      series: [{
        name: chart.columns[1], type: "pie", radius: ["38%", "66%"], center: ["50%", "45%"],
        avoidLabelOverlap: true, itemStyle: {borderRadius: 4, borderColor: screen ? "#0f1e36" : "#fff", borderWidth: 2},
        label: {formatter: "{b}\n{c}", fontSize: fontSize(12), alignTo: "edge", edgeDistance: 8, minMargin: 4},
        labelLine: {length: 10, length2: 0, maxSurfaceAngle: 80},
        data: rows.map(function (row) { return {name: row[0], value: row[1]}; }),
      }],
    };
  }

  function cartesianOption(chart, width) {
    var horizontal = chart.kind === "hbar";
    var labels = chart.rows.map(function (row) { return row[0]; });
    // Rates (axis 1) go on a 0–100 % axis: the only one when every series is a rate, else a second one.
    var percentOnly = chart.series.every(function (s) { return s.axis === 1; });
    var percentAxis = !percentOnly && chart.series.some(function (s) { return s.axis === 1; });
    var single = chart.series.length === 1;
    var categoryAxis = {
      type: "category", data: labels, inverse: horizontal, triggerEvent: Boolean(chart.drill),
      axisLabel: {fontSize: fontSize(12), interval: 0, hideOverlap: !horizontal,
        rotate: !horizontal && (labels.length > 8 || (width < 480 && labels.length > 4)) ? 30 : 0, width: horizontal ? (screen ? 160 : 120) : undefined,
        overflow: horizontal ? "truncate" : undefined},
      axisTick: {alignWithLabel: true},
    };
    var countAxis = {type: "value", minInterval: 1, axisLabel: {fontSize: fontSize(11), hideOverlap: true}};
    var rateAxis = {type: "value", min: 0, max: 100,
      axisLabel: {formatter: "{value}%", fontSize: fontSize(11), hideOverlap: true}};
    var valueAxes = percentOnly ? [rateAxis] : [countAxis];
    if (percentAxis) valueAxes.push(Object.assign(rateAxis, {splitLine: {show: false}}));
    var series = chart.series.map(function (s) {
      var name = chart.columns[s.column];
      var item = {
        name: name, type: s.type,
        data: chart.rows.map(function (row) { return row[s.column]; }),
        barMaxWidth: screen ? 36 : 28,
        label: {show: single || s.stack === "", position: horizontal ? "right" : "top", fontSize: fontSize(11),
          formatter: function (p) { return p.value === null || p.value === 0 && !single ? "" : p.value; }},
        emphasis: {focus: "series"},
      };
      if (s.stack) { item.stack = s.stack; item.label.show = false; }
      if (s.type === "line") { item.smooth = !horizontal; item.symbolSize = 7; item.connectNulls = true; }
      if (s.type === "line" && horizontal) { item.lineStyle = {width: 0}; item.symbolSize = 10; }
      if (s.type === "line" && single) { item.areaStyle = {opacity: 0.15}; }
      if (s.axis === 1) {
        if (percentAxis) item[horizontal ? "xAxisIndex" : "yAxisIndex"] = 1;
        item.label.formatter = function (p) { return p.value === null ? "" : p.value + "%"; };
      }
      if (SERIES_COLOURS[name]) item.itemStyle = {color: SERIES_COLOURS[name]};
      return item;
    });
    return {
      color: screen ? SCREEN_PALETTE : PALETTE,
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, valueFormatter: number},
      legend: single ? undefined : {top: 0, textStyle: {fontSize: fontSize(12)}},
      grid: {left: 8, right: percentAxis || horizontal ? 48 : 16, top: single ? (horizontal ? 8 : 24) : 36, bottom: 8,
        containLabel: true},
      xAxis: horizontal ? valueAxes : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxes,
      series: series,
    };
  }

  function chartHeight(chart, element) {
    if (screen) return null; // the big screen's grid sizes every chart
    if (chart.kind === "hbar") return Math.max(240, chart.rows.length * 30 + 70);
    return element.classList.contains("dashboard-chart-small") ? 260 : 320;
  }

  function drillTo(chart, index) {
    var target = chart.drill && chart.drill[index];
    if (target) window.location.href = data.drill_url + encodeURIComponent(target);
  }

  function render(element) {
    var chart = data.charts[element.getAttribute("data-chart")];
    if (!chart) return;
    if (chart.limit && chart.rows.length > chart.limit) { // the table and the download keep every row
      chart = Object.assign({}, chart, {rows: chart.rows.slice(0, chart.limit),
        drill: chart.drill && chart.drill.slice(0, chart.limit)});
    }
    var height = chartHeight(chart, element);
    if (height) element.style.height = height + "px";
    if (!hasFigures(chart)) {
      element.classList.add("dashboard-chart-empty");
      element.setAttribute("data-rendered", "");
      element.textContent = "本期暂无数据";
      return;
    }
    var instance = window.echarts.init(element, screen ? "dark" : null, {renderer: "canvas"});
    var option = chart.kind === "pie" ? pieOption(chart) : cartesianOption(chart, element.clientWidth);
    if (screen) option.backgroundColor = "transparent";
    // data-rendered once drawn (animations finished): what tests and screenshots wait for.
    instance.on("finished", function () { element.setAttribute("data-rendered", ""); });
    instance.setOption(option);
    if (chart.drill && chart.drill.some(Boolean)) {
      element.classList.add("dashboard-chart-drillable");
      instance.on("click", function (params) {
        if (params.componentType === "series") {
          drillTo(chart, params.dataIndex);
        } else if (params.componentType === "xAxis" || params.componentType === "yAxis") {
          // A click on a unit's name (the axis label) drills down too.
          drillTo(chart, chart.rows.findIndex(function (row) { return row[0] === params.value; }));
        }
      });
    }
    instances.push(instance);
  }

  function toggle(button) {
    var key = button.getAttribute("data-chart-toggle");
    var chart = document.querySelector('[data-chart="' + key + '"]');
    var table = document.querySelector('[data-chart-table="' + key + '"]');
    var showTable = table.classList.contains("d-none");
    table.classList.toggle("d-none", !showTable);
    chart.classList.toggle("d-none", showTable);
    button.setAttribute("aria-pressed", showTable ? "true" : "false");
    button.querySelector("span").textContent = showTable ? "图表" : "表格";
    button.querySelector("i").className = "ti " + (showTable ? "ti-chart-bar" : "ti-table") + " me-1";
    if (!showTable) instances.forEach(function (i) { i.resize(); });
  }

  function addFigures(part) {
    Object.assign(data.charts, part.charts);
    data.drill_url = data.drill_url || part.drill_url;
  }

  // The page's figures (json_script "dashboard-data"), then those of each deferred section once htmx has loaded
  // it (an element's data-dashboard-charts: htmx drops script elements): each chart and button set up once.
  function setUp() {
    var script = document.getElementById("dashboard-data");
    if (script && !script.hasAttribute("data-read")) {
      script.setAttribute("data-read", "");
      addFigures(JSON.parse(script.textContent));
    }
    document.querySelectorAll("[data-dashboard-charts]:not([data-read])").forEach(function (element) {
      element.setAttribute("data-read", "");
      addFigures(JSON.parse(element.getAttribute("data-dashboard-charts")));
    });
    document.querySelectorAll("[data-chart]:not([data-set-up])").forEach(function (element) {
      element.setAttribute("data-set-up", "");
      render(element);
    });
    document.querySelectorAll("[data-chart-toggle]:not([data-set-up])").forEach(function (button) {
      button.setAttribute("data-set-up", "");
      button.addEventListener("click", function () { toggle(button); });
    });
  }

  setUp();
  document.addEventListener("htmx:load", setUp);
  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () { instances.forEach(function (i) { i.resize(); }); }, 100);
  });

  // The big screen: a clock, a full-screen button and a periodic reload of the figures.
  var clock = document.querySelector("[data-clock]");
  if (clock) {
    var tick = function () {
      var now = new Date();
      var pad = function (n) { return n < 10 ? "0" + n : "" + n; };
      clock.textContent = now.getFullYear() + "年" + (now.getMonth() + 1) + "月" + now.getDate() + "日 " +
        pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
    };
    tick();
    window.setInterval(tick, 1000);
  }
  var fullscreen = document.querySelector("[data-fullscreen]");
  if (fullscreen && document.documentElement.requestFullscreen) {
    fullscreen.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(function () {});
    });
  } else if (fullscreen) {
    fullscreen.classList.add("d-none");
  }
  // The reload is marked (auto_refresh=1) so that it does not count as activity (accounts.middleware): an
  // unattended screen is signed out at the idle timeout and its next reload lands on the login page.
  var refresh = parseInt(document.body.getAttribute("data-refresh") || "0", 10);
  if (refresh > 0) {
    window.setTimeout(function () {
      var url = new URL(window.location.href);
      url.searchParams.set("auto_refresh", "1");
      window.location.replace(url.toString());
    }, refresh * 1000);
  }
})();
