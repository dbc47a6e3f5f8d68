/* The offline map every page shares: a Leaflet map over France with the optional configured tiles and the
   départements/régions GeoJSON served by the app (`data-basemap`) in its own pane. Pages add their layers on
   top: RorBaseMap(el, {preferCanvas: …}) returns the Leaflet map. */
(function () {
  "use strict";
  window.RorBaseMap = function (el, options) {
    var map = L.map(el, { zoomControl: true, attributionControl: true, maxZoom: 18,
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
    if (el.getAttribute("data-labels")) { placeNames(map, el); }
    return map;
  };

  /* Commune names (bundled data): the largest first, more as the map zooms in, only those in view, never two
     overlapping. Drawn in a pane under the markers; they take no click. */
  var MIN_POPULATION = [[6, 100000], [7, 50000], [8, 20000], [9, 10000], [10, 5000], [99, 2000]];
  var MAX_LABELS = 120;

  function minimum(zoom) {
    for (var i = 0; i < MIN_POPULATION.length; i++) { if (zoom <= MIN_POPULATION[i][0]) { return MIN_POPULATION[i][1]; } }
    return 2000;
  }

  function placeNames(map, el) {
    map.createPane("labels");
    map.getPane("labels").style.zIndex = 450;
    map.getPane("labels").style.pointerEvents = "none";
    var layer = L.layerGroup().addTo(map);
    var places = null;
    function draw() {
      layer.clearLayers();
      if (!places) { return; }
      var view = map.getBounds().pad(0.1), floor = minimum(map.getZoom()), taken = [], shown = 0;
      for (var i = 0; i < places.length && shown < MAX_LABELS; i++) {
        var p = places[i];
        if (p[3] < floor) { break; }  /* largest first */
        if (!view.contains([p[1], p[2]])) { continue; }
        var at = map.latLngToContainerPoint([p[1], p[2]]);
        var width = 7 * p[0].length + 8, box = [at.x - width / 2, at.y - 9, at.x + width / 2, at.y + 9];
        var clash = taken.some(function (b) { return box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1]; });
        if (clash) { continue; }
        taken.push(box);
        shown++;
        L.marker([p[1], p[2]], {
          pane: "labels", interactive: false, keyboard: false,
          icon: L.divIcon({ className: "map-place" + (p[3] >= 100000 ? " map-place-city" : ""), html: "",
                            iconSize: [width, 18], iconAnchor: [width / 2, 9] })
        }).addTo(layer).getElement().textContent = p[0];
      }
      el.setAttribute("data-place-labels", String(shown));
    }
    fetch(el.getAttribute("data-labels"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (rows) { places = rows; draw(); })
      .catch(function () { /* a map without names still works */ });
    map.on("zoomend moveend", draw);
  }
})();
