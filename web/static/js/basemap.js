/* The offline map every page shares: a Leaflet map over France with the optional configured tiles and the
   départements/régions GeoJSON served by the app (`data-basemap`) in its own pane. Pages add their layers on
   top: RorBaseMap(el, {preferCanvas: …}) returns the Leaflet map. */
(function () {
  "use strict";
  window.RorBaseMap = function (el, options) {
    var map = L.map(el, { zoomControl: true, attributionControl: true,
                          preferCanvas: !!(options && options.preferCanvas) });
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
      .catch(function () { /* the page's own layers stay usable without the base layer */ });
    return map;
  };
})();
