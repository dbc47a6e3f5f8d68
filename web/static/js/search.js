/* Search form enhancements: accessible autocomplete (ARIA combobox), "ma position", mode switch, list/map toggle
   on a phone. Without JavaScript the form still works (plain GET submit, free text understood by the server).
   The suggestion list is laid out in the flow of the form (it pushes what follows down, never covers it) and is
   closed only once a pointer click has completed elsewhere, so the click lands on what the person aimed at. */
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form) { return; }
  var KINDS = { what: ["activity", "act", "equipment"], where: ["commune"] };
  var KIND_LABELS = { activity: "activité", act: "acte", equipment: "équipement", commune: "commune", site: "établissement" };
  var MODE_OF_KIND = { activity: "specialist_opinion", act: "act_team", equipment: "equipment" };
  var code = document.getElementById("champ-code");
  var lat = document.getElementById("champ-lat");
  var lon = document.getElementById("champ-lon");

  function setup(input) {
    var role = input.getAttribute("data-autocomplete");
    var list = document.createElement("ul");
    list.id = input.id + "-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var items = [], active = -1, timer = null, seq = 0;

    function close() {
      list.hidden = true; list.innerHTML = ""; items = []; active = -1;
      input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
    }
    function highlight(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      if (i >= 0) { input.setAttribute("aria-activedescendant", list.children[i].id); list.children[i].scrollIntoView({ block: "nearest" }); }
    }
    function choose(i) {
      var s = items[i];
      if (!s) { return; }
      input.value = s.label;
      if (role === "what") {
        code.value = s.code;
        var lits = document.getElementById("champ-lits");
        var mode = MODE_OF_KIND[s.kind];
        var current = currentMode();
        var keep = (current === "beds" || current === "text") && s.kind === "activity";
        if (mode && !(lits && lits.checked) && !keep) { setMode(mode); }
      } else { lat.value = ""; lon.value = ""; }
      close();
    }
    function render(suggestions) {
      list.innerHTML = ""; items = suggestions; active = -1;
      suggestions.forEach(function (s, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = s.label;
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = (KIND_LABELS[s.kind] || s.kind) + (s.detail ? " · " + s.detail : "");
        li.appendChild(kind);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });  /* focus stays in the field */
        li.addEventListener("click", function () { choose(i); });
        list.appendChild(li);
      });
      list.hidden = suggestions.length === 0;
      input.setAttribute("aria-expanded", suggestions.length ? "true" : "false");
    }
    function fetchSuggestions() {
      var prefix = input.value.trim();
      if (prefix.length < 2) { close(); return; }
      var params = new URLSearchParams({ prefix: prefix, limit: "8" });
      KINDS[role].forEach(function (k) { params.append("kinds", k); });
      var mine = ++seq;
      fetch("/api/v1/autocomplete?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (body) { if (mine === seq && document.activeElement === input) { render(body.suggestions || []); } })
        .catch(function () { close(); });
    }
    input.addEventListener("input", function () {
      if (role === "what") { code.value = ""; } else { lat.value = ""; lon.value = ""; }
      clearTimeout(timer); timer = setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(active); }
      else if (e.key === "Escape") { close(); }
    });
    /* Keyboard: leaving the field closes the list at once. Pointer: the list stays until the click is over
       (closing it on pointerdown would move what is below before the button is released). */
    input.addEventListener("blur", function () { if (!pointerIsDown) { close(); } });
    document.addEventListener("pointerup", function (e) {
      if (e.target === input || list.contains(e.target)) { return; }
      setTimeout(function () { if (document.activeElement !== input) { close(); } }, 0);
    });
  }

  var pointerIsDown = false;
  document.addEventListener("pointerdown", function () { pointerIsDown = true; }, true);
  document.addEventListener("pointerup", function () { setTimeout(function () { pointerIsDown = false; }, 0); }, true);
  document.addEventListener("pointercancel", function () { pointerIsDown = false; }, true);

  function currentMode() {
    var select = document.getElementById("champ-mode");
    if (select) { return select.value; }
    var checked = form.querySelector("input[name=mode]:checked");
    return checked ? checked.value : "";
  }
  function setMode(mode) {
    var select = document.getElementById("champ-mode");
    if (select) { select.value = mode; return; }
    var radio = document.getElementById("mode-" + mode);
    if (radio) { radio.checked = true; }
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-autocomplete]"), setup);

  var locate = document.getElementById("ma-position");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      locate.disabled = true; locate.textContent = "Localisation…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(5); lon.value = pos.coords.longitude.toFixed(5);
        document.getElementById("champ-ou").value = "Ma position";
        locate.disabled = false; locate.textContent = "Ma position";
      }, function () {
        locate.disabled = false; locate.textContent = "Position indisponible";
      }, { timeout: 10000, maximumAge: 60000 });
    });
  }
  var errors = document.getElementById("erreurs");
  if (errors) { errors.focus(); }

  /* Phone screens: list or map, one at a time (both stay in the page without JavaScript). */
  var toggle = document.querySelector(".view-toggle");
  var layout = document.querySelector(".results-layout");
  if (toggle && layout) {
    toggle.hidden = false;
    layout.setAttribute("data-toggle", "on");
    Array.prototype.forEach.call(toggle.querySelectorAll("button[data-view]"), function (button) {
      button.addEventListener("click", function () {
        var view = button.getAttribute("data-view");
        layout.setAttribute("data-view", view);
        Array.prototype.forEach.call(toggle.querySelectorAll("button[data-view]"), function (b) {
          b.setAttribute("aria-pressed", b === button ? "true" : "false");
        });
        if (view === "map") { window.dispatchEvent(new Event("ror:map-shown")); }
      });
    });
  }
})();
