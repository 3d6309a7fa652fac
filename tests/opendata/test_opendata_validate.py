"""check_standard: headers, normalisation with _raw columns, pandera checks, one report."""
import pandas as pd
import pytest

from chiiki_iot.opendata import OpenDataError, check_standard, dataset, datasets, detect, practice, read_csv
from chiiki_iot.opendata.schemas import header_key, pandera_schema

OLD_AED = ("都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,住所,方書,緯度,経度,設置位置,電話番号,"
           "内線番号,法人番号,団体名,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,小児対応設備の有無,URL,備考\r\n"
           "99996,1,栃木県,架空市,架空市役所,ｶｸｳｼﾔｸｼｮ,本町1-1,,36.5,139.9,1階,028-000-0001,,,,月火水木金,8時30分,17:15,,あり,,架空\r\n")


def test_old_format_is_read_as_new_and_every_change_is_kept():
    c = check_standard(OLD_AED.encode("cp932"))
    assert c.dataset.name == "AED設置箇所一覧"
    row = c.df.iloc[0]
    assert (row["全国地方公共団体コード"], row["全国地方公共団体コード_raw"]) == ("099996", "99996")
    assert row["地方公共団体名"] == "栃木県架空市" and row["ID"] == "1"
    assert row["所在地_連結表記"] == "本町1-1" and row["名称_カナ"] == "カクウシヤクショ"
    assert row["開始時間"] == "08:30" and row["小児対応設備の有無"] == "有"
    assert row["緯度"] == 36.5 and str(c.df["緯度"].dtype) == "Float64"
    assert {"STD-02", "L3-06", "STD-04", "L2-04"} <= set(c.report.rules())
    assert c.report.ok


def test_issues_name_row_column_rule_and_reason():
    c = check_standard("全国地方公共団体コード,ID,地方公共団体名,名称\n131017,1,東京都千代田区,\n".encode())
    frame = c.report.to_frame()
    err = frame[frame["severity"] == "error"]
    assert set(err["rule"]) == {"L3-06", "STD-03"}
    assert (err["file_row"] == 2).all() and (err["row"] == 0).all()
    assert set(err["column"]) == {"全国地方公共団体コード", "名称"}
    assert all(m.endswith("。") for m in err["message"])


def test_prefecture_mismatch_and_coordinates_outside_japan():
    c = check_standard("全国地方公共団体コード,ID,地方公共団体名,名称,緯度,経度\n131016,1,北海道札幌市,A,139.7,35.6\n".encode(),
                       "公共施設一覧")
    rules = {(i.rule, i.column) for i in c.report if i.severity == "error"}
    assert ("STD-07", "地方公共団体名") in rules and ("STD-08", "緯度") in rules and ("STD-08", "経度") in rules


def test_dataframe_input_with_numbers_in_code_column():
    df = pd.DataFrame({"全国地方公共団体コード": [92011, 131016], "ID": [1, 2], "地方公共団体名": ["栃木県宇都宮市", "東京都千代田区"],
                       "名称": ["A", "B"]})
    c = check_standard(df, "公共施設一覧")
    assert c.df["全国地方公共団体コード"].tolist() == ["092011", "131016"] and c.report.ok


def test_unknown_file_is_reported_not_guessed():
    c = check_standard(b"x,y\n1,2\n")
    assert c.dataset is None and not c.report.ok and len(c.df) == 1


def test_dataset_lookup():
    assert dataset("08").name == "AED設置箇所一覧" and dataset("避難").name == "指定緊急避難場所一覧"
    with pytest.raises(KeyError, match="使えるもの"):
        dataset("存在しない")
    assert len(datasets()) == 8
    assert all(d.required[:1] == ["全国地方公共団体コード"] for d in datasets())


def test_header_spelling_variants():
    assert header_key("名称（必須）") == header_key("名称") == header_key(" 名 称 ")
    assert header_key("建物名等（方書）") == header_key("建物名等(方書)")
    assert detect(["全国地方公共団体コード", "ID", "地方公共団体名", "名称", "災害種別_洪水", "想定収容人数"]).number == "03"


def test_pandera_schema_is_exposed_for_learners():
    schema = pandera_schema(dataset("AED"))
    assert schema.name == "AED設置箇所一覧" and "全国地方公共団体コード" in schema.columns


def test_population_wide_columns_are_integers():
    c = check_standard(practice.path("population_old_format_cp932"), "地域・年齢別人口")
    assert str(c.df["0-4歳の男性"].dtype) == "Int64" and c.df.loc[0, "調査年月日"] == "2023-04-01"
    assert c.df.loc[0, "総人口_raw"].count(",") == 1


def test_detection_from_table():
    t = read_csv(practice.path("evacuation_clean"))
    assert check_standard(t).dataset.number == "03"


def test_reader_errors_are_japanese(tmp_path):
    with pytest.raises(OpenDataError):
        check_standard(tmp_path / "nope.csv")


def test_a_dataframe_with_missing_text_cells_is_checked_like_a_file_with_empty_cells():
    """A table a learner builds in pandas has None / NaN where a file has empty cells: no TypeError."""
    df = pd.DataFrame({"全国地方公共団体コード": ["092011", "092011"], "ID": ["1", "2"],
                       "地方公共団体名": ["栃木県宇都宮市", None], "名称": ["市役所", None],
                       "緯度": ["36.5", None], "経度": ["139.9", "139.9"]})
    checked = check_standard(df, "AED設置箇所一覧")
    assert len(checked.df) == 2
    assert {(i.rule, i.column) for i in checked.report.issues} >= {("STD-03", "名称"), ("STD-03", "地方公共団体名")}
