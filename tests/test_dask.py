"""geomap.dask: a dask DataFrame geocoded partition by partition, as pandas would (issue 12 item 3).

The results equal geocode_frame's row for row, on a two-process cluster too; the task graph
carries no index (each worker reads its own); ``import geomap`` does not import dask.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")

import geomap  # noqa: E402
import geomap.dask  # noqa: E402
from geomap.errors import InputError, UsageError  # noqa: E402

SCHOOLS = Path(__file__).resolve().parent / "data" / "schools-tokyo.txt"


@pytest.fixture(scope="module")
def schools() -> pd.DataFrame:
    lines = SCHOOLS.read_text(encoding="utf-8").splitlines()
    index = pd.RangeIndex(1000, 1000 + 3 * len(lines), 3)  # an index of its own, kept
    return pd.DataFrame({"名称": [f"学校{i}" for i in range(len(lines))], "住所": lines,
                         "定員": [str(i % 300) for i in range(len(lines))]}, index=index)


def test_import_geomap_does_not_import_dask():
    code = ("import sys, geomap, geomap.geocoding, geomap.pipeline, geomap.cli; geomap.geocode(['江東区東陽4-11-28']);"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_result_is_geocode_frame_partition_by_partition(schools):
    ddf = dd.from_pandas(schools, npartitions=5)
    out = geomap.dask.geocode(ddf)  # 住所 found by its header
    assert isinstance(out, dd.DataFrame) and out.npartitions == 5
    assert list(out.columns) == ["名称", "住所", "定員", *geomap.geocoders.RESULT_COLUMNS]
    done = out.compute()
    assert done.dtypes.to_dict() == out._meta.dtypes.to_dict()
    pd.testing.assert_frame_equal(done, geomap.geocode_frame(ddf.compute(), "住所"))
    assert done.index.equals(schools.index) and (done["level"] >= 3).mean() > 0.95


def test_split_columns_context_and_clashing_names():
    df = pd.DataFrame({"都道府県": ["東京都", "東京都", ""], "市区町村": ["江東区", "江東区", "府中市"],
                       "町域": ["東陽四丁目", "木場", ""], "番地": ["11-28", "1-5-2", ""], "level": ["a", "b", "c"]})
    ddf = dd.from_pandas(df, npartitions=2)
    out = geomap.dask.geocode(ddf, lang="en").compute()
    assert list(out.columns) == ["都道府県", "市区町村", "町域", "番地", *geomap.geocoders.RESULT_COLUMNS]
    table = geomap.geocode_table(df, lang="en")  # the same joined addresses, the same answers
    pd.testing.assert_frame_equal(out[geomap.geocoders.RESULT_COLUMNS], table[geomap.geocoders.RESULT_COLUMNS])
    assert out["level"].tolist() == [3, 3, 0] and out["ambiguous"].iloc[2] != ""
    bare = dd.from_pandas(pd.DataFrame({"所在地": ["東陽4-11-28", "木場1-5-2"]}), npartitions=1)
    with_city = geomap.dask.geocode(bare, "所在地", city="江東区").compute()
    pd.testing.assert_frame_equal(with_city, geomap.geocode_frame(bare.compute(), "所在地", city="江東区"))


def test_wrong_columns_are_said_before_anything_runs():
    ddf = dd.from_pandas(pd.DataFrame({"名前": ["A"], "電話": ["03"]}), npartitions=1)
    with pytest.raises(UsageError) as err:
        geomap.dask.geocode(ddf, "住所")
    assert err.value.key == "column_not_found"
    with pytest.raises(InputError) as err:
        geomap.dask.geocode(ddf)
    assert err.value.key == "no_address_column"
    with pytest.raises(UsageError) as err:
        geomap.dask.geocode(pd.DataFrame({"住所": ["x"]}))
    assert err.value.key == "not_a_table"


def test_the_task_graph_carries_no_index(tmp_path, schools):
    from geomap.geocoders.index import town_index

    index = town_index()  # loaded in this process: it must still not be in the graph
    rows = pd.concat([schools.reset_index(drop=True)] * 23, ignore_index=True).iloc[:100_000]
    assert len(rows) == 100_000
    rows.to_parquet(tmp_path / "list.parquet", row_group_size=10_000)
    out = geomap.dask.geocode(dd.read_parquet(tmp_path / "list.parquet", split_row_groups=True))
    graph = dict(out.__dask_graph__())
    assert len(graph) >= 10
    for blob in (cloudpickle.dumps(graph), cloudpickle.dumps(out)):
        assert len(blob) < 1_000_000
        assert b"TownIndex" not in blob and b"index_towns" not in blob
    assert b"TownIndex" in cloudpickle.dumps(index)  # what the check above would see


def test_a_two_process_cluster_gives_what_pandas_gives(schools):
    ddf = dd.from_pandas(schools, npartitions=4)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        done = geomap.dask.geocode(ddf, "住所").compute()
        workers = client.run(lambda: __import__("os").getpid())
    assert len(set(workers.values())) == 2
    pd.testing.assert_frame_equal(done, geomap.geocode_frame(ddf.compute(), "住所"))


def test_empty_partitions_and_frames():
    df = pd.DataFrame({"住所": ["東京都江東区東陽4-11-28", "府中市"]}, index=[10, 20])
    empty = geomap.geocode_frame(df.iloc[:0], "住所")
    assert len(empty) == 0 and list(empty.columns) == ["住所", *geomap.geocoders.RESULT_COLUMNS]
    ddf = dd.from_pandas(df, npartitions=2)
    filtered = geomap.dask.geocode(ddf[ddf["住所"].str.startswith("東京")], "住所").compute()  # one partition empty
    pd.testing.assert_frame_equal(filtered, geomap.geocode_frame(ddf.compute().iloc[:1], "住所"))
