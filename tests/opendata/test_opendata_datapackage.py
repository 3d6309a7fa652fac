"""publish(…, datapackage=True): a Frictionless Data Package beside the CSV, validated (issue 16)."""
import json

import pandas as pd
import pytest
from frictionless import validate

from chiiki_iot.opendata import OpenDataError, publish
from chiiki_iot.opendata.datapackage import check_datapackage


def _df():
    return pd.DataFrame({"全国地方公共団体コード": ["092011", "092011"], "ID": ["001", "002"],
                         "名称": ["架空公園", "架空広場"], "緯度": [36.5, 36.51], "経度": [139.9, 139.91],
                         "定員": [50, 30], "開設日": ["2023-04-01", ""]})


def _publish(tmp_path, name="spots.csv", **kw):
    return publish(_df(), tmp_path / name, title="おすすめスポット（練習）", publisher="架空市",
                   license="CC BY 4.0", synthetic=True, datapackage=True, **kw)


def test_datapackage_is_written_beside_the_csv_and_validates(tmp_path):
    p = _publish(tmp_path)
    assert p.datapackage_path == tmp_path / "datapackage.json"
    assert validate(str(p.datapackage_path)).valid
    assert not p.report.filter(rule="PUB-01")
    d = json.loads(p.datapackage_path.read_text(encoding="utf-8"))
    res = d["resources"][0]
    assert res["path"] == "spots.csv" and res["encoding"] == "utf-8" and res["bom"] is True
    assert res["dialect"]["lineTerminator"] == "\r\n" and res["dialect"]["delimiter"] == ","
    types = {f["name"]: f["type"] for f in res["schema"]["fields"]}
    assert types == {"全国地方公共団体コード": "string", "ID": "string", "名称": "string", "緯度": "number",
                     "経度": "number", "定員": "integer", "開設日": "date"}
    assert d["licenses"][0]["name"] == "CC-BY-4.0" and d["contributors"][0]["title"] == "架空市"


def test_cp932_without_bom_is_described_as_such(tmp_path):
    p = _publish(tmp_path, encoding="cp932")
    res = json.loads(p.datapackage_path.read_text(encoding="utf-8"))["resources"][0]
    assert (res["encoding"], res["bom"]) == ("cp932", False)
    assert validate(str(p.datapackage_path)).valid and not p.report.filter(rule="PUB-01")


def test_a_second_csv_in_the_same_folder_is_added(tmp_path):
    _publish(tmp_path)
    p = _publish(tmp_path, name="spots2.csv")
    d = json.loads(p.datapackage_path.read_text(encoding="utf-8"))
    assert [r["path"] for r in d["resources"]] == ["spots.csv", "spots2.csv"]
    assert validate(str(p.datapackage_path)).valid


def test_a_broken_package_is_reported_with_row_and_column(tmp_path):
    p = _publish(tmp_path)
    d = json.loads(p.datapackage_path.read_text(encoding="utf-8"))
    fields = d["resources"][0]["schema"]["fields"]
    fields[2]["type"] = "integer"                 # 名称 as a number
    fields[5]["name"] = "人数"                     # does not match the CSV's 定員
    p.datapackage_path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    report = check_datapackage(p.datapackage_path)
    assert not report.ok and set(report.rules()) == {"PUB-01"}
    typed = report.filter(column="名称")
    assert [i.file_row for i in typed] == [2, 3] and "integer" in typed.issues[0].message
    assert "「架空公園」" in typed.issues[0].message and "spots.csv" in typed.issues[0].message
    label = [i for i in report if "項目名" in i.message]
    assert label and "「定員」" in label[0].message and "「人数」" in label[0].message


def test_a_descriptor_that_is_not_a_package_is_reported(tmp_path):
    p = _publish(tmp_path)
    d = json.loads(p.datapackage_path.read_text(encoding="utf-8"))
    d["resources"][0]["schema"]["fields"] = "名称"
    p.datapackage_path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    report = check_datapackage(p.datapackage_path)
    assert [i.rule for i in report] == ["PUB-01"] and "datapackage.json" in report.issues[0].message
    with pytest.raises(OpenDataError, match="ありません"):
        check_datapackage(tmp_path / "nai" / "datapackage.json")


def test_without_the_option_no_package_is_written(tmp_path):
    p = publish(_df(), tmp_path / "spots.csv", title="t", publisher="架空市", license="CC0 1.0")
    assert p.datapackage_path is None and not (tmp_path / "datapackage.json").exists()
