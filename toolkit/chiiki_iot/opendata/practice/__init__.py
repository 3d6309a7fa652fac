"""Practice files: made-up municipal open data with every flaw the course teaches.

Everything here is **made up** (架空): the municipality 「栃木県架空市」 uses the
code 099996, which has a valid check digit but belongs to no real municipality;
phone numbers use the unused 028-000 exchange and URLs the reserved example.jp.
Every file says so in its ``.meta.yml`` sidecar and in its 備考 column.

The clean sources (``*_clean.csv`` in this package's folder) are the only hand-made files. Each
variant (another encoding, or one or more flaws) is derived from one clean
source by :func:`build`, reproducibly. :class:`Variant` knows which issues
the reader and the checks must report for it (:meth:`Variant.expected`).

>>> [v.name for v in variants()][:4]
['events_utf8_bom', 'events_cp932', 'events_utf16', 'events_flaw_lost_leading_zero']
>>> t = load("events_cp932")          # a Table, read with chiiki_iot.opendata.read_csv
>>> t.encoding, len(t.df)
('cp932', 24)
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import jaconv

from ...data import read_meta, write_meta
from ..encoding import encode_text
from ..schemas import dataset as get_dataset
from ..wareki import to_wareki

HERE = Path(__file__).parent          # the practice files live beside this module (package data)
MADE_UP = "練習用の架空データです。実在の施設・行事ではありません。"
CODE = "全国地方公共団体コード"


@dataclass(frozen=True)
class Expect:
    """An issue a variant must produce: ``rule`` at DataFrame row ``row`` (None = anywhere) in one of ``columns``."""

    rule: str
    row: int | None = None
    columns: tuple[str, ...] | None = None

    def found_in(self, issues) -> bool:
        return any(i.rule == self.rule and (self.row is None or i.row == self.row)
                   and (self.columns is None or i.column in self.columns) for i in issues)


Cell = tuple[int, str, "str | Callable[[str], str]"]


@dataclass(frozen=True)
class Flaw:
    """One flaw: cell edits (row, column, new value or function of the clean value) and what must be reported.

    ``fixable``: after :func:`chiiki_iot.opendata.check_standard` the edited cells equal the clean ones.
    """

    name: str
    title: str
    cells: tuple[Cell, ...] = ()
    expect: tuple[Expect, ...] = ()
    header: Callable[[list[str], list[list[str]]], None] | None = None
    text: Callable[[str], str] | None = None
    extra_rows: int = 0
    fixable: bool = True


# -- value helpers (each derives the flawed text from the clean value) ----------------------------

def _wareki(v: str) -> str:
    return to_wareki(date.fromisoformat(v))


def _wareki_short(v: str) -> str:
    return to_wareki(date.fromisoformat(v), style="short")


_KANJI = "〇一二三四五六七八九"


def _kanji_num(n: int) -> str:
    if n < 10:
        return _KANJI[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _KANJI[tens]) + "十" + ("" if ones == 0 else _KANJI[ones])


def _wareki_kanji(v: str) -> str:
    d = date.fromisoformat(v)
    era_text = to_wareki(d)
    era, year = era_text[:2], d.year - {"令和": 2018, "平成": 1988, "昭和": 1925}[era_text[:2]]
    return f"{era}{'元' if year == 1 else _kanji_num(year)}年{_kanji_num(d.month)}月{_kanji_num(d.day)}日"


def _with_weekday(v: str) -> str:
    d = date.fromisoformat(v)
    return f"{_wareki(v)}({'月火水木金土日'[d.weekday()]})"


def _zenkaku(v: str) -> str:
    return jaconv.h2z(v, kana=False, ascii=True, digit=True)


def _choonpu(v: str) -> str:
    return v.replace("-", "ー", 1).replace("-", "−")


def _jtime(v: str) -> str:
    h, m = v.split(":")
    return f"{int(h)}時" + (f"{int(m)}分" if int(m) else "")


def _dms(v: str) -> str:
    x = float(v)
    deg = int(x)
    minutes = int((x - deg) * 60)
    sec = (x - deg - minutes / 60) * 3600
    return f"{deg}度{minutes}分{sec:.4f}秒"


def _old_headers(header: list[str], rows: list[list[str]]) -> None:
    """Old (推奨データセット) headers: first alias of each field; 地方公共団体名 split into 都道府県名 + 市区町村名."""
    ds = None
    for name in ("イベント一覧", "AED設置箇所一覧", "地域・年齢別人口", "指定緊急避難場所一覧"):
        d = get_dataset(name)
        if set(d.columns) >= {c for c in header if not c.endswith(("の男性", "の女性"))}:
            ds = d
            break
    for i, col in enumerate(list(header)):
        spec = ds.field(col) if ds and col != "地方公共団体名" else None
        if spec and spec.aliases:
            header[i] = spec.aliases[0]
    if "地方公共団体名" in header:
        k = header.index("地方公共団体名")
        header[k:k + 1] = ["都道府県名", "市区町村名"]
        for r in rows:
            name = r[k]
            pref = name[:3] if name[:3].endswith(("県", "府", "都", "道")) else name[:4] if name else ""
            r[k:k + 1] = [pref, name[len(pref):]] if name else ["", ""]


def _title_rows(text: str) -> str:
    return "令和5年度 イベント一覧（練習用の架空データ）\r\n\r\n" + text


def _trailing_rows(text: str) -> str:
    return text + "\r\n※この表は練習用の架空データです。\r\n"


def _unquote_comma(text: str) -> str:
    return text.replace('"架空市民会館,大ホール"', "架空市民会館,大ホール")


def _population_title(text: str) -> str:
    return "地域・年齢別人口（令和5年4月1日現在・練習用の架空データ）\r\n" + text


def _population_note(text: str) -> str:
    return text + "※人口は住民基本台帳によります（架空）。\r\n"


EVENT_FLAWS: tuple[Flaw, ...] = (
    Flaw("lost_leading_zero", "全国地方公共団体コードの先頭の0が落ちている（Excelで数値になった）",
         ((0, CODE, "99996"),), (Expect("L3-06", 0, (CODE,)),)),
    Flaw("missing_check_digit", "全国地方公共団体コードが5桁（検査数字がない）",
         ((1, CODE, "09999"),), (Expect("L3-06", 1, (CODE,)),)),
    Flaw("wrong_check_digit", "全国地方公共団体コードの検査数字が違う",
         ((2, CODE, "099990"),), (Expect("L3-06", 2, (CODE,)),), fixable=False),
    Flaw("wareki_dates", "日付が和暦（令和5年5月7日、R5.5.7）",
         ((3, "開始日", _wareki), (3, "終了日", _wareki_short)),
         (Expect("L3-05", 3, ("開始日",)), Expect("L3-05", 3, ("終了日",)))),
    Flaw("wareki_kanji", "和暦の漢数字と曜日つき（令和五年五月十日、令和5年5月10日(水)）",
         ((4, "開始日", _wareki_kanji), (4, "終了日", _with_weekday)),
         (Expect("L3-05", 4, ("開始日",)), Expect("L3-05", 4, ("終了日",)))),
    Flaw("impossible_era_date", "元号の期間にない日付（平成31年5月1日）",
         ((5, "開始日", "平成31年5月1日"),), (Expect("L3-05", 5, ("開始日",)),), fixable=False),
    Flaw("fullwidth_digits", "全角の数字（電話番号・定員）",
         ((6, "連絡先電話番号", _zenkaku), (6, "定員", _zenkaku)),
         (Expect("STD-04", 6, ("連絡先電話番号",)), Expect("L2-01", 6, ("定員",)))),
    Flaw("hyphen_lookalikes", "ハイフンの代わりに長音「ー」やマイナス「−」",
         ((7, "連絡先電話番号", _choonpu),), (Expect("STD-04", 7, ("連絡先電話番号",)),)),
    Flaw("halfwidth_kana", "カナの列が半角カナ",
         ((8, "イベント名_カナ", lambda v: jaconv.z2h(v, kana=True, ascii=False, digit=False)),),
         (Expect("STD-04", 8, ("イベント名_カナ",)),)),
    Flaw("hiragana_kana", "カナの列がひらがな",
         ((9, "イベント名_カナ", jaconv.kata2hira),), (Expect("STD-04", 9, ("イベント名_カナ",)),)),
    Flaw("time_formats", "時刻が「10時」や全角「１５：００」",
         ((10, "開始時間", _jtime), (10, "終了時間", _zenkaku)),
         (Expect("STD-04", 10, ("開始時間",)), Expect("STD-04", 10, ("終了時間",)))),
    Flaw("units_commas", "数値に単位と桁区切りのカンマ（1,200人）",
         ((11, "定員", lambda v: f"{int(v):,}人"),), (Expect("L2-01", 11, ("定員",)),)),
    Flaw("special_symbol", "数値の列に記号（－）",
         ((12, "定員", "－"),), (Expect("L3-03", 12, ("定員",)),), fixable=False),
    Flaw("cosmetic_spaces", "見た目を整えるための空白（全角スペース）",
         ((13, "イベント名", lambda v: f"\u3000{v}\u3000"),), (Expect("L1-06", 13, ("イベント名",)),)),
    Flaw("machine_dependent", "機種依存文字（㈱）",
         ((14, "主催者", lambda v: "㈱架空観光"),), (Expect("L1-08", 14, ("主催者",)),), fixable=False),
    Flaw("embedded_newline", "セルの中の改行",
         ((15, "説明", lambda v: v + "\n駐車場は台数に限りがあります。"),), (Expect("L1-14", 15, ("説明",)),),
         fixable=False),
    Flaw("choice_variants", "選択肢の表記ゆれ（有 と あり）",
         ((16, "駐車場情報", lambda v: "あり" if v == "有" else "なし"),), (Expect("L2-04", 16, ("駐車場情報",)),),
         fixable=False),
    Flaw("unquoted_comma", "カンマを含む値が引用符で囲まれていない",
         ((17, "場所名称", "架空市民会館,大ホール"),), (Expect("L1-15", 17),), text=_unquote_comma, fixable=False),
    Flaw("dms_coordinates", "緯度が度分秒（36度30分…秒）",
         ((18, "緯度", _dms),), (Expect("STD-04", 18, ("緯度",)),)),
    Flaw("swapped_coordinates", "緯度と経度が入れ替わっている",
         ((19, "緯度", lambda v: "139.901000"), (19, "経度", lambda v: "36.501000")),
         (Expect("STD-08", 19, ("緯度",)), Expect("STD-08", 19, ("経度",))), fixable=False),
    Flaw("duplicate_id", "IDが重複している",
         ((20, "ID", "E022"),), (Expect("STD-05", 20, ("ID",)), Expect("STD-05", 21, ("ID",))), fixable=False),
    Flaw("blank_required", "必須項目（イベント名）が空欄",
         ((22, "イベント名", ""),), (Expect("STD-03", 22, ("イベント名",)),), fixable=False),
    Flaw("omitted_repeat", "上の行と同じ値を省略した（地方公共団体名が空欄）",
         ((23, "地方公共団体名", ""),),
         (Expect("L2-02", 23, ("地方公共団体名", "都道府県名", "市区町村名")),
          Expect("STD-03", 23, ("地方公共団体名",))), fixable=False),
    Flaw("title_rows", "1行目が表題で、項目名が3行目から", text=_title_rows, expect=(Expect("L3-01"),)),
    Flaw("trailing_rows", "表の後ろに空白行と注記の行", text=_trailing_rows, extra_rows=2,
         expect=(Expect("L1-03", 24), Expect("L1-04", 25))),
    Flaw("old_headers", "旧形式（推奨データセット）の項目名", header=_old_headers, expect=(Expect("STD-02"),)),
)


@dataclass(frozen=True)
class Variant:
    """One practice file derived from a clean source."""

    name: str
    source: str                  # clean source stem, e.g. "events_clean"
    filename: str
    encoding: str = "utf-8"
    bom: bool = False
    sep: str = ","
    flaws: tuple[Flaw, ...] = ()
    title: str = ""

    @property
    def path(self) -> Path:
        return HERE / self.filename

    @property
    def dataset(self) -> str:
        return {"events": "イベント一覧", "aed": "AED設置箇所一覧", "evacuation": "指定緊急避難場所一覧",
                "population": "地域・年齢別人口"}[self.source.split("_")[0]]

    @property
    def rows(self) -> int:
        """Number of DataFrame rows the reader must return (data rows plus reported extra rows)."""
        return len(_read_clean(self.source)[1]) + sum(f.extra_rows for f in self.flaws)

    def expected(self) -> list[Expect]:
        """Issues that must be reported for this file (by the reader, check_standard or check_readability)."""
        out = [Expect("L3-08")]
        for f in self.flaws:
            out.extend(f.expect)
        return out

    def render(self) -> bytes:
        """The file's bytes, derived from the clean source."""
        header, rows = _read_clean(self.source)
        header, rows = list(header), [list(r) for r in rows]
        for f in self.flaws:
            for r, col, new in f.cells:
                k = header.index(col)
                rows[r][k] = new(rows[r][k]) if callable(new) else new
        for f in self.flaws:
            if f.header:
                f.header(header, rows)
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=self.sep, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)
        text = buf.getvalue()
        for f in self.flaws:
            if f.text:
                text = f.text(text)
        return encode_text(text, self.encoding, self.bom)

    def meta(self) -> dict:
        return {
            "title": self.title or f"{self.dataset}（練習用）",
            "source": "練習用の架空データ（chiiki_iot.opendata.practice で生成）",
            "synthetic": True,
            "notes": MADE_UP,
            "dataset": self.dataset,
            "derived_from": f"{self.source}.csv",
            "encoding": {"utf-8": "UTF-8", "cp932": "cp932（Shift_JIS）", "utf-16": "UTF-16LE"}[self.encoding],
            "bom": self.bom,
            "separator": "tab" if self.sep == "\t" else "comma",
            "flaws": [{"name": f.name, "title": f.title} for f in self.flaws],
            "rows": self.rows,
        }


