/* Results map: offline base layer (départements/régions GeoJSON served by the app), optional tiles,
   numbered markers matching the result cards, the search origin and its radius. No inline script: the
   data comes from <script type="application/json" id="map-data">. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  var dataEl = document.getElementById("map-data");
  if (!el || !dataEl || typeof L === "undefined") { return; }
  var data;
  try { data = JSON.parse(dataEl.textContent || "{}"); } catch (e) { return; }

  var map = L.map(el, { zoomControl: true, attributionControl: true, preferCanvas: false });
  map.setView([46.6, 2.4], 5);
  map.attributionControl.setPrefix(false);
  var tiles = el.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 18, attribution: "Fond de carte configuré" }).addTo(map);
  }
  map.createPane("basemap");
  map.getPane("basemap").style.zIndex = 250;

  fetch(el.getAttribute("data-basemap"), { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (geo) {
      if (!geo) { return; }
      L.geoJSON(geo, {
        pane: "basemap", interactive: false,
        style: function (f) {
          var region = f.properties && f.properties.layer === "region";
          return { color: region ? "#38506b" : "#8aa0b5", weight: region ? 1.6 : 0.7,
                   fill: !region && !tiles, fillColor: "#f7f5ef", fillOpacity: 1 };
        }
      }).addTo(map);
      el.setAttribute("data-basemap-ready", "true");
    })
    .catch(function () { /* the markers stay usable without the base layer */ });

  var bounds = L.latLngBounds([]);
  var markers = data.markers || [];
  markers.forEach(function (m, i) {
    var label = (i + 1) + ". " + m.name + (m.site ? " — " + m.site : "") +
      (m.distance_km != null ? " (" + m.distance_km.toFixed(1).replace(".", ",") + " km)" : "");
    var icon = L.divIcon({ className: "map-marker", html: String(i + 1), iconSize: [24, 24], iconAnchor: [12, 12] });
    var marker = L.marker([m.lat, m.lon], { icon: icon, title: label, alt: label, keyboard: true }).addTo(map);
    var popup = document.createElement("div");
    if (m.url) {
      var a = document.createElement("a");
      a.href = m.url; a.textContent = m.name;
      popup.appendChild(a);
    } else {
      popup.textContent = m.name;
    }
    marker.bindPopup(popup);
    bounds.extend([m.lat, m.lon]);
  });
  if (data.origin) {
    var o = [data.origin.lat, data.origin.lon];
    L.marker(o, { icon: L.divIcon({ className: "map-origin", iconSize: [14, 14] }), title: data.origin.label,
                  alt: "Point de recherche : " + data.origin.label, keyboard: false }).addTo(map);
    bounds.extend(o);
    if (data.radius_km) {
      /* the whole search area stays in view, so the radius and the base map give the scale */
      var circle = L.circle(o, { radius: data.radius_km * 1000, color: "#c0392b", weight: 1.5,
                                 fill: false, dashArray: "6 4", interactive: false }).addTo(map);
      bounds.extend(circle.getBounds());
    }
  }
  if (bounds.isValid()) {
    var sw = bounds.getSouthWest(), ne = bounds.getNorthEast();
    if (sw.equals(ne)) { map.setView(sw, 11); }
    else { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 13 }); }
  }
  el.setAttribute("data-markers", String(markers.length));
})();
