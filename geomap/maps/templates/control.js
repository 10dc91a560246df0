{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: {{ this.position_js }}});
{{ this.get_name() }}.onAdd = function () {
    var div = L.DomUtil.create("div", {{ this.css_class_js }});
    div.innerHTML = {{ this.content_js }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
