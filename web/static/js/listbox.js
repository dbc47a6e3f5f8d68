/* The suggestion list of a combobox (ARIA listbox), shared by search.js and code-picker.js: options rendered with
   their ids, aria-selected and the field's aria-activedescendant; ↓ ↑ move, Entrée chooses, Échap closes; a click
   chooses (a press on an option keeps the focus in the field). `choose(item)` is the caller's. With `picker`, the
   list is the only way to fill the field: Entrée never submits the form and chooses a lone option. */
(function () {
  "use strict";

  window.RorListbox = function (input, list, choose, picker) {
    var box = { items: [], active: -1 };

    box.close = function () {
      list.hidden = true; list.innerHTML = ""; box.items = []; box.active = -1;
      input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
    };
    box.highlight = function (i) {
      box.active = i;
      Array.prototype.forEach.call(list.children, function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      if (i >= 0) { input.setAttribute("aria-activedescendant", list.children[i].id); list.children[i].scrollIntoView({ block: "nearest" }); }
    };
    /* items: what `choose` receives; each shown as its `label` with `tag(item)` beside it (a <span class="kind">). */
    box.render = function (items, tag) {
      list.innerHTML = ""; box.items = items; box.active = -1;
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = item.label;
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = tag(item);
        li.appendChild(kind);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });  /* focus stays in the field */
        li.addEventListener("click", function () { choose(item); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    };
    input.addEventListener("keydown", function (e) {
      if (list.hidden || e.defaultPrevented) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); box.highlight(Math.min(box.active + 1, box.items.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); box.highlight(Math.max(box.active - 1, 0)); }
      else if (e.key === "Enter" && (box.active >= 0 || picker)) {
        e.preventDefault();
        var item = box.active >= 0 ? box.items[box.active] : (box.items.length === 1 ? box.items[0] : null);
        if (item) { choose(item); }
      }
      else if (e.key === "Escape") { box.close(); }
    });
    return box;
  };
})();
