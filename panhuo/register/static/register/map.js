/* Panhuo asset maps, drawn with Leaflet (installed from the xstatic-leaflet package and served as
 * static/leaflet/, never from a CDN). Every .asset-map element becomes a map:
 * - the map of assets: the GeoJSON points embedded by the page (data-points names the JSON
 *   script element), coloured by status (map.css), each opening code, name, status and a link;
 * - an asset's page: its one point (data-lat, data-lng, data-status).
 * Under them, the tile server of data-tiles ({z}/{x}/{y}, the deployment's map service) or,
 * when none is configured, a plain background with a graticule: the maps work offline. */
(function () {
  "use strict";

  var CHINA = [35, 105];
  var STEPS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30];

  function escapeText(text) {
    var box = document.createElement("span");
    box.textContent = text;
    return box.innerHTML;
  }

  function readPoints(box) {
    var id = box.getAttribute("data-points");
    if (id) {
      var data = document.getElementById(id);
      return data ? JSON.parse(data.textContent).features : [];
    }
    var lat = parseFloat(box.getAttribute("data-lat"));
    var lng = parseFloat(box.getAttribute("data-lng"));
    if (isNaN(lat) || isNaN(lng)) { return []; }
    return [{
      geometry: { coordinates: [lng, lat] },
      properties: { status: box.getAttribute("data-status") || "" }
    }];
  }

  function popup(box, props) {
    var root = document.createElement("div");
    var code = document.createElement("div");
    code.className = "map-popup-code";
    code.textContent = props.code;
    var name = document.createElement("strong");
    name.textContent = props.name;
    var status = document.createElement("div");
    status.className = "map-popup-status";
    status.textContent = box.getAttribute("data-label-" + props.status) || props.status;
    var link = document.createElement("a");
    link.href = props.url;
    link.textContent = box.getAttribute("data-label-open") || props.url;
    root.appendChild(code);
    root.appendChild(name);
    root.appendChild(status);
    root.appendChild(link);
    return root;
  }

  /* Lines of latitude and longitude over the view, about six each way, redrawn as it moves. */
  function graticule(map) {
    var layer = L.layerGroup().addTo(map);
    function draw() {
      layer.clearLayers();
      var b = map.getBounds();
      var south = Math.max(b.getSouth(), -85), north = Math.min(b.getNorth(), 85);
      var west = Math.max(b.getWest(), -180), east = Math.min(b.getEast(), 180);
      var span = Math.max(north - south, east - west);
      var step = STEPS[STEPS.length - 1];
      for (var i = 0; i < STEPS.length; i++) {
        if (span / STEPS[i] <= 8) { step = STEPS[i]; break; }
      }
      var style = { className: "map-graticule", interactive: false };
      var x, y;
      for (x = Math.ceil(west / step) * step; x <= east; x += step) {
        layer.addLayer(L.polyline([[south, x], [north, x]], style));
      }
      for (y = Math.ceil(south / step) * step; y <= north; y += step) {
        layer.addLayer(L.polyline([[y, west], [y, east]], style));
      }
    }
    map.on("moveend", draw);
    draw();
  }

  function drawMap(box) {
    var small = box.classList.contains("asset-map-small");
    var map = L.map(box, { scrollWheelZoom: !small, maxZoom: 18 });
    map.attributionControl.setPrefix(false);
    L.control.scale({ imperial: false }).addTo(map);
    var tiles = box.getAttribute("data-tiles");
    var points = readPoints(box);
    var bounds = L.latLngBounds([]);
    var markers = L.featureGroup();
    points.forEach(function (feature) {
      var c = feature.geometry.coordinates;
      var props = feature.properties;
      var marker = L.circleMarker([c[1], c[0]], {
        radius: small ? 8 : 6,
        className: "map-point map-status-" + props.status
      });
      if (props.url) { marker.bindPopup(popup(box, props)); }
      markers.addLayer(marker);
      bounds.extend([c[1], c[0]]);
    });
    if (points.length === 0) {
      map.setView(CHINA, 4);
    } else if (points.length === 1) {
      map.setView(bounds.getCenter(), small ? 15 : 14);
    } else {
      map.fitBounds(bounds.pad(0.08), { maxZoom: 16 });
    }
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 18,
        attribution: escapeText(box.getAttribute("data-attribution") || "")
      }).addTo(map);
    } else {
      graticule(map);
      if (points.length > 1) {
        L.rectangle(bounds, { className: "map-bounds", interactive: false }).addTo(map);
      }
    }
    markers.addTo(map);
    box.setAttribute("data-drawn", String(points.length));
  }

  function start() {
    if (typeof L === "undefined") { return; }
    document.querySelectorAll(".asset-map").forEach(drawMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
