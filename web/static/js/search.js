/* Search form enhancements: accessible autocomplete (ARIA combobox), "ma position", mode switch.
   Without JavaScript the form still works (plain GET submit, free text understood by the server). */
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
        var current = form.querySelector("input[name=mode]:checked");
        var keep = current && (current.value === "beds" || current.value === "text") && s.kind === "activity";
        if (mode && !(lits && lits.checked) && !keep) { document.getElementById("mode-" + mode).checked = true; }
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
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
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
    input.addEventListener("blur", function () { setTimeout(close, 100); });
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
})();
