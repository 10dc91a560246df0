"""Normalization: table-driven, one named category per family."""

import pytest

from geomap.address.normalize import key, kanji_to_int, normalize, skip_leading_noise
from geomap.address.variants import HYPHENS, fold_variants

NUMERALS = [
    ("〇", 0), ("一", 1), ("九", 9), ("十", 10), ("十一", 11), ("二十", 20), ("二十一", 21),
    ("九十九", 99), ("一〇", 10), ("二〇二", 202), ("三十三", 33),
]


@pytest.mark.parametrize("numeral,value", NUMERALS)
def test_kanji_to_int(numeral, value):
    assert kanji_to_int(numeral) == value


NORMALIZED = {
    "width": [("東陽４－１１－２８", "東陽4-11-28"), ("ＡＢＣビル", "ABCビル")],
    "spaces": [("東京都　江東区 東陽", "東京都江東区東陽"), ("\t東陽\u00a04", "東陽4")],
    "kanji_numerals": [("東陽四丁目", "東陽4丁目"), ("大通西二十一丁目", "大通西21丁目"), ("一〇番", "10番")],
    "ke_forms": [("旭ヶ丘", "旭ケ丘"), ("旭が丘", "旭ケ丘"), ("旭ガ丘", "旭ケ丘"), ("旭ｹ丘", "旭ケ丘"), ("旭ヵ丘", "旭ケ丘")],
    "no_forms": [("日乃出", "日の出"), ("東坂之上", "東坂の上"), ("薮ノ内", "薮の内")],
    "variant_kanji": [("大﨑", "大崎"), ("髙田", "高田"), ("渡邊", "渡辺"), ("渡邉", "渡辺"), ("澤", "沢"),
                      ("齋藤", "斎藤"), ("嶋", "島"), ("德丸", "徳丸"), ("濵", "浜")],
    "halfwidth_katakana": [("ｶﾞｰﾃﾞﾝ", "ガ-デン")],
    # variants that lists write where the index has one spelling (issue 11 family 8)
    "more_variants": [("壺屋", "壷屋"), ("彌生", "弥生"), ("螢池", "蛍池"), ("靱本町", "靭本町"), ("東餠田", "東餅田"),
                      ("桒村", "桑村"), ("鶯谷", "鴬谷"), ("大阪巿", "大阪市"), ("ウヱノ", "ウエの"), ("奧富", "奥富")],
    # katakana typed for a look-alike kanji before a kanji; before a number or alone, a lot (イロハ)
    "katakana_look_alikes": [("ニ日市北", "2日市北"), ("十ニ丁目", "12丁目"), ("浜ロ東", "浜口東"), ("湯ノ上町ハ24", "湯の上町ハ24"),
                             ("佐原ロ2114", "佐原ロ2114"), ("ニセコ町", "ニセコ町"), ("カタカナ", "カタカナ")],
    "numeral_then_digits": [("かな八8-3", "かな8#8-3"), ("鳥屋一１５９１", "鳥屋1#1591"), ("四丁目11", "4丁目11")],
}


@pytest.mark.parametrize(
    "raw,expected",
    [pytest.param(r, e, id=f"{cat}-{i}") for cat, rows in NORMALIZED.items() for i, (r, e) in enumerate(rows)],
)
def test_normalize_text(raw, expected):
    assert normalize(raw).text == expected


@pytest.mark.parametrize("hyphen", list(HYPHENS))
def test_every_hyphen_reads_as_hyphen(hyphen):
    assert normalize(f"4{hyphen}11").text in ("4-11", "4の11") if hyphen == "の" else normalize(f"4{hyphen}11").text == "4-11"


@pytest.mark.parametrize(
    "raw",
    ["東京都 江東区 東陽４－１１－２８ ビル", "〒135-0016　東陽四丁目十一番 八重洲", "ｶﾞｰﾃﾞﾝ 東陽 二十一", "", "  "],
)
def test_origin_maps_every_position_back_to_the_source(raw):
    norm = normalize(raw)
    assert len(norm.origin) == len(norm.text) + 1
    assert norm.origin[-1] == len(norm.source)
    assert norm.origin == sorted(norm.origin)
    for pos in range(len(norm.text) + 1):
        assert norm.source.endswith(norm.source_from(pos))


def test_rest_keeps_the_users_own_text():
    norm = normalize("東陽四丁目 八重洲ビル２Ｆ")
    pos = norm.text.index("重洲") - 1  # 八 itself is read as the numeral 8
    assert norm.source_from(pos) == "八重洲ビル２Ｆ"


@pytest.mark.parametrize(
    "raw,start",
    [("〒135-0016東京都", "東京都"), ("135-0016東京都", "東京都"), ("（前期）東京都", "東京都"),
     ("【本校】（仮）東京都", "東京都"), ("住所:東京都", "東京都"), ("東京都", "東京都")],
)
def test_skip_leading_noise(raw, start):
    text = normalize(raw).text
    assert text[skip_leading_noise(text):] == start


def test_key_and_normalize_agree_on_index_names():
    for name in ["東陽四丁目", "旭ケ丘一丁目", "四条通二十五丁目", "藪之内町", "字上原"]:
        assert key(name) == normalize(name).text


def test_fold_variants_joins_source_spellings():
    assert fold_variants("龍ヶ崎市") == fold_variants("龍ケ崎市")
    assert fold_variants("檮原町") == fold_variants("梼原町")
