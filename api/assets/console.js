// The console's only script of its own (the pages carry none inline: the Content-Security-Policy
// forbids it). It draws the maps from the data the page put on their elements.
"use strict";

// Replaces the markers of a map with `points`; returns their positions.
function showPoints(markers, points) {
  markers.clearLayers();
  return points.map(function (p) {
    var marker = L.circleMarker([p.lat, p.lon], {
      radius: 7, weight: 2, color: p.overdue ? "#b3261e" : "#0b5cab", fillOpacity: 0.5,
      className: p.id ? "point-" + p.id : ""
    }).addTo(markers);
    if (p.label) marker.bindTooltip(p.label);
    if (p.href) marker.on("click", function () { window.location.href = p.href; });
    return [p.lat, p.lon];
  });
}

// After a refresh, a map that follows a list takes its new points, keeping its view.
function followLists() {
  document.querySelectorAll("[data-map][data-follows]").forEach(function (el) {
    var list = document.getElementById(el.dataset.follows);
    if (el.showPoints && list && list.dataset.points) el.showPoints(JSON.parse(list.dataset.points));
  });
}

function drawMaps(root) {
  if (typeof L === "undefined") return;
  root.querySelectorAll("[data-map]").forEach(function (el) {
    if (el.dataset.drawn) return;
    el.dataset.drawn = "1";
    // A map that follows a list (the inbox) takes the list's points, now and at each refresh.
    var source = el.dataset.follows ? document.getElementById(el.dataset.follows) : el;
    var points = JSON.parse((source && source.dataset.points) || "[]");
    var map = L.map(el, { scrollWheelZoom: false });
    var note = document.getElementById(el.id + "-note");
    var failed = false;
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" })
      .on("tileerror", function () {
        // Intranets without the tile server still get the points and this note.
        if (!failed && note) { failed = true; note.hidden = false; }
      })
      .addTo(map);
    var markers = L.layerGroup().addTo(map);
    el.showPoints = function (points) { return showPoints(markers, points); };
    var bounds = el.showPoints(points);
    // Areas (the administrator's areas page) as outlines named on hover.
    var shapes = el.dataset.areas ? L.geoJSON(JSON.parse(el.dataset.areas), {
      style: { weight: 2, color: "#0b5cab", fillOpacity: 0.08 },
      onEachFeature: function (feature, layer) {
        if (feature.properties && feature.properties.name) layer.bindTooltip(feature.properties.name);
      }
    }).addTo(map) : null;
    if (shapes && shapes.getBounds().isValid()) map.fitBounds(shapes.getBounds(), { padding: [20, 20] });
    else if (bounds.length > 1) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
    else if (bounds.length === 1) map.setView(bounds[0], 16);
    else map.setView([Number(el.dataset.lat || 16.05), Number(el.dataset.lon || 108.2)], 12);
  });
}

document.addEventListener("DOMContentLoaded", function () { drawMaps(document); });
document.addEventListener("htmx:afterSwap", function (e) { drawMaps(e.target); });
document.addEventListener("htmx:afterSettle", followLists);
