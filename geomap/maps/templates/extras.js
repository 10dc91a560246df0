{% macro script(this, kwargs) %}
L.control.scale({imperial: false, metric: true, position: "bottomleft"}).addTo({{ this._parent.get_name() }});
{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.attribution_js }});
window.__geomap = window.__geomap || {};
window.__geomap.map = {{ this._parent.get_name() }};
{%- for key, layer in this.registry.items() %}
window.__geomap[{{ key|tojson }}] = {{ layer.get_name() }};
{%- endfor %}
{% endmacro %}
