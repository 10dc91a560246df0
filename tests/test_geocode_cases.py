"""Table-driven cases for the offline geocoder, one named category per family of notation.

Each case: (input, expected pref, city, town, level). Towns and municipalities are real
entries of the embedded index; the expectations are what a person would answer.
"""

from __future__ import annotations

import pytest

import geomap

T = "東京都"
KOTO = ("東京都", "江東区")

def _office(address: str) -> tuple[str, str]:
    """Prefecture and municipality of a prefectural office address, from its known parts."""
    for pref, city in OFFICE_CITIES:
        if address.startswith(pref + city):
            return pref, city
    raise KeyError(address)


OFFICE_CITIES = [
    (a.split("|")[0], a.split("|")[1])
    for a in """北海道|札幌市中央区 青森県|青森市 岩手県|盛岡市 宮城県|仙台市青葉区 秋田県|秋田市 山形県|山形市
福島県|福島市 茨城県|水戸市 栃木県|宇都宮市 群馬県|前橋市 埼玉県|さいたま市浦和区 千葉県|千葉市中央区
東京都|新宿区 神奈川県|横浜市中区 新潟県|新潟市中央区 富山県|富山市 石川県|金沢市 福井県|福井市 山梨県|甲府市
岐阜県|岐阜市 静岡県|静岡市葵区 愛知県|名古屋市中区 三重県|津市 滋賀県|大津市 京都府|京都市上京区
大阪府|大阪市中央区 兵庫県|神戸市中央区 奈良県|奈良市 和歌山県|和歌山市 鳥取県|鳥取市 島根県|松江市
岡山県|岡山市北区 広島県|広島市中区 山口県|山口市 徳島県|徳島市 香川県|高松市 愛媛県|松山市 高知県|高知市
福岡県|福岡市博多区 佐賀県|佐賀市 長崎県|長崎市 熊本県|熊本市中央区 大分県|大分市 宮崎県|宮崎市
鹿児島県|鹿児島市 沖縄県|那覇市""".split()
]

