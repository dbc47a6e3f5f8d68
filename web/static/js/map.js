/* Results map: offline base layer (départements/régions GeoJSON served by the app), optional tiles,
   numbered markers matching the result cards, the search origin and its radius. No inline script: the
   data comes from <script type="application/json" id="map-data">. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  var dataEl = document.getElementById("map-data");
  if (!el || !dataEl || typeof L === "undefined" || !window.RorBaseMap) { return; }
  var data;
  try { data = JSON.parse(dataEl.textContent || "{}"); } catch (e) { return; }

  var map = window.RorBaseMap(el, { preferCanvas: false });

  var bounds = L.latLngBounds([]);
  var markers = data.markers || [];
  markers.forEach(function (m, i) {
    var label = (i + 1) + ". " + m.name + (m.site ? " — " + m.site : "") +
      (m.distance_km != null ? " (" + m.distance_km.toFixed(1).replace(".", ",") + " km)" : "");
    var icon = L.divIcon({ className: "map-marker" + (m.cls ? " " + m.cls : ""), html: String(i + 1), iconSize: [24, 24], iconAnchor: [12, 12] });
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