def _read_clean(stem: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO((HERE / f"{stem}.csv").read_text(encoding="utf-8"))))
    return rows[0], rows[1:]


_POPULATION_OLD = (
    Flaw("title_rows", "1行目が表題", text=_population_title, expect=(Expect("L3-01"),)),
    Flaw("old_headers", "旧形式の項目名（都道府県名・市区町村名など）", header=_old_headers, expect=(Expect("STD-02"),)),
    Flaw("lost_leading_zero", "全国地方公共団体コードの先頭の0が落ちている",
         tuple((r, CODE, "99996") for r in range(6)), (Expect("L3-06", 0, (CODE,)),)),
    Flaw("wareki_dates", "調査年月日が和暦", tuple((r, "調査年月日", _wareki) for r in range(6)),
         (Expect("L3-05", 0, ("調査年月日",)),)),
    Flaw("units_commas", "総人口に桁区切りのカンマ", tuple((r, "総人口", lambda v: f"{int(v):,}") for r in range(6)),
         (Expect("L2-01", 0, ("総人口",)),)),
    Flaw("trailing_note", "表の後ろに注記の行", text=_population_note, extra_rows=1, expect=(Expect("L1-04", 6),)),
    Flaw("wide_format", "年齢階級が列に並ぶ横持ち（定義どおりだが、分析には縦持ちが向く）", expect=(Expect("L3-09"),)),
)


