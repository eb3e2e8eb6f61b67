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
    var elements = graph.nodes.map(function (n) {
      return { data: { id: n.id, label: n.kind === "record" ? "" : n.label, title: n.label, kind: n.kind, href: n.href || "" } };
    }).concat(graph.edges.map(function (e, i) {
      return { data: { id: "e" + i, source: e.source, target: e.target } };
    }));
    var style = [
      { selector: "node", style: { "background-color": "#888", "width": 14, "height": 14, "label": "data(label)", "font-size": 8, "color": "#222", "text-valign": "bottom", "text-margin-y": 2 } },
      { selector: "edge", style: { "width": 1, "line-color": "#c8ccd2" } }
    ];
    Object.keys(COLORS).forEach(function (kind) {
      style.push({ selector: "node[kind = \"" + kind + "\"]", style: { "background-color": COLORS[kind] } });
    });
    style.push({ selector: "node[kind = \"record\"]", style: { "shape": "round-rectangle", "width": 10, "height": 10 } });
    var cy = cytoscape({
      container: container,
      elements: elements,
      style: style,
      layout: { name: elements.length > 400 ? "grid" : "cose", animate: false, randomize: false, nodeRepulsion: 6000 },
      wheelSensitivity: 0.3
    });
    cy.on("tap", "node", function (event) {
      var href = event.target.data("href");
      if (href && href.charAt(0) === "/") { window.location.href = href; }
    });
    cy.on("mouseover", "node", function (event) { container.setAttribute("title", event.target.data("title")); });
    container.classList.add("ready");
  }

  function drawMap(container, stops) {
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
