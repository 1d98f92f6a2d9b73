/* Landmap's Edit map (MIT): a Streamlit component written by hand, with no build step.
 *
 * Protocol (Streamlit custom components, API version 1): this page posts to window.parent
 *   {isStreamlitMessage: true, type: "streamlit:componentReady", apiVersion: 1}   once loaded,
 *   {isStreamlitMessage: true, type: "streamlit:setFrameHeight", height: <px>}     on each render,
 *   {isStreamlitMessage: true, type: "streamlit:setComponentValue", value, dataType: "json"}
 * and receives {type: "streamlit:render", args: {...}} with the arguments of ui.editmap.edit_map.
 *
 * What it draws: "reference" outlines (another layer, read-only: the plots around a house, the
 * village around a plot), "context" features (read-only, faint; clickable in "select" mode), the
 * "selected" feature(s) (editable with Leaflet-Geoman in "edit" mode: every vertex of every
 * ring of every part), "overlays" (a repair or snapping preview) and, in "draw_polygon" /
 * "draw_point" mode, a new shape. Nothing is rebuilt unless its revision changed, so a rerun of
 * the page never undoes a drag in progress, and the view moves only when "view.id" changes.
 *
 * What it returns (always with "seq", unique per event, "session" as given, and "view": the
 * centre [lat, lon], zoom and bounds [west, south, east, north] at that moment):
 *   {event: "select", uid}                              a context feature was clicked
 *   {event: "edited", features: [{uid, geometry}]}      "Done" in edit mode (GeoJSON, unrounded)
 *   {event: "drawn", geometry}                          "Done" in a draw mode
 *   {event: "cancel"}                                   "Cancel" in edit or draw mode
 * Every value is written into the page as text (textContent), never as HTML.
 */
