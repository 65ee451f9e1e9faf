/* Panhuo: our own small script. Every page works without it; it only adds charts drawn from
 * the figures the server embeds (json_script), auto-submitting selects and confirmations. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var SVG = "http://www.w3.org/2000/svg";
  var PALETTE = ["#1f4e79", "#2e86c1", "#48a9a6", "#7fb069", "#e0a339", "#d9673e",
    "#a23b72", "#6c5b7b", "#8d99ae", "#3d5a80"];
  /* Colours with a meaning keep it on every chart: idle is amber, disposed is green... */
  var NAMED = {
    received: "#1f4e79", allocated: "#1e7b4f", open: "#e0a339",
    outstanding: "#c0392b", repaid: "#1e7b4f",
    "status-in_use": "#1f4e79", "status-idle": "#e0a339", "status-under_used": "#f0c96b",
    "status-leased_out": "#48a9a6", "status-occupied": "#c0392b", "status-disposed": "#7fb069",
    "status-draft": "#8d99ae", "status-submitted": "#e0a339", "status-approved": "#2e86c1",
    "status-listed": "#6c5b7b", "status-concluded": "#48a9a6", "status-closed": "#1e7b4f",
    "status-withdrawn": "#b8bec8"
  };

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function text(parent, x, y, value, attrs) {
    var t = el("text", Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = value;
    return t;
  }

  function colour(point, i) {
    return (point.css && NAMED[point.css]) || PALETTE[i % PALETTE.length];
  }

  /* A point may lead to a filtered list: a click on its mark goes there. The chart is an image
   * to assistive technology (role="img", its SVG aria-hidden), so the mark is no link that the
   * keyboard could reach inside it (WCAG 4.1.2, axe's nested-interactive and
   * aria-hidden-focus); the table beside every chart has the same links. */
  function wrap(parent, point) {
    if (!point.href) { return parent; }
    var g = el("g", { "class": "chart-link", "data-href": point.href }, parent);
    g.addEventListener("click", function () { window.location.assign(point.href); });
    return g;
  }

  function tooltip(node, point) {
    var title = el("title", {}, node);
    title.textContent = point.label + ": " + point.display + (point.book ? " (" + point.book + ")" : "");
  }

  /* Cut a label to about ``px`` pixels of 12px text; the full label stays in the tooltip. */
  function fit(label, px) {
    var max = Math.max(3, Math.floor(px / 6.6));
    return label.length > max ? label.slice(0, max - 1) + "…" : label;
  }

  function numbers(points) {
    return points.map(function (p) { return Math.max(0, parseFloat(p.value) || 0); });
  }

  /* Horizontal bars: long category names stay readable. */
  function bars(box, points) {
    var values = numbers(points);
    var max = Math.max.apply(null, values.concat([0])) || 1;
    var width = Math.max(300, box.clientWidth || 640);
    var rowH = 26, labelW = Math.min(200, Math.round(width * 0.34)), valueW = 96;
    var height = points.length * rowH + 6;
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, "aria-hidden": "true" }, box);
    var plotW = width - labelW - valueW;
    points.forEach(function (p, i) {
      var y = i * rowH + 3;
      var w = Math.max(values[i] > 0 ? 2 : 0, (values[i] / max) * plotW);
      var g = wrap(svg, p);
      text(g, labelW - 8, y + rowH / 2 + 4, fit(p.label, labelW - 10), { "text-anchor": "end" });
      var r = el("rect", { x: labelW, y: y + 4, width: w, height: rowH - 9, rx: 3, fill: colour(p, i) }, g);
      tooltip(r, p);
      text(g, labelW + w + 6, y + rowH / 2 + 4, p.display, { "class": "value-label" });
    });
  }

  /* Vertical columns, in the given order (e.g. the workflow's states). */
  function columns(box, points) {
    var values = numbers(points);
    var max = Math.max.apply(null, values.concat([0])) || 1;
    var width = Math.max(260, box.clientWidth || 640), top = 20;
    var slot = width / Math.max(points.length, 1);
    var longest = Math.max.apply(null, points.map(function (p) { return p.label.length; }));
    var tilt = longest * 6.6 > slot - 4;  /* names too wide for their column lean over */
    var bottom = tilt ? 24 + Math.min(longest, 14) * 4.5 : 34;
    var height = 176 + bottom;
    var barW = Math.min(56, slot * 0.6);
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, "aria-hidden": "true" }, box);
    var base = height - bottom;
    el("line", { x1: 0, x2: width, y1: base + 0.5, y2: base + 0.5, "class": "axis" }, svg);
    points.forEach(function (p, i) {
      var h = (values[i] / max) * (base - top);
      var x = i * slot + (slot - barW) / 2;
      var g = wrap(svg, p);
      var r = el("rect", { x: x, y: base - h, width: barW, height: Math.max(h, values[i] > 0 ? 2 : 0), rx: 3, fill: colour(p, i) }, g);
      tooltip(r, p);
      text(g, x + barW / 2, base - h - 6, p.display, { "text-anchor": "middle", "class": "value-label" });
      if (tilt) {
        var lx = x + barW / 2, ly = base + 14;
        text(g, lx, ly, fit(p.label, 90), { "text-anchor": "end", transform: "rotate(-35 " + lx + " " + ly + ")" });
      } else {
        text(g, x + barW / 2, base + 18, p.label, { "text-anchor": "middle" });
      }
    });
  }

  /* A donut with the total in the middle. */
  function donut(box, points) {
    var values = numbers(points);
    var total = values.reduce(function (a, b) { return a + b; }, 0);
    var size = 200, r = 88, inner = 56, cx = size / 2, cy = size / 2;
    var svg = el("svg", { viewBox: "0 0 " + size + " " + size, "aria-hidden": "true" }, box);
    if (!total) {
      el("circle", { cx: cx, cy: cy, r: (r + inner) / 2, fill: "none", stroke: "#e9edf2", "stroke-width": r - inner }, svg);
    }
    var angle = -Math.PI / 2;
    points.forEach(function (p, i) {
      if (!values[i]) { return; }
      var sweep = (values[i] / total) * Math.PI * 2;
      var g = wrap(svg, p);
      var node;
      if (sweep >= Math.PI * 2 - 1e-6) {
        node = el("circle", { cx: cx, cy: cy, r: (r + inner) / 2, fill: "none", stroke: colour(p, i), "stroke-width": r - inner }, g);
      } else {
        var a0 = angle, a1 = angle + sweep, large = sweep > Math.PI ? 1 : 0;
        var d = [
          "M", cx + r * Math.cos(a0), cy + r * Math.sin(a0),
          "A", r, r, 0, large, 1, cx + r * Math.cos(a1), cy + r * Math.sin(a1),
          "L", cx + inner * Math.cos(a1), cy + inner * Math.sin(a1),
          "A", inner, inner, 0, large, 0, cx + inner * Math.cos(a0), cy + inner * Math.sin(a0),
          "Z"
        ].join(" ");
        node = el("path", { d: d, fill: colour(p, i), stroke: "#fff", "stroke-width": 1.5 }, g);
      }
      tooltip(node, p);
      angle += sweep;
    });
    /* The middle shows the total, or (data-center="first") the first figure and its name. */
    var first = box.getAttribute("data-center") === "first";
    if (points.length) {
      var shown = first ? points[0].display : total.toLocaleString();
      var label = first ? points[0].label : "";
      var big = text(svg, cx, cy + (label ? 2 : 8), shown, { "text-anchor": "middle", "class": "center-value" });
      if (shown.length > 7) { big.style.fontSize = Math.max(12, 150 / shown.length) + "px"; }
      if (label) { text(svg, cx, cy + 20, label, { "text-anchor": "middle", "class": "center-label" }); }
    }
    /* The table beside the chart gets matching colour swatches. */
    var card = box.closest(".chart-row");
    if (card) {
      card.querySelectorAll(".swatch[data-index]").forEach(function (s) {
        var i = parseInt(s.getAttribute("data-index"), 10);
        s.style.background = colour(points[i] || {}, i);
      });
    }
  }

  /* A legend under charts whose table does not carry swatches. */
  function legend(box, points) {
    var ul = document.createElement("ul");
    ul.className = "legend";
    points.forEach(function (p, i) {
      var li = document.createElement("li");
      var s = document.createElement("span");
      s.className = "swatch";
      s.style.background = colour(p, i);
      li.appendChild(s);
      li.appendChild(document.createTextNode(p.label + " " + p.display));
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  var CHARTS = { bars: bars, columns: columns, donut: donut };

  /* Charts are drawn at the width of their box, so text stays its real size; a resize
   * redraws them. */
  function drawCharts() {
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var source = document.getElementById(box.getAttribute("data-source"));
      var draw = CHARTS[box.getAttribute("data-chart")];
      if (!source || !draw) { return; }
      var points;
      try { points = JSON.parse(source.textContent); } catch (e) { return; }
      if (!Array.isArray(points) || !points.length) { return; }
      box.textContent = "";
      draw(box, points);
      if (box.hasAttribute("data-legend")) { legend(box, points); }
    });
  }

  var resizeTimer = null;
  var lastWidth = window.innerWidth;
  window.addEventListener("resize", function () {
    if (window.innerWidth === lastWidth) { return; }
    lastWidth = window.innerWidth;
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () { drawCharts(); scrollableBoxes(); }, 150);
  });

  function enhanceForms() {
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
    /* A form submitted once cannot be sent twice by a double click. */
    document.querySelectorAll("form[method='post']").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (event.defaultPrevented) { return; }
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
        window.setTimeout(function () { delete form.dataset.sent; }, 4000);
      });
    });
  }

  /* Rows ticked on one page of a list stay ticked on the next: a page link (or filter form)
   * inside [data-keep-ticked="pick"] carries every ticked "pick" as pick=<id>, which the
   * server shows ticked again, or as hidden fields where the row is on another page. */
  function keepTicked() {
    document.querySelectorAll("[data-keep-ticked]").forEach(function (box) {
      var name = box.getAttribute("data-keep-ticked");
      function ticked() {
        var ids = [];
        document.querySelectorAll("input[name='" + name + "']").forEach(function (input) {
          if ((input.type === "hidden" || input.checked) && ids.indexOf(input.value) < 0) {
            ids.push(input.value);
          }
        });
        return ids;
      }
      box.querySelectorAll("a[href]").forEach(function (link) {
        link.addEventListener("click", function () {
          var url = new URL(link.href, window.location.href);
          url.searchParams.delete(name);
          ticked().forEach(function (id) { url.searchParams.append(name, id); });
          link.href = url.toString();
        });
      });
      box.querySelectorAll("form[method='get']").forEach(function (form) {
        form.addEventListener("submit", function () {
          form.querySelectorAll("input[data-ticked]").forEach(function (i) { i.remove(); });
          ticked().forEach(function (id) {
            var input = document.createElement("input");
            input.type = "hidden"; input.name = name; input.value = id;
            input.setAttribute("data-ticked", "");
            form.appendChild(input);
          });
        });
      });
    });
  }

  /* A table wider than its box scrolls sideways; the keyboard must be able to scroll it too
   * (WCAG 2.1.1, axe's scrollable-region-focusable), so a box that overflows takes the focus
   * (Tab to it, then the arrow keys). */
  function scrollableBoxes() {
    document.querySelectorAll(".table-wrap, .scroll-x").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    scrollableBoxes();
    enhanceForms();
    keepTicked();
  });
}());