def variants() -> list[Variant]:
    """Every practice file (except the clean sources), in a stable order."""
    out = [
        Variant("events_utf8_bom", "events_clean", "events_utf8_bom.csv", "utf-8", True, title="イベント一覧（UTF-8 BOMあり）"),
        Variant("events_cp932", "events_clean", "events_cp932.csv", "cp932", title="イベント一覧（cp932）"),
        Variant("events_utf16", "events_clean", "events_utf16.txt", "utf-16", True, "\t",
                title="イベント一覧（UTF-16 タブ区切り、Excelの「Unicode テキスト」）"),
    ]
    for f in EVENT_FLAWS:
        out.append(Variant(f"events_flaw_{f.name}", "events_clean", f"events_flaw_{f.name}.csv", "cp932",
                           flaws=(f,), title=f"イベント一覧（{f.title}）"))
    out.append(Variant("events_all_flaws", "events_clean", "events_all_flaws.csv", "cp932", flaws=EVENT_FLAWS,
                       title="イベント一覧（教える不具合をすべて含む）"))
    aed_old = (Flaw("old_headers", "旧形式の項目名", header=_old_headers, expect=(Expect("STD-02"),)),
               Flaw("lost_leading_zero", "全国地方公共団体コードの先頭の0が落ちている",
                    tuple((r, CODE, "99996") for r in range(12)), (Expect("L3-06", 0, (CODE,)),)))
    out.append(Variant("aed_old_format_cp932", "aed_clean", "aed_old_format_cp932.csv", "cp932", flaws=aed_old,
                       title="AED設置箇所一覧（旧形式・cp932）"))
    evac = (Flaw("flag_variants", "災害種別の印が「○」", ((0, "災害種別_地震", "○"), (1, "災害種別_地震", "○")),
                 (Expect("L2-04", 0, ("災害種別_地震",)),)),
            Flaw("units_commas", "想定収容人数に単位とカンマ", ((8, "想定収容人数", lambda v: f"{int(v):,}人"),),
                 (Expect("L2-01", 8, ("想定収容人数",)),)))
    out.append(Variant("evacuation_flawed_utf8_bom", "evacuation_clean", "evacuation_flawed_utf8_bom.csv", "utf-8", True,
                       flaws=evac, title="指定緊急避難場所一覧（表記ゆれ・UTF-8 BOMあり）"))
    out.append(Variant("population_old_format_cp932", "population_clean", "population_old_format_cp932.csv", "cp932",
                       flaws=_POPULATION_OLD, title="地域・年齢別人口（旧形式・和暦・cp932）"))
    return out


