"""Points, joins to municipal / town / user areas, and aggregation."""

from __future__ import annotations

import numpy as np
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geomap import spatial
from geomap.areas import town_areas
from geomap.boundaries import municipalities, prefectures, read_boundaries
from geomap.errors import InputError, UsageError
from geomap.shapes import clean_frame, clean_geometries


def test_to_points_keeps_rows_with_coordinates_only(koto_rows):
    df = koto_rows.head(6).copy()
    df.loc[1, "lat"] = np.nan
    df["lat"] = df["lat"].astype(object)
    df.loc[2, "lat"] = "not a number"
    df.loc[3, "lon"] = 200.0
    pts = spatial.to_points(df)
    assert list(pts.index) == [0, 4, 5]
    assert pts.crs.to_epsg() == 4326
    # x is longitude, y is latitude
    assert pts.geometry.x.tolist() == pytest.approx(df.loc[[0, 4, 5], "lon"].astype(float).tolist())
    assert pts.geometry.y.tolist() == pytest.approx(df.loc[[0, 4, 5], "lat"].astype(float).tolist())
    assert list(spatial.unplaced_rows(df).index) == [1, 2, 3]
    assert "address" in pts.columns


def test_to_points_names_missing_columns():
    with pytest.raises(InputError) as err:
        spatial.to_points(pd.DataFrame({"緯度": [35.0], "経度": [139.0]}))
    assert err.value.key == "missing_columns"
    assert "lat" in err.value.params["columns"] and "緯度" in err.value.params["available"]


def test_spatial_join_finds_the_ward_of_its_own_towns(wards_rows):
    pts = spatial.to_points(wards_rows.drop(columns="code"))
    got = spatial.assign_municipality(pts)
    assert got.notna().all()
    agree = (got.to_numpy() == wards_rows["code"].to_numpy()).mean()
    # town points near a ward border may fall just across it in the simplified polygons
    assert agree > 0.97


def test_known_code_wins_over_geometry(koto_rows):
    df = koto_rows.head(3).copy()
    df["code"] = ["13102", "bad", None]  # the geocoder says 中央区 for the first row
    got = spatial.assign_municipality(spatial.to_points(df))
    assert got.tolist() == ["13102", "13108", "13108"]


def test_point_just_off_the_coast_goes_to_nearest_area():
    munis = municipalities()
    koto = munis.set_index("code").loc["13108", "geometry"]
    # from the southernmost vertex of 江東区, go about 300 m further south, over the bay
    coords = shapely.get_coordinates(koto)
    x, y = coords[coords[:, 1].argmin()]
    off = shapely.Point(x, y - 0.003)
    assert not munis.geometry.contains(off).any()
    near = spatial.to_points(pd.DataFrame({"lat": [off.y], "lon": [off.x]}))
    # the area nearest to the point (measured in metres), whichever ward that is
    metres = munis.to_crs(6677)
    point = gpd.GeoSeries([off], crs=4326).to_crs(6677).iloc[0]
    nearest = metres.loc[metres.distance(point).idxmin(), "code"]
    assert nearest in {"13108", "13111"}  # 江東区 or 大田区, the two wards on that stretch of the bay
    assert spatial.assign_municipality(near).tolist() == [nearest]
    far = spatial.to_points(pd.DataFrame({"lat": [20.0], "lon": [150.0]}))
    assert spatial.assign_municipality(far).tolist() == [None]


def test_count_by_municipality_matches_groupby(wards_rows):
    pts = spatial.to_points(wards_rows)
    areas = spatial.aggregate(pts)
    assert list(areas.columns) == spatial.AREA_COLUMNS
    assert areas.crs.to_epsg() == 4326
    counts = areas.set_index("key")["count"]
    expected = wards_rows.groupby("code").size()
    for code, n in expected.items():
        assert counts[code] == n
    assert counts.sum() == len(wards_rows)
    # neighbouring wards are there for context, with zero
    assert (areas["count"] == 0).any()
    assert (areas.loc[areas["count"] == 0, "value"] == 0).all()
    assert areas.set_index("key").loc["13108", "name"] == "東京都江東区"
    assert areas.attrs["unassigned"] == 0


def test_sum_and_mean_of_a_value_column(wards_rows):
    df = wards_rows.copy()
    df["人数"] = np.arange(len(df)) % 7
    df.loc[0, "人数"] = np.nan
    df["人数"] = df["人数"].astype(object)
    df.loc[1, "人数"] = "1,000"  # thousands separators are read
    pts = spatial.to_points(df)
    numbers = pd.to_numeric(df["人数"].astype(str).str.replace(",", ""), errors="coerce")
    s = spatial.aggregate(pts, value="人数", agg="sum").set_index("key")
    m = spatial.aggregate(pts, value="人数", agg="mean").set_index("key")
    for code, grp in numbers.groupby(df["code"]):
        assert s.loc[code, "value"] == pytest.approx(grp.sum())
        assert m.loc[code, "value"] == pytest.approx(grp.mean())
    # areas with no rows have no value for a sum or mean: no data, not zero
    assert s.loc[s["count"] == 0, "value"].isna().all()


