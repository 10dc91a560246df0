{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.featureGroup((geomapData.shapes[{{ this.slot|tojson }}] || []).map(function (part) {
    // one GeoJSON layer per part; its style, class and tooltips come from the data block
    return L.geoJSON(part.data, {
        interactive: part.interactive,
        className: part.className || "",
        style: function (feature) { return L.extend({}, part.style, feature.properties.style); },
        onEachFeature: part.tips ? function (feature, layer) {
            layer.bindTooltip(function () {
                var tip = document.createElement("div");
                tip.textContent = feature.properties.tip;  // text, never markup
                return tip;
            }, {sticky: true});
        } : undefined
    });
}));
{% endmacro %}
