"""Publishing: encoding and BOM stated, licence chosen, the written file checked."""
import pandas as pd
import pytest
import yaml

from chiiki_iot.opendata import LICENSES, OpenDataError, check_standard, practice, publish, read_csv, write_csv


def _spots():
    return check_standard(practice.path("events_flaw_wareki_dates"), "イベント一覧").df


def test_publish_writes_csv_meta_and_checks_it(tmp_path):
    p = publish(_spots(), tmp_path / "events.csv", title="イベント（練習）", publisher="架空市", license="CC BY 4.0",
                synthetic=True, dataset="イベント一覧")
    raw = p.csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    meta = yaml.safe_load(p.meta_path.read_text(encoding="utf-8"))
    assert meta["encoding"] == "UTF-8" and meta["bom"] is True and meta["license"] == "CC BY 4.0"
    assert meta["synthetic"] is True and meta["rows"] == 24 and meta["columns"]["全国地方公共団体コード"] == "str"
    assert p.report.ok and p.report.rules() == ["L3-08"]
    back = read_csv(p.csv_path)
    clean = read_csv(practice.path("events_clean")).df
    assert "開始日_raw" not in back.df.columns and back.df.loc[3, "開始日"] == clean.loc[3, "開始日"]
    assert back.df.loc[0, "緯度"] == "36.500000"


def test_cp932_output_refuses_characters_it_cannot_hold(tmp_path):
    df = pd.DataFrame({"名称": ["架空公園", "𠮷野家"]})
    with pytest.raises(OpenDataError, match="3行目・列「名称」"):
        write_csv(df, tmp_path / "x.csv", encoding="cp932", bom=False)
    write_csv(df, tmp_path / "y.csv")                  # UTF-8 holds it


def test_licence_must_be_known(tmp_path):
    with pytest.raises(OpenDataError, match="CC BY 4.0"):
        publish(_spots(), tmp_path / "x.csv", title="t", publisher="p", license="自由に使ってよい")
    assert "PDL1.0" in LICENSES