CASES: dict[str, list[tuple[str, str, str, str, int]]] = {
    "width_and_spaces": [
        ("東京都江東区東陽４－１１－２８", *KOTO, "東陽四丁目", 3),
        ("東京都江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("東京都　江東区　東陽４－１１－２８", *KOTO, "東陽四丁目", 3),
        ("東京都 江東区 東陽 4-11-28", *KOTO, "東陽四丁目", 3),
        ("  東京都江東区東陽4-11-28  ", *KOTO, "東陽四丁目", 3),
        ("東京都江東区東陽\t4-11-28", *KOTO, "東陽四丁目", 3),
        ("東京都新宿区高田馬場１丁目", T, "新宿区", "高田馬場一丁目", 3),
        ("ﾄｳｷｮｳ", "", "", "", 0),
    ],
    "hyphen_variants": [
        (f"東京都江東区東陽4{h}11{h}28", *KOTO, "東陽四丁目", 3)
        for h in ["‐", "‑", "‒", "–", "—", "―", "−", "－", "ｰ", "ー", "─", "━", "-"]
    ],
    "kanji_numerals": [
        ("東京都江東区東陽三丁目", *KOTO, "東陽三丁目", 3),
        ("東京都江東区東陽３丁目", *KOTO, "東陽三丁目", 3),
        ("東京都江東区東陽3丁目", *KOTO, "東陽三丁目", 3),
        ("東京都江東区東陽四丁目十一番二十八号", *KOTO, "東陽四丁目", 3),
        ("東京都江東区東陽４丁目１１番２８号", *KOTO, "東陽四丁目", 3),
        ("東京都江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("北海道札幌市中央区大通西十丁目", "北海道", "札幌市中央区", "大通西十丁目", 3),
        ("北海道札幌市中央区大通西10丁目", "北海道", "札幌市中央区", "大通西十丁目", 3),
        ("北海道札幌市中央区大通西二十一丁目", "北海道", "札幌市中央区", "大通西二十一丁目", 3),
        ("北海道札幌市中央区大通西21丁目", "北海道", "札幌市中央区", "大通西二十一丁目", 3),
        ("北海道札幌市中央区大通西２１", "北海道", "札幌市中央区", "大通西二十一丁目", 3),
        ("北海道札幌市中央区大通西一〇丁目", "北海道", "札幌市中央区", "大通西十丁目", 3),
        ("東京都千代田区三番町１６番地", T, "千代田区", "三番町", 3),
        ("東京都千代田区3番町16", T, "千代田区", "三番町", 3),
        ("東京都千代田区六番町８", T, "千代田区", "六番町", 3),
    ],
    "chome_as_first_number": [
        ("東京都江東区東陽4", *KOTO, "東陽四丁目", 3),
        ("東京都江東区東陽4-11", *KOTO, "東陽四丁目", 3),
        ("東京都中央区銀座５－１－１３", T, "中央区", "銀座五丁目", 3),
        ("東京都中央区八重洲２－２－２", T, "中央区", "八重洲二丁目", 3),
        ("東京都千代田区富士見１－１０－３", T, "千代田区", "富士見一丁目", 3),
        ("東京都文京区大塚２－１－１", T, "文京区", "大塚二丁目", 3),
        ("東京都小金井市貫井北町４－１－１", T, "小金井市", "貫井北町四丁目", 3),
        ("東京都品川区大崎1の2の3", T, "品川区", "大崎一丁目", 3),
    ],
    "banchi_go_forms": [
        ("東京都江東区東陽四丁目11番28号", *KOTO, "東陽四丁目", 3),
        ("東京都江東区東陽四丁目11番地28", *KOTO, "東陽四丁目", 3),
        ("東京都江東区東陽四丁目11の28", *KOTO, "東陽四丁目", 3),
        ("東京都江東区東陽四丁目一番地", *KOTO, "東陽四丁目", 3),
        ("東京都千代田区三番町十六番地", T, "千代田区", "三番町", 3),
        ("東京都千代田区神田和泉町１", T, "千代田区", "神田和泉町", 3),
        ("東京都千代田区神田和泉町1番地", T, "千代田区", "神田和泉町", 3),
    ],
    "ke_variants": [
        (f"北海道札幌市中央区旭{k}丘1丁目", "北海道", "札幌市中央区", "旭ケ丘一丁目", 3)
        for k in ["ヶ", "ケ", "が", "ガ", "ｹ", "ヵ"]
    ]
    + [
        ("東京都北区桐ヶ丘1-1", T, "北区", "桐ケ丘一丁目", 3),
        ("東京都北区桐が丘1-1", T, "北区", "桐ケ丘一丁目", 3),
        ("東京都多摩市桜ヶ丘2", T, "多摩市", "桜ケ丘二丁目", 3),
        ("茨城県龍ケ崎市", "茨城県", "龍ヶ崎市", "", 2),
        ("千葉県鎌ケ谷市", "千葉県", "鎌ヶ谷市", "", 2),
    ],
    "variant_kanji": [
        ("東京都品川区大﨑1-1", T, "品川区", "大崎一丁目", 3),
        ("東京都品川区大嵜1-1", T, "品川区", "大崎一丁目", 3),
        ("東京都新宿区髙田馬場1-1", T, "新宿区", "高田馬場一丁目", 3),
        ("東京都世田谷区奥澤1-1", T, "世田谷区", "奥沢一丁目", 3),
        ("東京都板橋区德丸1-1", T, "板橋区", "徳丸一丁目", 3),
        ("東京都港区濵松町1-1", T, "港区", "浜松町一丁目", 3),
        ("東京都港区濱松町1-1", T, "港区", "浜松町一丁目", 3),
        ("東京都中央区月嶋1-1", T, "中央区", "月島一丁目", 3),
        ("東京都渋谷区松涛2-16-5", T, "渋谷区", "松濤二丁目", 3),
        ("東京都渋谷区松濤2-16-5", T, "渋谷区", "松濤二丁目", 3),
        ("東京都青梅市小曽木3-1880", T, "青梅市", "小曾木三丁目", 3),
        ("東京都北区岩渕町2-8", T, "北区", "岩淵町", 3),
        ("高知県高岡郡梼原町", "高知県", "高岡郡檮原町", "", 2),
        ("函館市日の出町", "北海道", "函館市", "日乃出町", 3),
        ("北海道函館市日之出町", "北海道", "函館市", "日乃出町", 3),
    ],
    "postal_codes_and_notes": [
        ("〒135-0016 東京都江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("〒１３５－００１６　東京都江東区東陽４－１１－２８", *KOTO, "東陽四丁目", 3),
        ("135-0016 東京都江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("〒1350016東京都江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("（前期）東京都江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("【本校】東京都江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("住所：東京都江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("郵便番号135-0016 東京都江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("TEL:03-1234-5678 東京都江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("03-1234-5678　東京都江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("地番：東京都江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("東京都江東区東陽4-11-28 電話03-1234-5678", *KOTO, "東陽四丁目", 3),
        ("東京都（本庁）江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("東京都江東区（旧深川区）東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("東京都江東区「地番」東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("東京都江東区東陽4-11-28「地番」", *KOTO, "東陽四丁目", 3),
        ("東京都江東区東陽4-11-28（東陽ビル2階）", *KOTO, "東陽四丁目", 3),
    ],
    "prefecture_omitted": [
        ("江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("千代田区麹町2-8", T, "千代田区", "麹町二丁目", 3),
        ("小金井市貫井北町4-1-1", T, "小金井市", "貫井北町四丁目", 3),
        ("札幌市中央区北1条西2丁目", "北海道", "札幌市中央区", "北一条西二丁目", 3),
        ("横浜市中区山下町", "神奈川県", "横浜市中区", "山下町", 3),
        ("東京江東区東陽4-11-28", *KOTO, "東陽四丁目", 3),
        ("大阪市北区梅田1-1", "大阪府", "大阪市北区", "梅田一丁目", 3),
    ],
    "county": [
        ("北海道虻田郡倶知安町北1条東1丁目", "北海道", "虻田郡倶知安町", "北一条東一丁目", 3),
        ("北海道倶知安町北1条東1丁目", "北海道", "虻田郡倶知安町", "北一条東一丁目", 3),
        ("倶知安町北1条東1丁目", "北海道", "虻田郡倶知安町", "北一条東一丁目", 3),
        ("東京都西多摩郡瑞穂町", T, "西多摩郡瑞穂町", "", 2),
        ("東京都瑞穂町", T, "西多摩郡瑞穂町", "", 2),
        ("東京都西多摩郡檜原村600", T, "西多摩郡檜原村", "", 2),
    ],
    "designated_city_wards": [
        ("北海道札幌市中央区北1条西2丁目1-1", "北海道", "札幌市中央区", "北一条西二丁目", 3),
        ("北海道札幌市北1条西2丁目", "北海道", "札幌市中央区", "北一条西二丁目", 3),
        ("札幌市北1条西2丁目", "北海道", "札幌市中央区", "北一条西二丁目", 3),
        ("北海道中央区北1条西2丁目", "北海道", "札幌市中央区", "北一条西二丁目", 3),
        ("神奈川県横浜市中区山下町", "神奈川県", "横浜市中区", "山下町", 3),
        ("神奈川県中区山下町", "神奈川県", "横浜市中区", "山下町", 3),
        ("大阪府大阪市北区梅田1-1", "大阪府", "大阪市北区", "梅田一丁目", 3),
        ("北海道札幌市", "北海道", "札幌市", "", 2),
        ("札幌市", "北海道", "札幌市", "", 2),
    ],
    "aza_written_or_omitted": [
        ("沖縄県宜野湾市字野嵩", "沖縄県", "宜野湾市", "字野嵩", 3),
        ("沖縄県宜野湾市野嵩", "沖縄県", "宜野湾市", "字野嵩", 3),
        ("沖縄県那覇市字上之屋", "沖縄県", "那覇市", "字上之屋", 3),
        ("沖縄県那覇市上之屋", "沖縄県", "那覇市", "字上之屋", 3),
        ("北海道稚内市大字声問村", "北海道", "稚内市", "大字声問村", 3),
        ("北海道稚内市声問村", "北海道", "稚内市", "大字声問村", 3),
        ("北海道稚内市字声問村", "北海道", "稚内市", "大字声問村", 3),
        ("長崎県西海市大瀬戸町瀬戸板浦郷", "長崎県", "西海市", "大瀬戸町瀬戸板浦郷", 3),
        ("長崎県西海市大瀬戸町瀬戸板浦", "長崎県", "西海市", "大瀬戸町瀬戸板浦郷", 3),
    ],
    "hokkaido_numbered": [
        ("北海道札幌市中央区北一条西二丁目", "北海道", "札幌市中央区", "北一条西二丁目", 3),
        ("北海道札幌市中央区北1条西2-1", "北海道", "札幌市中央区", "北一条西二丁目", 3),
        ("北海道札幌市中央区北１条西２丁目１番地", "北海道", "札幌市中央区", "北一条西二丁目", 3),
        ("札幌市中央区北1西2", "北海道", "札幌市中央区", "北一条西二丁目", 3),
        ("札幌市中央区北1西2-1-1", "北海道", "札幌市中央区", "北一条西二丁目", 3),
        ("札幌市中央区南1西21", "北海道", "札幌市中央区", "南一条西二十一丁目", 3),
        ("北海道旭川市4条25丁目", "北海道", "旭川市", "四条通二十五丁目", 3),
        ("北海道旭川市四条通二十五丁目", "北海道", "旭川市", "四条通二十五丁目", 3),
        ("旭川市4条通25丁目", "北海道", "旭川市", "四条通二十五丁目", 3),
        ("北海道旭川市東鷹栖一線十号", "北海道", "旭川市", "東鷹栖一線十号", 4),
        ("北海道旭川市東鷹栖1線10号", "北海道", "旭川市", "東鷹栖一線十号", 4),
        ("北海道空知郡上富良野町東8線北18号", "北海道", "空知郡上富良野町", "東八線北十八号", 3),
        ("北海道上富良野町東８線北１８号", "北海道", "空知郡上富良野町", "東八線北十八号", 3),
        ("北海道上川郡東神楽町14号北1番地", "北海道", "上川郡東神楽町", "十四号", 3),
    ],
    "kyoto_street_names": [
        ("京都府京都市中京区河原町通三条上る恵比須町", "京都府", "京都市中京区", "恵比須町", 3),
        ("京都市中京区河原町通三条上ル恵比須町427", "京都府", "京都市中京区", "恵比須町", 3),
        ("京都府京都市中京区恵比須町", "京都府", "京都市中京区", "恵比須町", 3),
        ("京都府京都市中京区寺町通御池上る上本能寺前町488", "京都府", "京都市中京区", "上本能寺前町", 3),
        ("京都府京都市下京区烏丸通七条下る東塩小路町721-1", "京都府", "京都市下京区", "東塩小路町", 3),
        ("京都府京都市上京区今出川通烏丸東入玄武町", "京都府", "京都市上京区", "玄武町", 3),
        ("京都市中京区河原町通三条上がる恵比須町", "京都府", "京都市中京区", "恵比須町", 3),
        ("京都市中京区烏丸通二条下ル秋野々町", "京都府", "京都市中京区", "秋野々町", 3),
        ("京都府京都市中京区三条通河原町東入ル中島町", "京都府", "京都市中京区", "中島町", 3),
        ("京都市東山区祇園町南側570-120", "京都府", "京都市東山区", "祇園町南側", 3),
    ],
    "islands": [
        ("東京都八丈島八丈町大賀郷2466", T, "八丈町", "大賀郷", 3),
        ("東京都八丈町大賀郷2466", T, "八丈町", "大賀郷", 3),
        ("東京都大島町元町字家の上", T, "大島町", "元町家の上", 4),
        ("東京都小笠原村父島", T, "小笠原村", "父島", 3),
        ("東京都利島村13", T, "利島村", "", 2),
    ],
    "rest_untouched": [
        ("東京都中央区八重洲2-2-2 八重洲ビル3F", T, "中央区", "八重洲二丁目", 3),
        ("東京都江東区東陽4-11-28 東陽ビル１０１号室", *KOTO, "東陽四丁目", 3),
    ],
    "municipality_written_twice": [
        ("東京都港区港区南青山２－３３－７７", T, "港区", "南青山二丁目", 3),
        ("東京都北区北区中十条３－１－６", T, "北区", "中十条三丁目", 3),
    ],
    "town_suffix_omitted": [
        ("東京都中野区弥生１－５８－１４", T, "中野区", "弥生町一丁目", 3),
        ("東京都八王子市子安２－１８－１", T, "八王子市", "子安町二丁目", 3),
        ("東京都八王子市打越３４８－１", T, "八王子市", "打越町", 3),
        ("東京都町田市能ヶ谷町７－２４－１", T, "町田市", "能ヶ谷七丁目", 3),
        ("東京都町田市能ヶ谷7-24-1", T, "町田市", "能ヶ谷七丁目", 3),
    ],
    "level_municipality_or_prefecture": [
        ("東京都練馬区", T, "練馬区", "", 2),
        ("東京都江東区存在しない町1-1", *KOTO, "", 2),
        ("東京都", T, "", "", 1),
        ("大阪府", "大阪府", "", "", 1),
        ("東京都どこか", T, "", "", 1),
        ("北海道", "北海道", "", "", 1),
    ],
    "prefectural_offices": [
        ('北海道札幌市中央区北3条西6丁目', *_office('北海道札幌市中央区北3条西6丁目'), '北三条西六丁目', 3),
        ('青森県青森市長島1-1-1', *_office('青森県青森市長島1-1-1'), '長島一丁目', 3),
        ('岩手県盛岡市内丸10-1', *_office('岩手県盛岡市内丸10-1'), '内丸', 3),
        ('宮城県仙台市青葉区本町3-8-1', *_office('宮城県仙台市青葉区本町3-8-1'), '本町三丁目', 3),
        ('秋田県秋田市山王4-1-1', *_office('秋田県秋田市山王4-1-1'), '山王四丁目', 3),
        ('山形県山形市松波2-8-1', *_office('山形県山形市松波2-8-1'), '松波二丁目', 3),
        ('福島県福島市杉妻町2-16', *_office('福島県福島市杉妻町2-16'), '杉妻町', 3),
        ('茨城県水戸市笠原町978-6', *_office('茨城県水戸市笠原町978-6'), '笠原町', 3),
        ('栃木県宇都宮市塙田1-1-20', *_office('栃木県宇都宮市塙田1-1-20'), '塙田一丁目', 3),
        ('群馬県前橋市大手町1-1-1', *_office('群馬県前橋市大手町1-1-1'), '大手町一丁目', 3),
        ('埼玉県さいたま市浦和区高砂3-15-1', *_office('埼玉県さいたま市浦和区高砂3-15-1'), '高砂三丁目', 3),
        ('千葉県千葉市中央区市場町1-1', *_office('千葉県千葉市中央区市場町1-1'), '市場町', 3),
        ('東京都新宿区西新宿2-8-1', *_office('東京都新宿区西新宿2-8-1'), '西新宿二丁目', 3),
        ('神奈川県横浜市中区日本大通1', *_office('神奈川県横浜市中区日本大通1'), '日本大通', 3),
        ('新潟県新潟市中央区新光町4-1', *_office('新潟県新潟市中央区新光町4-1'), '新光町', 3),
        ('富山県富山市新総曲輪1-7', *_office('富山県富山市新総曲輪1-7'), '新総曲輪', 3),
        ('石川県金沢市鞍月1-1', *_office('石川県金沢市鞍月1-1'), '鞍月一丁目', 3),
        ('福井県福井市大手3-17-1', *_office('福井県福井市大手3-17-1'), '大手三丁目', 3),
        ('山梨県甲府市丸の内1-6-1', *_office('山梨県甲府市丸の内1-6-1'), '丸の内一丁目', 3),
        ('岐阜県岐阜市薮田南2-1-1', *_office('岐阜県岐阜市薮田南2-1-1'), '薮田南二丁目', 3),
        ('静岡県静岡市葵区追手町9-6', *_office('静岡県静岡市葵区追手町9-6'), '追手町', 3),
        ('愛知県名古屋市中区三の丸3-1-2', *_office('愛知県名古屋市中区三の丸3-1-2'), '三の丸三丁目', 3),
        ('三重県津市広明町13', *_office('三重県津市広明町13'), '広明町', 3),
        ('滋賀県大津市京町4-1-1', *_office('滋賀県大津市京町4-1-1'), '京町四丁目', 3),
        ('京都府京都市上京区下立売通新町西入薮ノ内町', *_office('京都府京都市上京区下立売通新町西入薮ノ内町'), '藪之内町', 3),
        ('大阪府大阪市中央区大手前2丁目', *_office('大阪府大阪市中央区大手前2丁目'), '大手前二丁目', 3),
        ('兵庫県神戸市中央区下山手通5-10-1', *_office('兵庫県神戸市中央区下山手通5-10-1'), '下山手通五丁目', 3),
        ('奈良県奈良市登大路町30', *_office('奈良県奈良市登大路町30'), '登大路町', 3),
        ('和歌山県和歌山市小松原通1-1', *_office('和歌山県和歌山市小松原通1-1'), '小松原通一丁目', 3),
        ('鳥取県鳥取市東町1-220', *_office('鳥取県鳥取市東町1-220'), '東町一丁目', 3),
        ('島根県松江市殿町1', *_office('島根県松江市殿町1'), '殿町', 3),
        ('岡山県岡山市北区内山下2-4-6', *_office('岡山県岡山市北区内山下2-4-6'), '内山下二丁目', 3),
        ('広島県広島市中区基町10-52', *_office('広島県広島市中区基町10-52'), '基町', 3),
        ('山口県山口市滝町1-1', *_office('山口県山口市滝町1-1'), '滝町', 3),
        ('徳島県徳島市万代町1-1', *_office('徳島県徳島市万代町1-1'), '万代町一丁目', 3),
        ('香川県高松市番町4-1-10', *_office('香川県高松市番町4-1-10'), '番町四丁目', 3),
        ('愛媛県松山市一番町4-4-2', *_office('愛媛県松山市一番町4-4-2'), '一番町四丁目', 3),
        ('高知県高知市丸ノ内1-2-20', *_office('高知県高知市丸ノ内1-2-20'), '丸ノ内一丁目', 3),
        ('福岡県福岡市博多区東公園7-7', *_office('福岡県福岡市博多区東公園7-7'), '東公園', 3),
        ('佐賀県佐賀市城内1-1-59', *_office('佐賀県佐賀市城内1-1-59'), '城内一丁目', 3),
        ('長崎県長崎市尾上町3-1', *_office('長崎県長崎市尾上町3-1'), '尾上町', 3),
        ('熊本県熊本市中央区水前寺6-18-1', *_office('熊本県熊本市中央区水前寺6-18-1'), '水前寺六丁目', 3),
        ('大分県大分市大手町3-1-1', *_office('大分県大分市大手町3-1-1'), '大手町三丁目', 3),
        ('宮崎県宮崎市橘通東2-10-1', *_office('宮崎県宮崎市橘通東2-10-1'), '橘通東二丁目', 3),
        ('鹿児島県鹿児島市鴨池新町10-1', *_office('鹿児島県鹿児島市鴨池新町10-1'), '鴨池新町', 3),
        ('沖縄県那覇市泉崎1-2-2', *_office('沖縄県那覇市泉崎1-2-2'), '泉崎一丁目', 3),
    ],
    "koaza_in_nagano": [
        ("長野県長野市大字南長野字幅下692-2", "長野県", "長野市", "大字南長野", 3),
        ("長野県長野市南長野幅下692-2", "長野県", "長野市", "大字南長野", 3),
        ("長野県長野市大字南長野字県町", "長野県", "長野市", "大字南長野県町", 4),
        ("長野県長野市南長野県町", "長野県", "長野市", "大字南長野県町", 4),
    ],
    "real_name_beats_alias": [
        ("愛知県名古屋市北区大杉2-34-15", "愛知県", "名古屋市北区", "大杉二丁目", 3),
        ("愛知県名古屋市北区大杉町2-1", "愛知県", "名古屋市北区", "大杉町二丁目", 3),
        ("沖縄県糸満市西崎2-3-10", "沖縄県", "糸満市", "西崎二丁目", 3),
        ("北区中里二丁目40番地30号", T, "北区", "中里二丁目", 3),
        ("中央区入船1の9-29", T, "中央区", "入船一丁目", 3),
        ("北区昭和町２丁目１４－１１", T, "北区", "昭和町二丁目", 3),
    ],
    "towns_named_by_chome_alone": [
        ("宮城県仙台市若林区6-1-28", "宮城県", "仙台市若林区", "六丁目", 3),
        ("静岡県下田市4の21-9", "静岡県", "下田市", "四丁目", 3),
        ("岩手県花巻市12-23-6", "岩手県", "花巻市", "十二丁目", 3),
    ],
    "town_named_like_its_municipality": [
        ("東京都神津島村神津島村35-17", T, "神津島村", "神津島村", 3),
        ("東京都神津島村35-17", T, "神津島村", "", 2),
    ],
    "index_spells_one_town_two_ways": [
        ("京都府京都市左京区一乗寺燈籠本町10-18", "京都府", "京都市左京区", "一乗寺燈篭本町", 3),
        ("京都府京都市左京区一乗寺燈篭本町10-18", "京都府", "京都市左京区", "一乗寺燈篭本町", 3),
        ("長野県南佐久郡南相木村上之段25", "長野県", "南佐久郡南相木村", "上の段", 3),
    ],
    "town_ending_in_a_kanji_numeral": [
        ("長野県南佐久郡南相木村かな八8-3", "長野県", "南佐久郡南相木村", "かな八", 3),
        ("愛知県清須市助七11-2", "愛知県", "清須市", "助七", 3),
        ("宮城県伊具郡丸森町鳥屋一1591", "宮城県", "伊具郡丸森町", "字鳥屋一", 3),
        ("宮城県伊具郡丸森町字鳥屋一１５９１", "宮城県", "伊具郡丸森町", "字鳥屋一", 3),
    ],
    "aza_written_where_the_index_has_none": [
        ("茨城県つくば市大字遠東1720", "茨城県", "つくば市", "遠東", 3),
        ("沖縄県浦添市字仲間2-2", "沖縄県", "浦添市", "字仲間", 3),
        ("沖縄県浦添市仲間2-2", "沖縄県", "浦添市", "仲間二丁目", 3),
    ],
    "ga_after_kana": [
        ("北海道札幌市清田区美しヶ丘2条10丁目", "北海道", "札幌市清田区", "美しが丘二条十丁目", 3),
        ("北海道札幌市清田区美しガ丘二条十丁目16-20", "北海道", "札幌市清田区", "美しが丘二条十丁目", 3),
        ("新潟県東蒲原郡阿賀町あヶ野北17-14", "新潟県", "東蒲原郡阿賀町", "あが野北", 3),
    ],
    "kanmuri_omitted": [
        ("東京都千代田区猿楽町２－３－６", T, "千代田区", "神田猿楽町二丁目", 3),
        ("東京都千代田区神保町1-1", T, "千代田区", "神田神保町一丁目", 3),
        ("東京都中央区蛎殻町2-10-23", T, "中央区", "日本橋蛎殻町二丁目", 3),
        ("京都市左京区燈籠本町10", "京都府", "京都市左京区", "一乗寺燈篭本町", 3),
        # only before a number: 猿楽町ビル is not 神田猿楽町
        ("東京都千代田区猿楽町ビル", T, "千代田区", "", 2),
    ],
    "nothing": [
        ("", "", "", "", 0),
        ("   ", "", "", "", 0),
        ("あいうえお", "", "", "", 0),
        ("1-2-3", "", "", "", 0),
        ("<script>alert(1)</script>", "", "", "", 0),
        ("東陽4-11-28", "", "", "", 0),
    ],
}


def _flatten():
    for category, cases in CASES.items():
        for i, case in enumerate(cases):
            yield pytest.param(*case, id=f"{category}-{i}")


ALL = list(_flatten())


def test_there_are_at_least_200_cases():
    assert len(ALL) >= 200


@pytest.mark.parametrize("address,pref,city,town,level", ALL)
def test_case(address, pref, city, town, level):
    row = geomap.geocode([address]).iloc[0]
    assert (row["pref"], row["city"], row["town"], int(row["level"])) == (pref, city, town, level)
    if level >= 1:
        assert -90 <= row["lat"] <= 90 and -180 <= row["lon"] <= 180
    else:
        assert row["lat"] != row["lat"]  # NaN


def test_every_case_in_one_batch_agrees_with_single_calls():
    addresses = [p.values[0] for p in ALL]
    batch = geomap.geocode(addresses)
    assert len(batch) == len(addresses)
    for (address, pref, city, town, level), (_, row) in zip((p.values for p in ALL), batch.iterrows()):
        assert (row["pref"], row["city"], row["town"], int(row["level"])) == (pref, city, town, level), address


# -- families written their own way (geomap/geocoders/families.py) -------------------------

# Each family module and the category of CASES above that holds its cases.
FAMILY_CASES = {"hokkaido": "hokkaido_numbered", "kyoto": "kyoto_street_names"}


def test_every_family_has_its_table_of_cases():
    from geomap.geocoders import families

    modules = {f.__module__.rpartition(".")[2] for f in (*families.KEY_RULES, *families.TOWN_STARTS)}
    assert modules == set(FAMILY_CASES)
    assert all(len(CASES[FAMILY_CASES[m]]) >= 5 for m in modules)


@pytest.mark.parametrize("name", sorted(FAMILY_CASES))
def test_family_examples(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"geomap.geocoders.{name}"))
    assert result.attempted > 0 and result.failed == 0


def test_kyoto_streets_are_read_by_the_family_module(monkeypatch):
    from geomap.address.normalize import normalize
    from geomap.geocoders import families
    from geomap.geocoders.index import town_index
    from geomap.geocoders.matcher import Matcher

    matcher = Matcher(town_index())
    address = normalize("京都府京都市中京区河原町通三条上る恵比須町")
    assert (matcher.match(address).town, matcher.match(address).level) == ("恵比須町", 3)
    monkeypatch.setattr(families, "TOWN_STARTS", ())
    assert (matcher.match(address).town, matcher.match(address).level) == ("", 2)


def test_hokkaido_keys_are_made_by_the_family_module(monkeypatch):
    from geomap import gazetteer
    from geomap.geocoders import families
    from geomap.geocoders.index_build import build_city_towns

    towns = gazetteer.towns()
    rows = towns[towns["code"] == "01101"]  # 札幌市中央区
    columns = [rows[c].tolist() for c in ("town", "koaza", "lat", "lon")]
    built = build_city_towns("01101", *columns)
    assert [t.name for t in built.exact["北1西2"]] == ["北一条西二丁目"]
    assert "北1西2" in built.alias_keys
    monkeypatch.setattr(families, "KEY_RULES", ())
    assert "北1西2" not in build_city_towns("01101", *columns).exact


# -- notes: keys from the matcher, text in the requested language at the adapter ------------

NOTE_CASES = [  # (address, note key, params): one address for each note the matcher gives
    ("東京都江東区東陽", "note_whole_town", {}),
    ("東京都江東区東陽9-1", "note_no_such_chome", {"n": "9"}),
    ("静岡県浜松市中央区鍛冶町100", "note_new_ward", {"ward": "中央区", "city": "浜松市中区"}),
    ("浜松市浜名区", "note_unknown_ward", {"ward": "浜名区"}),
    ("東京都新市町1-1", "note_unknown_municipality", {"name": "新市町"}),
]


def _matcher_note_keys(modules=("matcher", "oldnames", "postal", "readings")) -> set[str]:
    """The note keys the offline geocoder gives: the matcher's and those of the readings after it (issue 16)."""
    import importlib
    import re
    from pathlib import Path

    files = [Path(importlib.import_module(f"geomap.geocoders.{m}").__file__) for m in modules]
    return {k for f in files for k in re.findall(r'"(note_\w+)"', f.read_text(encoding="utf-8"))}


def test_every_note_the_matcher_gives_has_its_text_in_both_languages():
    from geomap.messages import LANGS, MESSAGES, notes

    keys = _matcher_note_keys()
    assert keys == set(notes.TEXTS)  # no note without a text, no text never given
    assert all(set(MESSAGES[k]) == set(LANGS) and all(MESSAGES[k].values()) for k in keys)
    assert {key for _, key, _ in NOTE_CASES} | {"note_no_town_point"} == _matcher_note_keys(("matcher",))


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("address,key,params", NOTE_CASES)
def test_note_column_is_the_matchers_note_in_the_requested_language(address, key, params, lang):
    from geomap.address.normalize import normalize
    from geomap.geocoders.index import town_index
    from geomap.geocoders.matcher import Matcher
    from geomap.messages import message

    assert Matcher(town_index()).match(normalize(address)).note == (key, params)
    expected = message(key, lang, **params)
    assert key not in expected and "{" not in expected
    assert geomap.geocode([address], lang=lang)["note"].tolist() == [expected]


def test_a_town_without_a_point_gets_its_note():
    # Towns of the index without coordinates are placed at their municipality, with a note.
    from geomap import gazetteer
    from geomap.messages import message

    towns = gazetteer.towns()
    lacking = towns[towns["lat"].isna() & (towns["koaza"] == "")].iloc[0]
    row = geomap.geocode([f"{lacking['pref']}{lacking['city']}{lacking['town']}"], lang="en").iloc[0]
    assert (int(row["level"]), row["town"]) == (2, lacking["town"])
    assert row["note"] == message("note_no_town_point", "en")


def test_note_text_examples():
    import doctest

    from geomap import messages

    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(messages.note_text, "note_text", globs=vars(messages)):
        runner.run(test)
    assert runner.tries > 0 and runner.failures == 0