def test_value_errors(koto_rows):
    pts = spatial.to_points(koto_rows)
    with pytest.raises(UsageError) as err:
        spatial.aggregate(pts, agg="sum")
    assert err.value.key == "value_required"
    with pytest.raises(InputError) as err:
        spatial.aggregate(pts, value="address", agg="mean")
    assert err.value.key == "value_not_numeric" and err.value.params["column"] == "address"
    with pytest.raises(InputError) as err:
        spatial.aggregate(pts, value="nope", agg="sum")
    assert err.value.key == "missing_columns"
    with pytest.raises(UsageError) as err:
        spatial.aggregate(pts, by="ward")
    assert err.value.key == "bad_choice" and err.value.params["option"] == "by"


def test_town_areas_are_voronoi_cells_clipped_to_the_ward():
    cells = town_areas(["13108"])
    koto = municipalities().set_index("code").loc["13108", "geometry"]
    assert cells["code"].eq("13108").all()
    assert set(cells.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    # the cells tile the ward: same area, no overlap beyond rounding
    assert shapely.area(cells.geometry.to_numpy()).sum() == pytest.approx(koto.area, rel=1e-6)
    assert shapely.union_all(cells.geometry.to_numpy()).area == pytest.approx(koto.area, rel=1e-6)
    assert cells["name"].str.startswith("東京都江東区").all()


def test_count_by_town_puts_each_town_point_in_its_own_cell(koto_rows):
    pts = spatial.to_points(koto_rows)
    areas = spatial.aggregate(pts, by="town")
    assert areas.attrs["approximate"] is True
    counts = areas.set_index("key")["count"]
    keys = koto_rows["code"] + ":" + koto_rows["town"]
    for key, n in keys.value_counts().items():
        assert counts[key] == n
    assert counts.sum() == len(koto_rows)


def test_user_boundaries_from_a_shift_jis_shapefile(tmp_path, wards_rows):
    munis = municipalities()
    tokyo = munis[munis["code"].str.startswith("131")][["code", "city", "geometry"]]
    tokyo = tokyo.rename(columns={"code": "KEY_CODE", "city": "S_NAME"}).to_crs("EPSG:6677")
    path = tmp_path / "h27ka13.shp"
    tokyo.to_file(path, encoding="cp932", engine="pyogrio")
    path.with_suffix(".cpg").unlink(missing_ok=True)  # e-Stat ships none
    raw = (tmp_path / "h27ka13.dbf").read_bytes()
    assert "江東区".encode("cp932") in raw  # really Shift_JIS on disk

    read = read_boundaries(path)
    assert read.crs.to_epsg() == 4326
    assert "江東区" in set(read["S_NAME"])

    pts = spatial.to_points(wards_rows)
    areas = spatial.aggregate(pts, boundaries=read, key="KEY_CODE", name="S_NAME").set_index("key")
    expected = wards_rows.groupby("code").size()
    for code, n in expected.items():
        # same polygons as the embedded ones, so the same counts within a border town or two
        assert abs(areas.loc[code, "count"] - n) <= 2
    assert areas.loc["13108", "name"] == "江東区"


def test_user_boundary_errors(tmp_path, koto_rows):
    pts = spatial.to_points(koto_rows)
    prefs = prefectures()
    with pytest.raises(UsageError) as err:
        spatial.aggregate(pts, boundaries=prefs)
    assert err.value.key == "boundary_key_required" and "pref" in err.value.params["available"]
    with pytest.raises(InputError) as err:
        read_boundaries(tmp_path / "nothing.geojson")
    assert err.value.key == "boundary_not_found"
    points_file = tmp_path / "points.geojson"
    pts[["name", "geometry"]].to_file(points_file, driver="GeoJSON")
    with pytest.raises(InputError) as err:
        read_boundaries(points_file)
    assert err.value.key == "boundary_not_polygons" and "Point" in err.value.params["types"]
    broken = tmp_path / "broken.gpkg"
    broken.write_text("not a geopackage")
    with pytest.raises(InputError) as err:
        read_boundaries(broken)
    assert err.value.key == "boundary_unreadable"


def test_geojson_boundaries_round_trip(tmp_path, koto_rows):
    munis = municipalities()
    path = tmp_path / "wards.geojson"
    munis[munis["code"].str.startswith("131")][["code", "name", "geometry"]].to_file(path, driver="GeoJSON")
    read = read_boundaries(path)
    areas = spatial.aggregate(spatial.to_points(koto_rows), boundaries=read, key="code")
    assert areas.set_index("key").loc["13108", "count"] >= len(koto_rows) - 2
    # a path is read the same way, as render(boundaries=...) takes one
    by_path = spatial.aggregate(spatial.to_points(koto_rows), boundaries=path, key="code")
    assert by_path[["key", "count"]].equals(areas[["key", "count"]])


def test_rows_placed_only_coarsely_are_not_counted(wards_rows):
    df = wards_rows.copy()
    df.loc[df.index[:4], "level"] = 1  # prefecture only
    df.loc[df.index[4:10], "level"] = 2  # municipality only
    pts = spatial.to_points(df)
    by_muni = spatial.aggregate(pts)
    assert by_muni["count"].sum() == len(df) - 4 and by_muni.attrs["coarse"] == 4
    by_town = spatial.aggregate(pts, by="town")
    assert by_town["count"].sum() == len(df) - 10 and by_town.attrs["coarse"] == 10
    assert by_town.attrs["unassigned"] == 0


def test_clean_geometries_leaves_only_drawable_shapes():
    """What clipping, simplifying and dissolving can give, made drawable or dropped (issue 15)."""
    line = shapely.LineString([(0, 0), (1, 0)])
    square = shapely.box(0, 0, 1, 1)
    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])  # an invalid ring
    sliver = shapely.box(5, 5, 5 + 1e-7, 5 + 1e-7)
    nested = shapely.GeometryCollection([shapely.GeometryCollection([square, shapely.Point(3, 3)]), line])
    given = [
        shapely.GeometryCollection([line, shapely.Point(2, 2)]),
        shapely.Point(0, 0),
        shapely.Polygon(),
        None,
        bowtie,
        shapely.MultiPolygon([square, sliver]),
        nested,
        square.exterior,  # a LinearRing
    ]
    polys = clean_geometries(given, "polygon")
    lines = clean_geometries(given, "line")
    assert [g is None for g in polys] == [True, True, True, True, False, False, False, True]
    assert [g is None for g in lines] == [False, True, True, True, True, True, False, False]
    for g in [*polys, *lines]:
        if g is not None:
            assert g.is_valid and not g.is_empty
            assert g.geom_type in {"Polygon", "MultiPolygon", "LineString", "MultiLineString"}
    assert polys[4].area == pytest.approx(0.5)  # the bowtie made valid: its two triangles
    assert polys[5].equals(square)  # the sliver is gone
    assert polys[6].equals(square) and lines[6].equals(line)
    assert lines[7].geom_type == "LineString" and lines[7].length == pytest.approx(4)
    frame = gpd.GeoDataFrame({"k": range(len(given))}, geometry=given, crs=spatial.WGS84)
    assert clean_frame(frame, "line")["k"].tolist() == [0, 6, 7]
    with pytest.raises(UsageError):
        clean_geometries(given, "point")