(function () {
    "use strict";

    // ------------------------------------------------------------------ the protocol
    function send(type, data) {
        var message = {isStreamlitMessage: true, type: type};
        Object.keys(data || {}).forEach(function (k) { message[k] = data[k]; });
        window.parent.postMessage(message, "*");
    }

    function setFrameHeight(height) {
        send("streamlit:setFrameHeight", {height: height});
    }

    function setComponentValue(value) {
        send("streamlit:setComponentValue", {value: value, dataType: "json"});
    }

    // ------------------------------------------------------------------ state
    var CONTEXT = {color: "#6b7280", weight: 1, opacity: 0.9, fillOpacity: 0.12};
    var CONTEXT_BUSY = {color: "#9ca3af", weight: 1, opacity: 0.5, fillOpacity: 0.05};
    var REFERENCE = {color: "#1f4e79", weight: 1.5, opacity: 0.7, dashArray: "4 3", fill: false,
                     interactive: false};
    var SELECTED = {color: "#0369a1", weight: 3, opacity: 1, fillOpacity: 0.18};
    var DRAWN = {color: "#b45309", weight: 3, opacity: 1, fillOpacity: 0.2};

    var map = null;
    var tiles = null;
    var groups = {};
    var bar = null;
    var args = {};
    var built = {};  // the revisions drawn: context, selected+mode, overlays, view id, labels
    var counter = 0;
    var drawnLayers = [];

    function currentView() {
        var c = map.getCenter();
        var b = map.getBounds();
        return {center: [c.lat, c.lng], zoom: map.getZoom(),
                bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]};
    }

    function emit(event, extra) {
        counter += 1;
        var value = {event: event, seq: Date.now() + "-" + counter,
                     session: args.session || null, view: currentView()};
        Object.keys(extra || {}).forEach(function (k) { value[k] = extra[k]; });
        setComponentValue(value);
    }

    function label(name) {
        var labels = args.labels || {};
        return labels[name] || name;
    }

    // ------------------------------------------------------------------ the map
    function createMap() {
        L.Icon.Default.imagePath = "../../app/static/vendor/leaflet/images/";
        map = L.map("map", {minZoom: 5, maxZoom: 22, zoomSnap: 1});
        L.control.scale({imperial: false}).addTo(map);
        ["reference", "context", "selected", "overlays", "drawn"].forEach(function (name) {
            groups[name] = L.featureGroup([], {pmIgnore: name !== "selected" && name !== "drawn"})
                .addTo(map);
        });
        map.pm.setGlobalOptions({allowSelfIntersection: true, snappable: false,
                                 removeLayerBelowMinVertexCount: false});
        map.on("pm:create", onCreate);
        bar = document.getElementById("bar");
        if (window.ResizeObserver) {
            new ResizeObserver(function () { map.invalidateSize(); })
                .observe(document.getElementById("map"));
            new ResizeObserver(fitFrame).observe(bar);
        }
    }

    function setBasemap(url, attribution) {
        if (tiles && tiles._url === url) {
            return;
        }
        if (tiles) {
            map.removeLayer(tiles);
            tiles = null;
        }
        if (url) {
            tiles = L.tileLayer(url, {maxZoom: 22, maxNativeZoom: 19, attribution: attribution || ""});
            tiles.addTo(map);
            tiles.bringToBack();
        }
    }

    function applyView(view) {
        if (!view) {
            return;
        }
        if (view.center && view.zoom !== undefined && view.zoom !== null) {
            map.setView(view.center, view.zoom, {animate: false});
        } else if (view.bounds) {
            var b = view.bounds;
            map.fitBounds([[b[1], b[0]], [b[3], b[2]]],
                          {maxZoom: view.max_zoom || 19, padding: [20, 20], animate: false});
        }
    }

    function pointStyle(style) {
        return function (feature, latlng) {
            return L.circleMarker(latlng, {radius: 5, color: style.color, weight: style.weight,
                                           opacity: style.opacity, fillOpacity: 0.5,
                                           pmIgnore: true});
        };
    }

    function buildContext() {
        groups.context.clearLayers();
        var style = args.mode === "select" ? CONTEXT : CONTEXT_BUSY;
        L.geoJSON(args.context || {type: "FeatureCollection", features: []}, {
            pmIgnore: true,
            style: function () { return style; },
            pointToLayer: pointStyle(style),
            onEachFeature: function (feature, layer) {
                var code = feature.properties && feature.properties.code;
                if (code) {
                    layer.bindTooltip(String(code), {sticky: true});
                }
                layer.on("click", function () {
                    if (args.mode === "select" && feature.properties && feature.properties.uid) {
                        emit("select", {uid: feature.properties.uid});
                    }
                });
            }
        }).eachLayer(function (layer) { groups.context.addLayer(layer); });
    }

    function buildReference() {
        groups.reference.clearLayers();
        L.geoJSON(args.reference || {type: "FeatureCollection", features: []}, {
            pmIgnore: true,
            interactive: false,
            style: function () { return REFERENCE; },
            pointToLayer: pointStyle(REFERENCE)
        }).eachLayer(function (layer) { groups.reference.addLayer(layer); });
        groups.reference.bringToBack();
    }

    function restyleContext() {
        var style = args.mode === "select" ? CONTEXT : CONTEXT_BUSY;
        groups.context.eachLayer(function (layer) { layer.setStyle(style); });
    }

    function buildOverlays() {
        groups.overlays.clearLayers();
        (args.overlays || []).forEach(function (overlay) {
            var style = {color: overlay.color || "#dc2626", weight: overlay.weight || 3,
                         opacity: 1, fillOpacity: overlay.fill_opacity === undefined ? 0.15
                             : overlay.fill_opacity,
                         dashArray: overlay.dash || null, interactive: false};
            L.geoJSON({type: "Feature", geometry: overlay.geometry, properties: {}}, {
                pmIgnore: true,
                interactive: false,
                style: function () { return style; },
                pointToLayer: pointStyle(style)
            }).eachLayer(function (layer) { groups.overlays.addLayer(layer); });
        });
        groups.overlays.bringToFront();
    }

    function editableLayers() {
        var out = [];
        groups.selected.eachLayer(function (layer) { out.push(layer); });
        return out;
    }

    function stopEditing() {
        editableLayers().concat(drawnLayers).forEach(function (layer) {
            if (layer.pm && layer.pm.enabled()) {
                layer.pm.disable();
            }
        });
        if (map.pm.globalDrawModeEnabled()) {
            map.pm.disableDraw();
        }
    }

    function buildSelected(mode) {
        stopEditing();
        groups.selected.clearLayers();
        groups.drawn.clearLayers();
        drawnLayers = [];
        L.geoJSON(args.selected || {type: "FeatureCollection", features: []}, {
            style: function () { return SELECTED; },
            pointToLayer: function (feature, latlng) { return L.marker(latlng); },
            onEachFeature: function (feature, layer) {
                var code = feature.properties && feature.properties.code;
                if (code) {
                    layer.bindTooltip(String(code), {permanent: false, sticky: true});
                }
            }
        }).eachLayer(function (layer) { groups.selected.addLayer(layer); });
        if (mode === "edit") {
            editableLayers().forEach(function (layer) {
                // A point is moved by dragging it (and never removed by a right-click); a shape
                // by its corners, not as a whole.
                var point = layer instanceof L.Marker;
                layer.pm.enable({allowSelfIntersection: true, snappable: false, draggable: point,
                                 preventMarkerRemoval: point,
                                 removeLayerBelowMinVertexCount: false});
            });
        } else if (mode === "draw_polygon") {
            map.pm.enableDraw("Polygon", {snappable: false, allowSelfIntersection: true,
                                          continueDrawing: false, templineStyle: DRAWN,
                                          hintlineStyle: DRAWN, pathOptions: DRAWN});
        } else if (mode === "draw_point") {
            map.pm.enableDraw("Marker", {snappable: false, continueDrawing: false});
        }
    }

    function onCreate(e) {
        // A shape drawn in a draw mode: kept apart, editable at once, returned on "Done".
        groups.drawn.addLayer(e.layer);
        drawnLayers.push(e.layer);
        if (e.layer.pm) {
            var point = e.layer instanceof L.Marker;
            e.layer.pm.enable({allowSelfIntersection: true, snappable: false, draggable: point,
                               preventMarkerRemoval: point});
        }
        showBar();
    }

    function geometryOf(layer) {
        // Unrounded (precision false): corners the user did not move come back exactly as
        // they were sent, so the server sees only the real change.
        return layer.toGeoJSON(false).geometry;
    }

    function drawnGeometry() {
        var geoms = drawnLayers.map(geometryOf);
        if (geoms.length === 1) {
            return geoms[0];
        }
        if (geoms.length > 1 && geoms.every(function (g) { return g.type === "Polygon"; })) {
            return {type: "MultiPolygon", coordinates: geoms.map(function (g) {
                return g.coordinates; })};
        }
        return geoms.length ? geoms[geoms.length - 1] : null;
    }

    function done() {
        if (args.mode === "edit") {
            var features = editableLayers().map(function (layer) {
                return {uid: layer.feature && layer.feature.properties
                    ? layer.feature.properties.uid : null, geometry: geometryOf(layer)};
            });
            stopEditing();
            emit("edited", {features: features});
        } else if (drawnLayers.length) {
            var geometry = drawnGeometry();
            stopEditing();
            emit("drawn", {geometry: geometry});
        }
        built.waiting = true;
        showBar();
    }

    function cancel() {
        buildSelected("view");  // back to the shape as the page sent it, not editable
        built.waiting = true;
        emit("cancel", {});
        showBar();
    }

    function button(parent, text, onClick, primary, disabled) {
        var b = L.DomUtil.create("button", primary ? "primary" : "", parent);
        b.type = "button";
        b.textContent = text;
        b.disabled = !!disabled;
        L.DomEvent.on(b, "click", function (ev) {
            L.DomEvent.stop(ev);
            onClick();
        });
        return b;
    }

    function fitFrame() {
        setFrameHeight(bar.offsetHeight + (args.height || 560));
    }

    function showBar() {
        var div = bar;
        div.textContent = "";
        var hint = {select: "select_hint", view: "view_hint", edit: "edit_hint",
                    draw_polygon: "draw_polygon_hint", draw_point: "draw_point_hint"}[args.mode];
        var text = hint && (args.labels || {})[hint];
        if (built.waiting) {
            text = label("busy");
        }
        if (text) {
            L.DomUtil.create("p", "", div).textContent = text;
        }
        var editing = args.mode === "edit" || args.mode === "draw_polygon"
            || args.mode === "draw_point";
        if (editing && !built.waiting) {
            var row = L.DomUtil.create("span", "", div);
            var ready = args.mode === "edit" || drawnLayers.length > 0;
            button(row, label("done"), done, true, !ready).setAttribute("data-action", "done");
            button(row, label("cancel"), cancel, false, false)
                .setAttribute("data-action", "cancel");
        }
        fitFrame();
    }

    function setLabels() {
        var labels = args.labels || {};
        map.pm.setLang("landmap", {tooltips: labels.tooltips || {},
                                   actions: labels.actions || {}}, "en");
    }

    // ------------------------------------------------------------------ render
    function render(newArgs) {
        args = newArgs || {};
        document.getElementById("map").style.height = (args.height || 560) + "px";
        var first = map === null;
        if (first) {
            createMap();
        }
        map.invalidateSize();
        setBasemap(args.basemap || "", args.attribution || "");
        if (built.labels !== args.labels_rev) {
            setLabels();
            built.labels = args.labels_rev;
        }
        var view = args.view || {};
        if (first || built.view !== view.id) {
            applyView(view);
            built.view = view.id;
        }
        if (built.reference !== args.reference_rev) {
            buildReference();
            built.reference = args.reference_rev;
        }
        if (built.context !== args.context_rev) {
            buildContext();
            built.context = args.context_rev;
        } else if (built.mode !== args.mode) {
            restyleContext();
        }
        var selectedKey = args.selected_rev + "|" + args.mode + "|" + args.session;
        if (built.selected !== selectedKey) {
            built.waiting = false;
            buildSelected(args.mode);
            built.selected = selectedKey;
        }
        built.mode = args.mode;
        if (built.overlays !== args.overlays_rev) {
            buildOverlays();
            built.overlays = args.overlays_rev;
        }
        showBar();
    }

    // For tests and debugging: where a coordinate is inside the frame, in CSS pixels.
    window.landmapEditMap = {
        pointOf: function (lat, lon) {
            var p = map.latLngToContainerPoint([lat, lon]);
            var box = document.getElementById("map").getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y};
        },
        view: function () { return map === null ? null : currentView(); },
        mode: function () { return map === null ? null : args.mode; },
        session: function () { return args.session; }
    };

    window.addEventListener("message", function (event) {
        if (event.source !== window.parent) {
            return;
        }
        var data = event.data;
        if (data && data.type === "streamlit:render") {
            render(data.args);
        }
    });
    send("streamlit:componentReady", {apiVersion: 1});
}());
