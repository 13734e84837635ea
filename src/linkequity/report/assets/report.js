/* linkequity report: sortable tables and the tier graph's hover, focus, pan and zoom.
   Reads only data-* attributes and text; writes only textContent, classes and the
   SVG viewBox (never HTML), so that no text from the web can become markup. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");

  function cellKey(row, index) {
    var cell = row.cells[index];
    if (!cell) { return { num: NaN, text: "" }; }
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent;
    var num = raw === "" ? NaN : Number(raw);
    return { num: num, text: (cell.textContent || "").toLowerCase() };
  }

  function sortTable(table, index, th) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows).map(function (row, position) {
      return { row: row, key: cellKey(row, index), position: position };
    });
    rows.sort(function (a, b) {
      var x = a.key, y = b.key, order = 0;
      if (!isNaN(x.num) && !isNaN(y.num)) { order = x.num - y.num; }
      else if (isNaN(x.num) !== isNaN(y.num)) { order = isNaN(x.num) ? 1 : -1; return order; }
      else { order = x.text < y.text ? -1 : (x.text > y.text ? 1 : 0); }
      if (order === 0) { return a.position - b.position; }
      return ascending ? order : -order;
    });
    rows.forEach(function (item) { body.appendChild(item.row); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortTable(table, index, th); });
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortTable(table, index, th); }
      });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("svg.tier-graph"), function (svg) {
    var box = svg.closest(".graph-box");
    var details = box ? box.querySelector(".graph-details") : null;
    var nodes = svg.querySelectorAll("g.node");
    var edges = svg.querySelectorAll("path.edge");
    var up = {}, down = {};
    Array.prototype.forEach.call(edges, function (edge) {
      var s = edge.getAttribute("data-source"), t = edge.getAttribute("data-target");
      (down[s] = down[s] || []).push(edge);
      (up[t] = up[t] || []).push(edge);
    });

    function describe(node) {
      if (!details) { return; }
      var title = node.querySelector("title");
      details.textContent = title ? title.textContent : "";
    }

    function walk(start, table, key) {
      var seen = {}, stack = [start], hot = [];
      while (stack.length) {
        var id = stack.pop();
        (table[id] || []).forEach(function (edge) {
          hot.push(edge);
          var next = edge.getAttribute(key);
          if (!seen[next]) { seen[next] = true; stack.push(next); }
        });
      }
      return { edges: hot, nodes: seen };
    }

    function focus(node) {
      var id = node.getAttribute("data-node");
      var wasHot = svg.classList.contains("focus") && node.classList.contains("picked");
      Array.prototype.forEach.call(svg.querySelectorAll(".hot, .picked"), function (el) {
        el.classList.remove("hot"); el.classList.remove("picked");
      });
      if (wasHot) { svg.classList.remove("focus"); return; }
      var towards = walk(id, down, "data-target"), from = walk(id, up, "data-source");
      var ids = {}; ids[id] = true;
      Object.keys(towards.nodes).concat(Object.keys(from.nodes)).forEach(function (k) { ids[k] = true; });
      towards.edges.concat(from.edges).forEach(function (edge) { edge.classList.add("hot"); });
      Array.prototype.forEach.call(nodes, function (other) {
        if (ids[other.getAttribute("data-node")]) { other.classList.add("hot"); }
      });
      node.classList.add("picked");
      svg.classList.add("focus");
      describe(node);
    }

    Array.prototype.forEach.call(nodes, function (node) {
      node.addEventListener("mouseenter", function () { describe(node); });
      node.addEventListener("focus", function () { describe(node); });
      node.addEventListener("click", function (event) {
        event.stopPropagation();
        if (dragged) { dragged = false; return; }
        focus(node);
      });
      node.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); focus(node); }
      });
    });

    var full = { x: 0, y: 0, w: Number(svg.getAttribute("data-width")), h: Number(svg.getAttribute("data-height")) };
    var view = { x: full.x, y: full.y, w: full.w, h: full.h };
    function apply() { svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" ")); }
    function zoom(factor, cx, cy) {
      var nw = Math.min(full.w * 4, Math.max(full.w / 20, view.w * factor));
      var nh = view.h * nw / view.w;
      cx = cx === undefined ? view.x + view.w / 2 : cx;
      cy = cy === undefined ? view.y + view.h / 2 : cy;
      view.x = cx - (cx - view.x) * nw / view.w;
      view.y = cy - (cy - view.y) * nh / view.h;
      view.w = nw; view.h = nh; apply();
    }
    function point(event) {
      var rect = svg.getBoundingClientRect();
      return { x: view.x + (event.clientX - rect.left) / rect.width * view.w,
               y: view.y + (event.clientY - rect.top) / rect.height * view.h };
    }
    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var p = point(event);
      zoom(event.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
    }, { passive: false });
    var drag = null;
    svg.addEventListener("pointerdown", function (event) {
      drag = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y, moved: false };
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var rect = svg.getBoundingClientRect();
      var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; }
      if (!drag.moved) { return; }
      view.x = drag.vx - dx / rect.width * view.w;
      view.y = drag.vy - dy / rect.height * view.h;
      apply();
    });
    var dragged = false;
    function stop() { dragged = Boolean(drag && drag.moved); drag = null; }
    svg.addEventListener("pointerup", stop);
    svg.addEventListener("pointerleave", stop);
    svg.addEventListener("click", function () {
      if (dragged) { dragged = false; return; }
      if (svg.classList.contains("focus")) {
        svg.classList.remove("focus");
        Array.prototype.forEach.call(svg.querySelectorAll(".hot, .picked"), function (el) {
          el.classList.remove("hot"); el.classList.remove("picked");
        });
      }
    });
    if (box) {
      Array.prototype.forEach.call(box.querySelectorAll("button[data-zoom]"), function (button) {
        button.addEventListener("click", function () {
          var how = button.getAttribute("data-zoom");
          if (how === "in") { zoom(1 / 1.3); }
          else if (how === "out") { zoom(1.3); }
          else { view = { x: full.x, y: full.y, w: full.w, h: full.h }; apply(); }
        });
      });
    }
  });
}());
