/* Territory pages: progress indicator with elapsed time, offline map (base layer served by the app), territory
   outlines, coverage choropleth (communes or départements by distance class), polygon drawing and GeoJSON
   import. No inline script: map data comes from <script type="application/json" id="territory-map-data">. */
(function () {
  "use strict";

  var COLOURS = { c1: "#2c7bb6", c2: "#abd9e9", c3: "#fdae61", c4: "#d7191c", none: "#4d4d4d" };

  /* ---------------------------------------------------------------- progress (anything over 1 s) */
  var progressEl = document.getElementById("progression");
  var progressTimer = null;
  function startProgress(text) {
    if (!progressEl) { return function () {}; }
    var started = Date.now();
    var label = progressEl.querySelector(".progress-text");
    var elapsed = progressEl.querySelector(".progress-elapsed");
    if (label) { label.textContent = text; }
    clearInterval(progressTimer);
    progressTimer = setInterval(function () {
      var s = Math.floor((Date.now() - started) / 1000);
      if (s >= 1) {
        progressEl.hidden = false;
        if (elapsed) { elapsed.textContent = "(" + s + " s écoulée" + (s > 1 ? "s" : "") + ")"; }
      }
    }, 250);
    return function stop() { clearInterval(progressTimer); progressEl.hidden = true; };
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-progress]"), function (form) {
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.name === "format") { return; } /* a download: the page stays */
      startProgress("Calcul en cours…");
    });
  });

  /* ---------------------------------------------------------------- map */
  var el = document.getElementById("territory-map");
  var dataEl = document.getElementById("territory-map-data");
  if (!el || typeof L === "undefined" || !window.RorBaseMap) { return; }
  var data = {};
  try { data = JSON.parse((dataEl && dataEl.textContent) || "{}"); } catch (e) { data = {}; }

  var map = window.RorBaseMap(el, { preferCanvas: true });
  map.createPane("outline");
  map.getPane("outline").style.zIndex = 450;
  map.getPane("outline").style.pointerEvents = "none";

  var bounds = L.latLngBounds([]);
  (data.outlines || []).forEach(function (feature, i) {
    var layer = L.geoJSON(feature, { pane: "outline", interactive: false,
      style: { color: i === 0 ? "#6a3d9a" : "#b15928", weight: 2.5, fill: false, dashArray: i === 0 ? null : "6 4" } });
    layer.addTo(map);
    if (layer.getBounds().isValid()) { bounds.extend(layer.getBounds()); }
  });
  if (data.bounds) { bounds.extend([[data.bounds[0], data.bounds[1]], [data.bounds[2], data.bounds[3]]]); }
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10], animate: false }); }

  /* ---------------------------------------------------------------- choropleth */
  function departmentClass(pct) {
    if (pct === null || pct === undefined) { return "none"; }
    if (pct === 0) { return "c1"; }
    if (pct < 5) { return "c2"; }
    if (pct < 20) { return "c3"; }
    return "c4";
  }
  function fmt(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f"); }
  function drawChoropleth(geo) {
    var byDepartment = geo.level === "department";
    var layer = L.geoJSON(geo, {
      style: function (f) {
        var key = byDepartment ? departmentClass(f.properties.part_pct) : f.properties.classe;
        return { color: "#ffffff", weight: byDepartment ? 1 : 0.3, fillColor: COLOURS[key] || COLOURS.none,
                 fillOpacity: 0.85 };
      },
      onEachFeature: function (f, lyr) {
        var p = f.properties;
        var text = byDepartment
          ? p.nom + " (" + p.code + ") : " + fmt(p.population_far) + " habitants au-delà du seuil (" +
            String(p.part_pct).replace(".", ",") + " %)"
          : p.nom + " (" + p.insee + "), " + fmt(p.population) + " hab. : " +
            (p.distance_km === null ? "aucune offre" : String(p.distance_km).replace(".", ",") + " km");
        lyr.bindTooltip(text, { sticky: true });
      }
    }).addTo(map);
    var hint = document.querySelector("[data-legend-level]");
    if (hint) {
      hint.textContent = byDepartment
        ? "Par département (France entière) : part de la population vivant au-delà du seuil ; " +
          "dézoomez pour les départements d'outre-mer."
        : "Une cellule par commune (zone la plus proche de son centre, découpée par les limites " +
          "départementales : les contours communaux ne sont pas embarqués).";
    }
    if (byDepartment) {
      /* the legend then reads as shares of the population beyond the threshold */
      var title = document.querySelector("[data-legend-title]");
      if (title) { title.textContent = "Part de la population au-delà du seuil"; }
      var shares = { c1: "0 %", c2: "moins de 5 %", c3: "5 à 20 %", c4: "20 % ou plus", none: "sans population" };
      Array.prototype.forEach.call(document.querySelectorAll("#legende li"), function (li) {
        var swatch = li.querySelector(".swatch");
        var key = swatch ? swatch.className.replace(/.*swatch-(\w+).*/, "$1") : "";
        if (shares[key]) {
          li.textContent = "";
          li.appendChild(swatch);
          li.appendChild(document.createTextNode(" " + shares[key]));
        }
      });
    } else if (!bounds.isValid() && layer.getBounds().isValid()) {
      map.fitBounds(layer.getBounds());
    }
    el.setAttribute("data-choropleth", String(geo.features.length));
    el.setAttribute("data-choropleth-level", geo.level);
  }
  if (data.choropleth) {
    drawChoropleth(data.choropleth);
  } else if (data.choropleth_url) {
    var stop = startProgress("Chargement de la carte…");
    fetch(data.choropleth_url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (geo) { stop(); if (geo) { drawChoropleth(geo); } })
      .catch(function () { stop(); });
  }

  /* ---------------------------------------------------------------- drawing and GeoJSON import */
  var panel = document.querySelector("details.zone-panel");
  var text = document.querySelector("[data-geojson-text]");
  var tools = document.querySelector("[data-draw-tools]");
  var status = document.querySelector("[data-draw-status]");
  if (!panel || !text || el.getAttribute("data-draw") !== "true") { return; }
  var vertices = [];
  var sketch = L.polyline([], { color: "#6a3d9a", weight: 2, dashArray: "4 4" }).addTo(map);
  var zone = L.geoJSON(null, { style: { color: "#6a3d9a", weight: 2.5, fillOpacity: 0.08 } }).addTo(map);

  function say(message) { if (status) { status.textContent = message; } }
  function showZone(geojson, fit) {
    zone.clearLayers();
    try { zone.addData(geojson); } catch (e) { say("GeoJSON illisible par la carte."); return; }
    if (fit && zone.getBounds().isValid()) { map.fitBounds(zone.getBounds(), { padding: [10, 10] }); }
  }
  function syncTools() { if (tools) { tools.hidden = !panel.open; } }
  panel.addEventListener("toggle", syncTools);
  syncTools();

  map.on("click", function (event) {
    if (!panel.open) { return; }
    vertices.push([event.latlng.lng, event.latlng.lat]);
    sketch.setLatLngs(vertices.map(function (v) { return [v[1], v[0]]; }));
    say(vertices.length + " sommet" + (vertices.length > 1 ? "s" : "") + " placé" + (vertices.length > 1 ? "s" : "") +
        (vertices.length >= 3 ? " — « Terminer le polygone » pour valider." : "."));
  });
  var finish = document.querySelector("[data-draw-finish]");
  if (finish) {
    finish.addEventListener("click", function () {
      if (vertices.length < 3) { say("Placez au moins 3 sommets sur la carte."); return; }
      var ring = vertices.concat([vertices[0]]);
      var geojson = { type: "Polygon", coordinates: [ring.map(function (v) {
        return [Math.round(v[0] * 1e5) / 1e5, Math.round(v[1] * 1e5) / 1e5]; })] };
      text.value = JSON.stringify(geojson);
      vertices = [];
      sketch.setLatLngs([]);
      showZone(geojson, false);
      say("Polygone prêt : lancez le calcul.");
    });
  }
  var clear = document.querySelector("[data-draw-clear]");
  if (clear) {
    clear.addEventListener("click", function () {
      vertices = []; sketch.setLatLngs([]); zone.clearLayers(); text.value = ""; say("Zone effacée.");
    });
  }
  var file = document.querySelector("[data-geojson-file]");
  if (file) {
    file.addEventListener("change", function () {
      var f = file.files && file.files[0];
      if (!f) { return; }
      if (f.size > 60000) { say("Fichier trop volumineux (au plus 60 ko) : simplifiez le contour."); return; }
      var reader = new FileReader();
      reader.onload = function () {
        text.value = String(reader.result || "");
        try { showZone(JSON.parse(text.value), true); say("Fichier chargé : lancez le calcul."); }
        catch (e) { say("Ce fichier n'est pas du JSON valide."); }
      };
      reader.readAsText(f);
    });
  }
  if (text.value.trim()) {
    try { showZone(JSON.parse(text.value), !bounds.isValid()); } catch (e) { /* the server said what is wrong */ }
  }
})();
