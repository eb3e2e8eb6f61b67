// Network page: the graph of records and shared identifiers (cytoscape.js) and the itinerary map
// (d3-geo + topojson-client over vendored us-atlas / world-atlas; no tile server, nothing fetched
// from outside this app). All text from the data is set with textContent, never as HTML.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = { record: "#3b5b8c", phone: "#b4531f", email: "#7a4fa0", handle: "#2e7d5b", payment: "#9c7a12", url: "#666666", image: "#b03a5b" };

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function drawGraph(container, graph) {
    if (typeof cytoscape !== "function") { return; }
    var maxCount = 1;
    graph.nodes.forEach(function (n) { if (n.kind !== "record" && n.count > maxCount) { maxCount = n.count; } });
    var elements = graph.nodes.map(function (n) {
      var size = n.kind === "record" ? 7 : Math.round(14 + 22 * Math.sqrt((n.count || 1) / maxCount));
      var label = n.kind === "record" ? "" : (n.label.length > 24 ? n.label.slice(0, 23) + "…" : n.label);
      return { data: { id: n.id, label: label, title: n.label, kind: n.kind, href: n.href || "", size: size } };
    }).concat(graph.edges.map(function (e, i) {
      return { data: { id: "e" + i, source: e.source, target: e.target } };
    }));
    var style = [
      { selector: "node", style: { "background-color": "#888", "width": "data(size)", "height": "data(size)", "label": "data(label)", "font-size": 12, "color": "#1d232b", "text-valign": "bottom", "text-margin-y": 2, "text-background-color": "#ffffff", "text-background-opacity": 0.8, "text-background-padding": 1, "min-zoomed-font-size": 6 } },
      { selector: "edge", style: { "width": 0.6, "line-color": "#c3c9d1", "curve-style": "haystack" } },
      { selector: "node:selected", style: { "border-width": 2, "border-color": "#f2b705" } }
    ];
    Object.keys(COLORS).forEach(function (kind) {
      style.push({ selector: "node[kind = \"" + kind + "\"]", style: { "background-color": COLORS[kind] } });
    });
    style.push({ selector: "node[kind = \"record\"]", style: { "shape": "round-rectangle", "background-opacity": 0.75 } });
    var big = elements.length > 250;
    var cy = cytoscape({
      container: container,
      elements: elements,
      style: style,
      layout: {
        name: "cose", animate: false, randomize: true, fit: true, padding: 12,
        nodeRepulsion: function (node) { return node.data("kind") === "record" ? 4000 : 40000; },
        idealEdgeLength: function () { return big ? 28 : 40; },
        edgeElasticity: function () { return 80; },
        nestingFactor: 1.2, gravity: 0.6, numIter: big ? 600 : 1000, componentSpacing: 30,
        nodeDimensionsIncludeLabels: false
      },
      wheelSensitivity: 0.3,
      minZoom: 0.2,
      maxZoom: 4
    });
    cy.on("tap", "node", function (event) {
      var href = event.target.data("href");
      if (href && href.charAt(0) === "/") { window.location.href = href; }
    });
    cy.on("mouseover", "node", function (event) { container.setAttribute("title", event.target.data("title")); });
    container.classList.add("ready");
  }

  function hopList(answer) {
    var list = document.createElement("ol");
    list.className = "path";
    function step(cls, text, href) {
      var li = document.createElement("li");
      li.className = cls;
      if (href && href.charAt(0) === "/") {
        var a = document.createElement("a");
        a.href = href;
        a.textContent = text;
        li.appendChild(a);
      } else {
        li.textContent = text;
      }
      list.appendChild(li);
    }
    if (!answer.hops) { var none = document.createElement("span"); none.className = "muted"; none.textContent = "No path found"; return none; }
    if (!answer.hops.length) { var first = document.createElement("span"); first.className = "tag tag-neutral"; first.textContent = "first record of the network"; return first; }
    step("step-record", answer.founder, answer.hops[0].source_href);
    answer.hops.forEach(function (hop, index) {
      step("step-evidence", hop.evidence, null);
      step("step-record", index === answer.hops.length - 1 ? "this record" : hop.target, index === answer.hops.length - 1 ? null : hop.target_href);
    });
    return list;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.explain") : null;
    if (!button) { return; }
    var api = button.getAttribute("data-api") || "";
    if (api.indexOf("/api/networks/") !== 0) { return; }
    button.disabled = true;
    button.textContent = "Finding…";
    fetch(api, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (answer) {
      button.replaceWith(hopList(answer));
    }).catch(function () { button.disabled = false; button.textContent = "Retry"; });
  });

  function drawMap(container, stops) {
    stops = stops.filter(function (s) { return typeof s.lat === "number" && typeof s.lon === "number"; });
    if (!window.d3 || !window.topojson || !stops.length) {
      if (!stops.length) { container.textContent = "No place with coordinates was extracted."; }
      return;
    }
    var usOnly = stops.every(function (s) { return s.country === "US"; });
    var atlas = usOnly ? "/static/vendor/us-atlas/states-10m.json" : "/static/vendor/world-atlas/countries-110m.json";
    fetch(atlas, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (topology) {
      var width = 640, height = 380;
      var shapes = usOnly ? topojson.feature(topology, topology.objects.states) : topojson.feature(topology, topology.objects.countries);
      var projection;
      if (usOnly) {
        projection = d3.geoAlbersUsa().fitSize([width, height], shapes);
      } else {
        var points = { type: "MultiPoint", coordinates: stops.map(function (s) { return [s.lon, s.lat]; }) };
        projection = d3.geoNaturalEarth1().fitExtent([[40, 40], [width - 40, height - 40]], stops.length > 1 ? points : shapes);
      }
      var path = d3.geoPath(projection);
      var svg = el("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "class": "map-svg", "aria-label": "Itinerary map" });
      var land = el("g", { "class": "land" }, svg);
      shapes.features.forEach(function (f) { var d = path(f); if (d) { el("path", { d: d }, land); } });
      var route = el("g", { "class": "route" }, svg);
      for (var i = 1; i < stops.length; i++) {
        var d = path({ type: "LineString", coordinates: [[stops[i - 1].lon, stops[i - 1].lat], [stops[i].lon, stops[i].lat]] });
        if (d) { el("path", { d: d }, route); }
      }
      var marks = el("g", { "class": "stops" }, svg);
      var seen = {};
      stops.forEach(function (s, index) {
        var xy = projection([s.lon, s.lat]);
        if (!xy) { return; }
        var key = Math.round(xy[0]) + "," + Math.round(xy[1]);
        var g = el("g", { transform: "translate(" + xy[0].toFixed(1) + "," + xy[1].toFixed(1) + ")" }, marks);
        el("circle", { r: 4 + Math.min(6, Math.sqrt(s.count)) }, g);
        var title = el("title", {}, g);
        title.textContent = (index + 1) + ". " + s.name + (s.admin1 ? ", " + s.admin1 : "") + " — " + s.count + " posting(s)";
        if (!seen[key]) {
          var label = el("text", { x: 8, y: 4 }, g);
          label.textContent = s.name;
          seen[key] = true;
        }
      });
      container.textContent = "";
      container.appendChild(svg);
      container.classList.add("ready");
    }).catch(function () { container.textContent = "Map could not be drawn."; });
  }

  var graphBox = document.getElementById("graph");
  var mapBox = document.getElementById("map");
  if (!graphBox) { return; }
  var api = graphBox.getAttribute("data-api") || "";
  if (api.indexOf("/api/networks/") !== 0) { return; }
  fetch(api, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (network) {
    drawGraph(graphBox, network.graph);
    if (mapBox) { drawMap(mapBox, network.itinerary); }
  });
})();
