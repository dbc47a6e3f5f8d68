/* Small SVG graph view of query results: nodes and links laid out by a few hundred steps of a plain
   force simulation (repulsion, springs, gravity), drawn once. No library, no network. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var MARGIN_X = 70, MARGIN_Y = 24, LEGEND_H = 28;
  var PALETTE = ["#004f8c", "#b3541e", "#2e7d32", "#6a3d9a", "#8a1111", "#00796b", "#5c3c00", "#37474f"];

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function layout(nodes, links, width, height) {
    var n = nodes.length, byId = {}, i, j;
    nodes.forEach(function (node, k) {
      var angle = 2 * Math.PI * k / Math.max(n, 1);
      node.x = width / 2 + Math.cos(angle) * width / 3;
      node.y = height / 2 + Math.sin(angle) * height / 3;
      node.vx = 0; node.vy = 0;
      byId[node.id] = node;
    });
    var edges = links.map(function (l) { return [byId[l.source], byId[l.target]]; })
      .filter(function (e) { return e[0] && e[1]; });
    var ideal = Math.max(40, Math.min(120, Math.sqrt(width * height / Math.max(n, 1)) * 0.7));
    for (var step = 0; step < 300; step++) {
      var heat = 1 - step / 300;
      for (i = 0; i < n; i++) {
        for (j = i + 1; j < n; j++) {
          var a = nodes[i], b = nodes[j];
          var dx = a.x - b.x, dy = a.y - b.y, d2 = dx * dx + dy * dy + 0.01;
          var f = ideal * ideal / d2;
          a.vx += dx * f * 0.03; a.vy += dy * f * 0.03;
          b.vx -= dx * f * 0.03; b.vy -= dy * f * 0.03;
        }
      }
      edges.forEach(function (e) {
        var dx = e[1].x - e[0].x, dy = e[1].y - e[0].y, d = Math.sqrt(dx * dx + dy * dy) + 0.01;
        var f = (d - ideal) / d * 0.1;
        e[0].vx += dx * f; e[0].vy += dy * f; e[1].vx -= dx * f; e[1].vy -= dy * f;
      });
      nodes.forEach(function (node) {
        node.vx += (width / 2 - node.x) * 0.03; node.vy += (height / 2 - node.y) * 0.03;
        var speed = Math.sqrt(node.vx * node.vx + node.vy * node.vy), cap = 20 * heat + 1;
        if (speed > cap) { node.vx *= cap / speed; node.vy *= cap / speed; }
        node.x = Math.min(width - MARGIN_X, Math.max(MARGIN_X, node.x + node.vx));
        node.y = Math.min(height - MARGIN_Y, Math.max(MARGIN_Y, node.y + node.vy));
        node.vx *= 0.5; node.vy *= 0.5;
      });
    }
    return edges;
  }

  /* Draw `graph` ({nodes: [{id, labels, caption}], links: [{id, type, source, target}]}) into `figure`. */
  function draw(figure, graph) {
    var old = figure.querySelector("svg");
    if (old) { old.remove(); }
    var width = 760, height = Math.min(560, 220 + graph.nodes.length * 12);
    var nodes = graph.nodes.map(function (n) { return { id: n.id, labels: n.labels || [], caption: n.caption || n.id }; });
    var edges = layout(nodes, graph.links || [], width, height);
    var colours = {}, legend = [];
    nodes.forEach(function (n) {
      var label = n.labels[0] || "?";
      if (!(label in colours)) { colours[label] = PALETTE[legend.length % PALETTE.length]; legend.push(label); }
    });
    var titleId = figure.id + "-svg-titre";
    var svg = el("svg", { viewBox: "0 0 " + width + " " + (height + LEGEND_H), role: "img", "aria-labelledby": titleId,
                          class: "graph-svg", width: "100%" });
    svg.appendChild(el("title", { id: titleId }, nodes.length + " nœud(s) et " + edges.length + " lien(s) : " +
      edges.slice(0, 20).map(function (e) { return e[0].caption + " → " + e[1].caption; }).join(" ; ")));
    var defs = el("defs");
    var marker = el("marker", { id: figure.id + "-fleche", viewBox: "0 0 10 10", refX: "22", refY: "5",
                                markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
    marker.appendChild(el("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "graph-arrow" }));
    defs.appendChild(marker);
    svg.appendChild(defs);
    var byPair = {};
    (graph.links || []).forEach(function (l) { byPair[l.source + "|" + l.target] = l.type; });
    edges.forEach(function (e) {
      var g = el("g", { class: "graph-link" });
      g.appendChild(el("line", { x1: e[0].x, y1: e[0].y, x2: e[1].x, y2: e[1].y,
                                 "marker-end": "url(#" + figure.id + "-fleche)" }));
      g.appendChild(el("text", { x: (e[0].x + e[1].x) / 2, y: (e[0].y + e[1].y) / 2 - 4, "text-anchor": "middle" },
                       byPair[e[0].id + "|" + e[1].id] || ""));
      svg.appendChild(g);
    });
    nodes.forEach(function (n) {
      var g = el("g", { class: "graph-node" });
      g.appendChild(el("title", {}, (n.labels.join(", ") || "nœud") + " : " + n.caption));
      g.appendChild(el("circle", { cx: n.x, cy: n.y, r: 11, fill: colours[n.labels[0] || "?"] }));
      var caption = n.caption.length > 28 ? n.caption.slice(0, 27) + "…" : n.caption;
      g.appendChild(el("text", { x: n.x, y: n.y + 24, "text-anchor": "middle" }, caption));
      svg.appendChild(g);
    });
    var x = 12, y = height + LEGEND_H - 9;
    svg.appendChild(el("line", { x1: 0, x2: width, y1: height + 2, y2: height + 2, class: "graph-legend-rule" }));
    legend.forEach(function (label) {
      svg.appendChild(el("circle", { cx: x, cy: y - 4, r: 6, fill: colours[label], class: "graph-legend" }));
      svg.appendChild(el("text", { x: x + 10, y: y, class: "graph-legend" }, label));
      x += 24 + label.length * 7;
    });
    figure.insertBefore(svg, figure.firstChild);
  }

  window.RorGraphView = { draw: draw };
})();
