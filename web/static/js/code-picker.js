/* NOS value pickers of the description form: each field becomes the values chosen (their label, the code beside
   it, a button to remove each) and a search box (ARIA combobox) listing the labels that match what is typed.
   The form still sends the codes in the field's own input (now hidden). Without JavaScript the field is a text
   input the server reads labels from. A field the server sent back with an error keeps its typed text as is. */
(function () {
  "use strict";

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function setup(raw, n) {
    var selected;
    try { selected = JSON.parse(raw.getAttribute("data-selected") || "[]"); } catch (e) { return; }
    if (!selected.length && raw.value.trim()) { return; }  /* typed text sent back with an error: left as typed */
    var source = raw.getAttribute("data-source") || "";
    var embedded = null;
    if (source.charAt(0) === "#") {
      var holder = document.querySelector(source);
      if (!holder) { return; }
      embedded = JSON.parse(holder.textContent || "[]").map(function (o) { return { code: o[0], label: o[1] }; });
    }
    var field = raw.parentNode;
    var id = raw.id;
    raw.id = id + "-codes";
    raw.type = "hidden";

    var chips = document.createElement("ul");
    chips.className = "chips";
    chips.setAttribute("aria-label", "Valeurs choisies");
    var search = document.createElement("input");
    search.type = "text";
    search.id = id;  /* the field's <label for> now names the search box */
    search.autocomplete = "off";
    search.className = "picker-search";
    search.setAttribute("role", "combobox");
    search.setAttribute("aria-autocomplete", "list");
    search.setAttribute("aria-expanded", "false");
    search.setAttribute("aria-describedby", raw.getAttribute("aria-describedby") || "");
    if (raw.getAttribute("aria-invalid")) { search.setAttribute("aria-invalid", "true"); }
    var list = document.createElement("ul");
    list.className = "suggestions";
    list.id = id + "-options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    search.setAttribute("aria-controls", list.id);
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    var hint = field.querySelector(".hint");
    if (hint) { hint.textContent = "Tapez quelques lettres d'un libellé (ou un code), puis choisissez dans la liste ; " +
                                   "chaque valeur choisie peut être retirée."; }
    raw.insertAdjacentElement("afterend", status);
    raw.insertAdjacentElement("afterend", list);
    raw.insertAdjacentElement("afterend", search);
    raw.insertAdjacentElement("afterend", chips);

    var items = [], active = -1, seq = 0, timer = null;

    function sync() { raw.value = selected.map(function (s) { return s.code; }).join("; "); }
    function renderChips() {
      chips.innerHTML = "";
      selected.forEach(function (s, i) {
        var li = document.createElement("li");
        li.className = "chip";
        li.appendChild(document.createTextNode(s.label + " "));
        var code = document.createElement("span");
        code.className = "code";
        code.textContent = "(" + s.code + ")";
        li.appendChild(code);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "chip-remove";
        remove.setAttribute("aria-label", "Retirer " + s.label);
        remove.textContent = "×";
        remove.addEventListener("click", function () {
          selected.splice(i, 1); sync(); renderChips();
          status.textContent = s.label + " retiré.";
          search.focus();
        });
        li.appendChild(remove);
        chips.appendChild(li);
      });
    }
    function close() {
      list.hidden = true; list.innerHTML = ""; items = []; active = -1;
      search.setAttribute("aria-expanded", "false"); search.removeAttribute("aria-activedescendant");
    }
    function highlight(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      if (i >= 0) { search.setAttribute("aria-activedescendant", list.children[i].id); list.children[i].scrollIntoView({ block: "nearest" }); }
    }
    function add(option) {
      if (!selected.some(function (s) { return s.code === option.code; })) {
        selected.push({ code: option.code, label: option.label });
        sync(); renderChips();
        status.textContent = option.label + " ajouté.";
      }
      search.value = ""; close(); search.focus();
    }
    function render(options) {
      list.innerHTML = ""; items = options; active = -1;
      options.forEach(function (o, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = o.label;
        var code = document.createElement("span");
        code.className = "kind";
        code.textContent = o.code;
        li.appendChild(code);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { add(o); });
        list.appendChild(li);
      });
      list.hidden = options.length === 0;
      search.setAttribute("aria-expanded", options.length ? "true" : "false");
      status.textContent = options.length ? options.length + " valeur(s) proposée(s)." : "Aucune valeur ne correspond.";
    }
    function matches(typed) {
      var words = fold(typed).split(/\s+/).filter(Boolean);
      var taken = {};
      selected.forEach(function (s) { taken[s.code] = true; });
      return embedded.filter(function (o) {
        if (taken[o.code]) { return false; }
        var hay = fold(o.label + " " + o.code);
        return words.every(function (w) { return hay.indexOf(w) >= 0; });
      }).slice(0, 12);
    }
    function lookup() {
      var typed = search.value.trim();
      if (!typed) { close(); return; }
      if (embedded) { render(matches(typed)); return; }
      if (typed.length < 2) { close(); return; }
      var params = new URLSearchParams({ prefix: typed, limit: "12" });
      params.append("kinds", source.split(":")[1]);
      var mine = ++seq;
      fetch("/api/v1/autocomplete?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (body) {
          if (mine !== seq || document.activeElement !== search) { return; }
          render((body.suggestions || []).map(function (s) { return { code: s.code, label: s.label }; }));
        })
        .catch(close);
    }
    search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, embedded ? 0 : 150); });
    search.addEventListener("focus", function () { if (embedded && !search.value) { render(matches("")); } });
    search.addEventListener("keydown", function (e) {
      if (e.key === "Backspace" && !search.value && selected.length) {
        var removed = selected.pop(); sync(); renderChips(); status.textContent = removed.label + " retiré."; return;
      }
      if (list.hidden) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter") { e.preventDefault(); if (active >= 0) { add(items[active]); } else if (items.length === 1) { add(items[0]); } }
      else if (e.key === "Escape") { close(); }
    });
    /* Leaving the field closes its list a moment later (a click on an option lands first); if the field has the
       focus again by then (a quick return, a test typing at once), the list it now shows stays open. */
    search.addEventListener("blur", function () {
      setTimeout(function () { if (document.activeElement !== search) { close(); } }, 150);
    });
    sync(); renderChips();
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-code-picker]"), setup);
})();