def test_town_areas_merge_the_cells_of_a_town_and_its_koaza():
    """A 大字 with 小字 is the union of the cells of all its points (issue 15 item 5)."""
    from geomap.gazetteer import towns

    index = towns()
    mine = index[(index["code"] == "07201") & index["lat"].notna()]  # 福島市: many 小字
    areas = town_areas(["07201"])
    assert areas["key"].is_unique
    assert set(areas["town"]) == set(mine["town"])  # one area per town with a point, no more
    city = municipalities().set_index("code").loc["07201", "geometry"]
    assert shapely.union_all(areas.geometry.to_numpy()).area == pytest.approx(city.area, rel=1e-6)
    assert shapely.area(areas.geometry.to_numpy()).sum() == pytest.approx(city.area, rel=1e-6)
    # every 小字 point lies in its own 大字's area (points at the same place as another town's excepted)
    koaza = mine[mine["koaza"] != ""].drop_duplicates(["lat", "lon"], keep=False)
    pts = spatial.to_points(koaza.reset_index(drop=True))
    joined = spatial._join_codes(pts, areas, "key")
    assert (joined == "07201:" + koaza["town"].reset_index(drop=True)).mean() > 0.99


def test_no_town_area_without_a_point():
    from geomap.gazetteer import towns

    index = towns()
    pointless = index[index["lat"].isna()]
    with_point = set(zip(index.loc[index["lat"].notna(), "code"], index.loc[index["lat"].notna(), "town"]))
    pointless = pointless[[(c, t) not in with_point for c, t in zip(pointless["code"], pointless["town"])]]
    code = pointless["code"].value_counts().index[0]
    areas = town_areas([code])
    assert not set(pointless.loc[pointless["code"] == code, "town"]) & set(areas["town"])
    toshima = municipalities().set_index("city").loc["利島村", "code"]
    assert not index.loc[index["code"] == toshima, "lat"].notna().any()
    assert len(town_areas([toshima])) == 0  # no town point at all, so no area
