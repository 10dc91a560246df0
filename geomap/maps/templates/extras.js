{% macro script(this, kwargs) %}
(function () {
    var map = {{ this._parent.get_name() }};
    L.control.scale({imperial: false, metric: true, position: "bottomleft"}).addTo(map);
    map.attributionControl.addAttribution(geomapData.attribution);
    {%- if this.blank %}
    map.getContainer().classList.add("geomap-blank");
    {%- endif %}
    // the layer switcher: Leaflet writes these names as HTML, so they are escaped in Python
    var names = geomapData.layers, base = {}, overlays = {};
    {%- for layer in this.base_layers %}
    base[names.base[{{ loop.index0 }}]] = {{ layer.get_name() }};
    {%- endfor %}
    {%- for layer in this.overlays %}
    overlays[names.overlays[{{ loop.index0 }}]] = {{ layer.get_name() }};
    {%- endfor %}
    L.control.layers(base, overlays, {collapsed: true}).addTo(map);
    window.__geomap = window.__geomap || {};
    window.__geomap.map = map;
    {%- for key, layer in this.registry.items() %}
    window.__geomap[{{ key|tojson }}] = {{ layer.get_name() }};
    {%- endfor %}
})();
{% endmacro %}