def variant(name: str) -> Variant:
    for v in variants():
        if v.name == name:
            return v
    raise KeyError(f"練習ファイル「{name}」はありません。使えるもの: {', '.join(names())}")


def names() -> list[str]:
    """Names of every practice file (clean sources first)."""
    return sorted(p.name[: -len(".meta.yml")] for p in HERE.glob("*.meta.yml"))


def path(name: str) -> Path:
    """Path of practice file ``name`` (e.g. ``"events_cp932"`` or ``"events_clean"``)."""
    for p in HERE.iterdir():
        if p.stem == name and not p.name.endswith(".yml"):
            return p
    raise KeyError(f"練習ファイル「{name}」はありません。使えるもの: {', '.join(names())}")


def info(name: str) -> dict:
    """The ``.meta.yml`` sidecar of practice file ``name``."""
    return read_meta(path(name))


def load(name: str):
    """Read practice file ``name`` with :func:`chiiki_iot.opendata.read_csv` (returns a Table)."""
    from ..reader import read_csv

    return read_csv(path(name))


def _clean_meta(stem: str) -> dict:
    ds = Variant("x", stem, f"{stem}.csv").dataset
    return {"title": f"{ds}（練習用・正しい形）", "source": "練習用の架空データ（手で作成した元データ）", "synthetic": True,
            "notes": MADE_UP, "dataset": ds, "encoding": "UTF-8", "bom": False, "separator": "comma", "flaws": [],
            "rows": len(_read_clean(stem)[1])}


