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

  /* The popup of a site: its name (to its card in the list, or its page), its matching units. */
  function popupOf(m, i) {
    var popup = document.createElement("div");
    var title = document.createElement(m.url ? "a" : "strong");
    if (m.url) { title.href = m.url; }
    title.textContent = (m.kind === "neighbour" ? "" : (i + 1) + ". ") + m.name;
    popup.appendChild(title);
    if (m.units && m.units.length) {
      var ul = document.createElement("ul");
      ul.className = "map-popup-units";
      m.units.forEach(function (name) { var li = document.createElement("li"); li.textContent = name; ul.appendChild(li); });
      if (m.more) { var li = document.createElement("li"); li.textContent = "et " + m.more + " autre(s)"; ul.appendChild(li); }
      popup.appendChild(ul);
    }
    if (m.site_url) {
      var site = document.createElement("a");
      site.href = m.site_url; site.textContent = "Fiche de l'établissement";
      popup.appendChild(site);
    }
    return popup;
  }

  var bounds = L.latLngBounds([]);
  var markers = data.markers || [];
  /* Markers at one address (or a few metres apart) gather in a numbered cluster that opens on click; a marker
     that carries a state (`cls`, e.g. a plan blanc on the crisis board) is never hidden in a cluster. */
  var layer = typeof L.markerClusterGroup === "function" ? L.markerClusterGroup({
    showCoverageOnHover: false, maxClusterRadius: 36, spiderfyOnMaxZoom: true,
    iconCreateFunction: function (cluster) {
      var n = cluster.getChildCount();
      return L.divIcon({ className: "map-cluster", html: "<span>" + n + "</span>", iconSize: [34, 34] });
    }
  }) : L.layerGroup();
  markers.forEach(function (m, i) {
    var label = (i + 1) + ". " + m.name + (m.site ? " — " + m.site : "") +
      (m.distance_km != null ? " (" + m.distance_km.toFixed(1).replace(".", ",") + " km)" : "");
    var icon = L.divIcon({ className: "map-marker" + (m.kind === "neighbour" ? " map-neighbour" : "") +
                                      (m.cls ? " " + m.cls : ""),
                           html: m.kind === "neighbour" ? "" : String(i + 1),
                           iconSize: m.kind === "neighbour" ? [14, 14] : [24, 24] });
    var marker = L.marker([m.lat, m.lon], { icon: icon, title: label, alt: label, keyboard: true });
    marker.bindPopup(popupOf(m, i));
    if (m.cls) { marker.addTo(map); } else { layer.addLayer(marker); }  /* a marker with a state stays in sight */
    bounds.extend([m.lat, m.lon]);
  });
  layer.addTo(map);
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
  function fit() {
    if (!bounds.isValid()) { return; }
    var sw = bounds.getSouthWest(), ne = bounds.getNorthEast();
    if (sw.equals(ne)) { map.setView(sw, 11); } else { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 13 }); }
  }
  /* a map laid out while hidden (phone, list view) has no size: measure again when it is shown */
  window.addEventListener("ror:map-shown", function () { map.invalidateSize(); fit(); });
})();
