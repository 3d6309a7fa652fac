"""chiiki_iot.opendata — read, clean, check and publish Japanese municipal open data.

Typical notebook use::

    from chiiki_iot import opendata as od

    table = od.read_csv("events.csv")        # strict decoding: utf-8-sig → utf-8 → cp932 (utf-16 only with BOM)
    table.encoding, table.df                  # every cell a string; blanks stay ""
    checked = od.check_standard(table)        # 自治体標準オープンデータセット: the schema and values (fixes, keeps _raw)
    checked.df                                # normalised; originals kept in <列>_raw
    checked.report.to_frame()                 # row, column, rule (L1-01… / STD-…) and a Japanese reason
    od.check_readability("my_file.xlsx")      # file-level machine-readability rules for any CSV/Excel file (reports only)
    od.rule_catalogue()["L1-08"]["title"]     # every rule ID with its Japanese title and hint
    od.publish(df, "spots.csv", title=…, publisher=…, license="CC BY 4.0")

Building blocks: :func:`parse_date` / :func:`parse_fiscal_year` (和暦・年度),
:func:`repair_lgcode` (全国地方公共団体コード), :func:`normalize_value` and friends,
:func:`population_to_long`, :func:`nearest` (sensor readings ↔ sites),
:mod:`~chiiki_iot.opendata.practice` (made-up practice files with every flaw).

>>> parse_date("H31.4.30").isoformat()
'2019-04-30'
>>> repair_lgcode("92011").code
'092011'
"""
from . import practice
from .encoding import Decoded, decode_bytes, encode_text
from .geo import haversine_km, nearest, plot_points
from .lgcode import PREFECTURES, check_digit, is_valid as is_valid_lgcode, repair_lgcode
from .normalize import KINDS, machine_dependent_chars, nfkc, normalize_value, to_zenkaku_katakana, unify_hyphens, \
    unify_tildes
from .population import plot_pyramid, population_to_long
from .publish import LICENSES, Published, publish, write_csv
from .readability import check_readability, scorecard
from .reader import OpenDataError, Table, read_csv, read_excel, read_table
from .report import Issue, Report, rule_catalogue, rule_title
from .schemas import DatasetSchema, dataset, datasets, detect
from .validate import Checked, check_standard
from .wareki import FiscalYear, WarekiError, fiscal_year, parse_date, parse_fiscal_year, to_iso, to_wareki

__all__ = [
    "Checked", "DatasetSchema", "Decoded", "FiscalYear", "Issue", "KINDS", "LICENSES", "OpenDataError",
    "PREFECTURES", "Published", "Report", "Table", "WarekiError", "check_digit", "check_readability",
    "check_standard", "dataset", "datasets", "decode_bytes", "detect", "encode_text", "fiscal_year",
    "haversine_km", "is_valid_lgcode", "machine_dependent_chars", "nearest", "nfkc", "normalize_value",
    "parse_date", "parse_fiscal_year", "plot_points", "plot_pyramid", "population_to_long", "practice",
    "publish", "read_csv", "read_excel", "read_table", "repair_lgcode", "rule_catalogue", "rule_title", "scorecard",
    "to_iso", "to_wareki", "to_zenkaku_katakana", "unify_hyphens", "unify_tildes", "write_csv",
]