def build(out_dir: str | Path | None = None) -> list[Path]:
    """Write every variant and every ``.meta.yml`` into ``out_dir`` (default: the package's practice folder)."""
    out = Path(out_dir) if out_dir else HERE
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem in sorted(p.stem for p in HERE.glob("*_clean.csv")):
        if out != HERE:
            (out / f"{stem}.csv").write_bytes((HERE / f"{stem}.csv").read_bytes())
        write_meta(out / f"{stem}.csv", _clean_meta(stem))
        written.append(out / f"{stem}.csv")
    for v in variants():
        (out / v.filename).write_bytes(v.render())
        write_meta(out / v.filename, v.meta())
        written.append(out / v.filename)
    return written


def write_excel(dest: str | Path) -> Path:
    """Write a flawed Excel workbook (made-up AED list) for the Excel lesson; returns its path.

    Flaws: a merged title cell (L1-12, L3-01), codes stored as numbers (L3-06 after
    checking), a hidden row (L1-13), a formula (L2-06), a second sheet with notes (L1-02).
    xlsx files are not shipped as package data, so the workbook is made on demand.
    """
    import openpyxl

    header, rows = _read_clean("aed_clean")
    wb = openpyxl.Workbook()
    wb.properties.creator = "chiiki_iot"
    ws = wb.active
    ws.title = "AED一覧"
    ws.append(["AED設置箇所一覧（練習用の架空データ）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    ws.append([])
    ws.append(header)
    for r in rows:
        values = list(r)
        values[header.index(CODE)] = int(r[header.index(CODE)])   # Excel drops the leading zero
        values[header.index("緯度")] = float(r[header.index("緯度")])
        values[header.index("経度")] = float(r[header.index("経度")])
        ws.append(values)
    ws.row_dimensions[6].hidden = True
    ws.append(["合計", f"=COUNTA(B4:B{3 + len(rows)})"])
    notes = wb.create_sheet("注記")
    notes.append(["このファイルは練習用の架空データです。"])
    dest = Path(dest)
    wb.save(dest)
    return dest
