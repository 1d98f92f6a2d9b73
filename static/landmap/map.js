/*
 * Landmap's map in the browser (MIT, part of Landmap; loaded after Leaflet).
 *
 * The Python side (ui/mapview.py) sends each layer's features with their stored codes and ONE
 * small dictionary per layer: labels of the fields the user may see, vocabulary labels, colours.
 * Styles, popups, tooltips and the legend are built here from those dictionaries, so no label or
 * style is repeated per feature. Every value is written with textContent, never as HTML: names
 * come from uploaded files.
 */
(function (L) {
  "use strict";

  var has = Object.prototype.hasOwnProperty;
  var hidden = {}; // layer keys the user switched off in the layer control, kept across updates
  var userToggling = false;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function colorOf(style, props) {
    if (style.by && props && has.call(style.colors, props[style.by])) {
      return style.colors[props[style.by]];
    }
    return style.color;
  }

  function styleOf(spec) {
    var s = spec.style;
    return function (feature) {
      var color = colorOf(s, feature && feature.properties);
      return {
        color: spec.point ? "#ffffff" : color,
        weight: spec.point ? 1 : s.weight,
        opacity: 1,
        fillColor: color,
        fillOpacity: s.fillOpacity
      };
    };
  }

  // One value as the user reads it: vocabulary label, yes/no, grouped number, or a dash.
  function display(spec, field, value) {
    var kind = field[2];
    if (value === null || value === undefined || value === "") return spec.words.none;
    if (kind === "b") return value ? spec.words.yes : spec.words.no;
    if (kind === "v") {
      var labels = spec.vocab[field[0]] || {};
      return has.call(labels, value) ? labels[value] : String(value);
    }
    if (kind === "n" && typeof value === "number") {
      return value.toLocaleString(spec.locale, {maximumFractionDigits: 2});
    }
    return String(value);
  }

  function popupOf(spec) {
    return function (layer) {
      var props = (layer.feature && layer.feature.properties) || {};
      var box = el("div", "landmap-popup");
      var title = spec.title;
      if (spec.keyField && props[spec.keyField]) title += " · " + props[spec.keyField];
      box.appendChild(el("div", "landmap-popup-title", title));
      var table = el("table");
      spec.fields.forEach(function (field) {
        if (!has.call(props, field[0])) return; // a field the user may not see never arrives
        var row = table.insertRow();
        row.appendChild(el("th", null, field[1]));
        row.appendChild(el("td", null, display(spec, field, props[field[0]])));
      });
      box.appendChild(table);
      return box;
    };
  }

  // A layer drawn feature by feature: polygons, or points as circle markers.
  function layer(data, spec) {
    var options = {style: styleOf(spec)};
    if (spec.point) {
      options.pointToLayer = function (feature, latlng) {
        return L.circleMarker(latlng, {radius: spec.style.radius});
      };
    }
    var result = L.geoJSON(data, options);
    result.bindPopup(popupOf(spec), {maxWidth: 360, className: "landmap-popup-wrap"});
    return result;
  }

  // Village outlines with their counts; each feature carries its own short label and lines.
  function summary(data, spec) {
    var result = L.geoJSON(data, {style: styleOf(spec)});
    result.bindTooltip(function (item) {
      var props = (item.feature && item.feature.properties) || {};
      var box = el("div", "landmap-tip");
      box.appendChild(el("strong", null, props.label));
      (props.lines || []).forEach(function (line) { box.appendChild(el("div", null, line)); });
      return box;
    }, {sticky: true});
    return result;
  }

  // The legend: one section per drawn layer, then notes (zoomed out, too many, privacy). When
  // `owner` (a layer group) leaves the map, the legend goes with it.
  function legend(map, owner, spec) {
    var control = L.control({position: "bottomright"});
    control.onAdd = function () {
      var box = el("div", "landmap-legend");
      spec.sections.forEach(function (section) {
        var part = el("div", "landmap-legend-section");
        if (section.title) part.appendChild(el("div", "landmap-legend-title", section.title));
        section.items.forEach(function (item) {
          var row = el("div", "landmap-legend-item");
          var swatch = el("span", "landmap-swatch" + (section.point ? " landmap-swatch-point" : ""));
          swatch.style.backgroundColor = item[0];
          row.appendChild(swatch);
          row.appendChild(el("span", null, item[1]));
          part.appendChild(row);
        });
        box.appendChild(part);
      });
      spec.notes.forEach(function (note) { box.appendChild(el("div", "landmap-legend-note", note)); });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
    if (owner) owner.on("remove", function () { control.remove(); });
    return control;
  }

  // Each layer group names its layer, so that a layer the user switched off stays off when
  // streamlit-folium replaces the groups after a pan (it adds each group twice: folium's addTo
  // and its own addLayer, so every add that is not the user's is undone). The first group of an
  // update also drops the groups streamlit-folium has already removed from the map (it keeps
  // them all otherwise).
  function group(map, fg, key, first) {
    if (first) window.feature_group = [];
    fg.landmapKey = key;
    fg.on("add", function () {
      if (hidden[key] && !userToggling) map.removeLayer(fg);
    });
  }

  // Remember only the user's own clicks in the layer control, not layers being replaced.
  function watchToggles(map) {
    document.addEventListener("click", function (event) {
      var target = event.target;
      if (target && target.classList && target.classList.contains("leaflet-control-layers-selector")) {
        userToggling = true;
        setTimeout(function () { userToggling = false; }, 0);
      }
    }, true);
    map.on("overlayadd overlayremove", function (event) {
      var key = event.layer && event.layer.landmapKey;
      if (userToggling && key) hidden[key] = event.type === "overlayremove";
    });
  }

  // Where the map opens: <meta name="landmap-view" content='{"lat":..,"lon":..,"zoom":..}'>.
  // streamlit-folium re-creates the map only when its script changes, and the header is not
  // part of the script, so the view can follow the user without re-creating the map.
  // `generation` is not used here: it is written into the call so that a page that moves the
  // map (a new generation) changes the script, and the map is re-created at the new view.
  function initialView(map, generation) { // eslint-disable-line no-unused-vars
    var meta = document.querySelector('meta[name="landmap-view"]');
    if (!meta) return;
    var view = JSON.parse(meta.getAttribute("content"));
    map.setView([view.lat, view.lon], view.zoom, {animate: false});
  }

  window.Landmap = {
    layer: layer,
    summary: summary,
    legend: legend,
    group: group,
    watchToggles: watchToggles,
    initialView: initialView
  };
}(window.L));
