{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
    // One compact array for all points; markers and popups are built here, in the browser.
    // Popup text is set with textContent, so a cell holding markup shows as text.
    var data = geomapData.points;
    var map = {{ this._parent.get_name() }};
    var layer = {% if this.cluster %}L.markerClusterGroup({chunkedLoading: true, chunkInterval: 200, chunkDelay: 1, showCoverageOnHover: false, maxClusterRadius: 60}){% else %}L.featureGroup(){% endif %};
    var n = data.lat.length, markers = new Array(n);
    for (var i = 0; i < n; i++) {
        markers[i] = L.circleMarker([data.lat[i], data.lon[i]], {
            radius: {{ this.radius }}, color: "#ffffff", weight: 1, opacity: 0.9,
            fillColor: data.colors[data.c ? data.c[i] : 0], fillOpacity: 0.9,
            className: "geomap-point", geomapIndex: i
        });
    }
    // on the map before the markers go in: markercluster checks each marker against its
    // pending list when it is off the map, which is quadratic in the number of markers
    {% if this.cluster %}layer.addTo(map);
    layer.addLayers(markers, true);{% else %}for (var j = 0; j < n; j++) { layer.addLayer(markers[j]); }{% endif %}
    function cell(f, i) { return f.u ? f.u[f.i[i]] : f.v[i]; }
    function content(i) {
        var box = document.createElement("div");
        box.className = "geomap-popup";
        var table = document.createElement("table");
        data.fields.forEach(function (f) {
            var v = cell(f, i);
            if (v === null || v === "") { return; }
            var tr = table.insertRow(), th = document.createElement("th"), td = document.createElement("td");
            th.textContent = f.label;
            td.textContent = v;
            tr.appendChild(th); tr.appendChild(td);
        });
        box.appendChild(table);
        if (data.note && (!data.rep || data.rep[i])) {
            var note = document.createElement("div");
            note.className = "geomap-popup-note";
            note.textContent = data.note;
            box.appendChild(note);
        }
        return box;
    }
    if (data.fields.length || data.note) {
        layer.on("click", function (e) {
            var m = e.layer;
            if (!m || m.options.geomapIndex === undefined) { return; }
            L.popup({maxWidth: 360}).setLatLng(m.getLatLng()).setContent(content(m.options.geomapIndex)).openOn(map);
        });
    }
    window.__geomap = window.__geomap || {};
    window.__geomap.points = layer;
    return layer;
})();
{% endmacro %}
