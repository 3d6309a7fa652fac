"""Check any CSV or Excel file against the machine-readability rules (L1-01 … L3-09).

Unlike :func:`chiiki_iot.opendata.check_standard`, this needs no schema: it is
for a learner's own file. It returns a :class:`~chiiki_iot.opendata.report.Report`
whose issues carry rule IDs; :func:`scorecard` turns it into a table of every
rule with its result. It changes nothing: every message says what to fix in
the file (です・ます).

>>> r = check_readability("地域,人口\\n本町,\\"1,200人\\"\\n,800\\n".encode("utf-8"))
>>> r.rules()
['L2-01', 'L3-08']
>>> print(r.filter(rule="L2-01").issues[0].message)
1,200人 は 1200 のように単位やカンマをつけずに書いてください。

Division of labour with :func:`~chiiki_iot.opendata.check_standard` (course
module 04 combines the two reports): ``check_standard`` checks a standard
dataset's schema and values; ``check_readability`` checks the file-level rules
of any file. 機種依存文字 (L1-08), choices written in several ways (L2-04) and
values left out because they repeat the row above (L2-02) are reported here
only. Where both look at the same flaw they give it the same rule ID: a 「○」
in a 1-or-blank column of a standard dataset is L2-04 in both.

Some rules need a person to judge (L1-11 formatting with meaning, L3-02 code
tables, L3-04 units, L3-07 changes between years, L2-05 「その他」 details);
:func:`scorecard` lists them as 「目視で確認」.
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from . import lgcode
from .consistency import check_sums
from .normalize import _NO, _YES, KINDS, machine_dependent_chars, nfkc, normalize_value, parse_number, \
    suspect_rows, to_zenkaku_katakana
from .reader import OpenDataError, Table, missing_file_error, read_csv, read_excel
from .report import Report, rule_catalogue, rule_title
from .schemas import DatasetSchema, detect, header_key, match_columns
from .wareki import is_wareki

NOT_AUTOMATED = ("L1-11", "L2-05", "L3-02", "L3-04", "L3-07")
_NOT_TABLE = {".pdf": "PDF", ".doc": "Word", ".docx": "Word", ".ppt": "PowerPoint", ".pptx": "PowerPoint",
              ".jpg": "画像", ".jpeg": "画像", ".png": "画像", ".html": "Webページ", ".htm": "Webページ"}
_CODE_KEYS = {header_key(k) for k in ("全国地方公共団体コード", "都道府県コード又は市区町村コード",
                                      "都道府県コード又は市町村コード", "所在地_全国地方公共団体コード", "市区町村コード")}


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:                    # e.g. a name too long to be a path
        return False


def _open(source) -> tuple[Table | None, Report]:
    report = Report()
    if isinstance(source, (str, Path)) and not _exists(Path(source)):
        raise missing_file_error(Path(source))          # the same error as read_csv: nothing to check
    suffix = Path(str(source)).suffix.lower() if isinstance(source, (str, Path)) else ""
    head = source[:8] if isinstance(source, (bytes, bytearray)) else (
        Path(source).read_bytes()[:8] if isinstance(source, (str, Path)) and Path(source).exists() else b"")
    if suffix in _NOT_TABLE or head.startswith(b"%PDF"):
        kind = _NOT_TABLE.get(suffix, "PDF")
        report.add("L1-01", f"{kind}は機械が直接読み取れる形式ではありません。CSVかExcel（.xlsx）で公開してください。",
                   severity="error")
        return None, report
    try:
        if suffix in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):
            table = read_excel(source)
            table.report.extend(_excel_objects(source))
        else:
            table = read_csv(source)
    except OpenDataError as e:
        report.add("L1-01", str(e), severity="error")
        return None, report
    return table, report


def _excel_objects(source) -> Report:
    import io

    import openpyxl

    data = Path(source).read_bytes() if isinstance(source, (str, Path)) else bytes(source)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    report = Report()
    for ws in wb.worksheets:
        n = len(getattr(ws, "_images", [])) + len(getattr(ws, "_charts", []))
        if n:
            report.add("L1-10", f"シート「{ws.title}」に画像やグラフなどのオブジェクトが{n}個あります。"
                       "必要な情報はセルに入力してください。", severity="warning")
    return report


def _canonical_choice(v: str) -> str:
    t = nfkc(v).strip()
    if t in _YES:
        return "有"
    if t in _NO:
        return "無"
    return to_zenkaku_katakana(t).lower()


_FLAG_WORDS = _YES | _NO                 # 有・無・あり・なし・○・×・1・0 …
_FLAG_RULES = {"flag": "「有」か「無」", "flag01": "対象なら 1、対象外なら空欄"}


def _is_flag_column(distinct: set[str]) -> bool:
    """Every value a yes/no mark and at least one not a digit (○ and 1): choices, not numbers."""
    canon = {nfkc(v).strip() for v in distinct}
    return bool(canon) and canon <= _FLAG_WORDS and any(not c.isdigit() for c in canon)


def _standard_flag_columns(columns) -> tuple[DatasetSchema | None, dict[str, str]]:
    """The standard dataset the headers belong to (if any) and its choice columns: ``{column: "flag" | "flag01"}``."""
    ds = detect(columns)
    if ds is None:
        return None, {}
    out = {}
    for col, (name, _how) in match_columns(columns, ds).items():
        spec = ds.field(name)
        if spec is not None and spec.kind in _FLAG_RULES:
            out[col] = spec.kind
    return ds, out


def _number_advice(value: str, number: str, problems: tuple[str, ...]) -> str:
    """What to write instead (L2-01), e.g. ``1,200人 は 1200 のように単位やカンマをつけずに書いてください。``"""
    without = [w for p, w in (("unit", "単位"), ("comma", "カンマ"), ("zeros", "小数点以下の0")) if p in problems]
    parts = [f"{'や'.join(without)}をつけず"] if without else []
    if "spaces" in problems:
        parts.append("空白を入れず")
    if "fullwidth" in problems:
        parts.append("半角の数字で")
    how = "、".join(parts)
    return f"{value} は {number} のように{how}{'に' if how.endswith('ず') else ''}書いてください。"


def _looks_numeric(values: list[str]) -> bool:
    filled = [v for v in values if v.strip()][:500]          # a sample is enough to judge the column
    if len(filled) < 2:
        return False
    ok = sum(1 for v in filled if normalize_value(v, "number").value not in (None, ""))
    return ok / len(filled) >= 0.6


_DASH = r"[-‐－―~〜～]"
_WIDE_DIMENSIONS = (                      # (placeholder, pattern) in this order, on the NFKC header
    ("{年齢}", re.compile(rf"\d+\s*{_DASH}\s*\d+\s*歳|\d+\s*歳(?:以上|未満|以下)?|年齢不詳")),
    ("{年}", re.compile(r"(?<!\d)(?:1[89]|20)\d{2}(?:\s*年度?|(?=[/.\-]\d)|$)|(?:令和|平成|昭和|[RHS])\s*(?:\d{1,2}|元)\s*年度?")),
    ("{月}", re.compile(r"(?:(?<=[年/.\-])|(?<!\d))(?:1[0-2]|0?[1-9])\s*月|(?<=[/.\-])(?:1[0-2]|0?[1-9])$")),
    ("{性別}", re.compile(r"男性|女性|男|女")),
)


def _wide_template(column: str) -> str:
    """The header with its years, age groups, months and sexes replaced by placeholders (「{年齢}の{性別}」)."""
    text = nfkc(str(column)).strip()
    for placeholder, pattern in _WIDE_DIMENSIONS:
        text = pattern.sub(placeholder, text)
    return text


def _wide_groups(columns) -> list[list[str]]:
    """Groups of columns that spread one variable across the header (横持ち, rule L3-09).

    Columns whose headers differ only in a year, an age group or a month (「2020年度」「2021年度」,
    「0-14歳」「65歳以上」, 「0-4歳の男性」「0-4歳の女性」…) form a group as soon as there are two of them.
    Sexes alone are not a wide layout: the standard datasets themselves define 男性 / 女性 columns
    (総人口・男性・女性, 男性トイレ総数・女性トイレ総数). Other numbered families (「施設1」…「施設4」)
    count from four columns on.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    numbered: dict[str, list[str]] = defaultdict(list)
    for c in columns:
        template = _wide_template(c)
        if any(p in template for p in ("{年齢}", "{年}", "{月}")):
            groups[template].append(c)
            continue
        key = re.sub(r"\d+", "#", nfkc(str(c)))
        if "#" in key:
            numbered[key].append(c)
    # 「0-4歳の男性」「0-4歳の女性」 and 「2020年」「2021年」 are one group each: merge groups whose
    # templates differ only in the sex
    merged: dict[str, list[str]] = defaultdict(list)
    for template, cols in groups.items():
        merged[template.replace("{性別}", "")].extend(cols)
    sexless = _WIDE_DIMENSIONS[-1][1]
    # at least two different years / age groups / months (「65歳以上男」「65歳以上女」 differ only in the sex)
    out = [g for g in merged.values() if len({sexless.sub("", nfkc(str(c)).strip()) for c in g}) >= 2]
    out += [g for g in numbered.values() if len(g) >= 4]
    return out


def check_table(table: Table) -> Report:
    """Content checks on an already-read :class:`Table` (added to a copy of its report).

    Blank rows and note rows (:meth:`~chiiki_iot.opendata.reader.Table.non_data_rows`,
    reported by the reader as L1-03/L1-04) are not records: none of their cells is checked.
    """
    report = Report(table.report)
    df = table.df
    first = table.header_row + 1
    skip = table.non_data_rows()
    ds, flag_kinds = _standard_flag_columns(df.columns)

    def add(rule, message, severity, i, col, value=None, fixed=None):
        report.add(rule, message, severity=severity, row=i, file_row=first + i, column=col, value=value, fixed=fixed)

    for col in df.columns:
        values = df[col].astype(str).tolist()
        for i in skip:                      # cells of blank and note rows are not data: check them as empty
            values[i] = ""
        for i in suspect_rows(values, KINDS["text"].pattern):
            v = values[i]
            if not v.strip(" \t\u3000\r\n"):
                continue
            if "\n" in v or "\r" in v:
                add("L1-14", "セルの中に改行があります。1行にまとめてください。", "warning", i, col, v)
            if v != v.strip(" \t\u3000\r\n"):
                add("L1-06", "値の前後に空白や改行があります。取り除いてください。", "warning", i, col, v)
        joined = "\n".join(values)
        if machine_dependent_chars(joined):
            for i, v in enumerate(values):
                bad = machine_dependent_chars(v)
                if bad:
                    add("L1-08", f"機種依存文字（{''.join(dict.fromkeys(bad))}）があります。", "warning", i, col, v)
        # codes
        if header_key(col) in _CODE_KEYS:
            for i, v in enumerate(values):
                r = lgcode.repair_lgcode(v)
                if r.status == "fixed":
                    add("L3-06", r.problem + "検査数字を含む6桁の文字列で書いてください。", "warning", i, col, v, r.code)
                elif r.status == "error":
                    add("L3-06", r.message, "error", i, col, v)
            continue
        filled = [(i, v) for i, v in enumerate(values) if v.strip()]
        # choice columns of a standard dataset: the definition says how to write them (the same rule as check_standard)
        if col in flag_kinds:
            kind = flag_kinds[col]
            for i, v in filled:
                fixed = normalize_value(v, kind)
                for rule, severity, message in fixed.notes:
                    if rule != "L2-04":
                        continue
                    if severity == "error":
                        add("L2-04", message, "error", i, col, v)
                    else:
                        to = f"「{fixed.value}」にそろえてください" if fixed.value else "空欄にしてください"
                        add("L2-04", f"「{v.strip()}」は「{ds.name}」の定義の書き方ではありません（{_FLAG_RULES[kind]}）。"
                            f"{to}。", "warning", i, col, v, fixed.value)
            continue
        # dates written in 和暦
        if any(ch in joined for ch in "令平昭大明RHS") or re.search(r"[rhs]\d", joined):
            for i, v in filled:
                if is_wareki(v):
                    add("L3-05", "和暦で書かれています。西暦（例 2023-04-01）で書くか、西暦を併記してください。", "warning", i, col, v)
        distinct = {v for _, v in filled}
        # numbers (a column of yes/no marks such as 1 and ○ holds choices, not numbers)
        flag_column = _is_flag_column(distinct)
        numeric = not flag_column and _looks_numeric(values)
        if numeric:
            for i, v in filled:
                fixed = normalize_value(v, "number")
                for rule, severity, message in fixed.notes:
                    if rule == "L2-01" and severity == "fixed":
                        s = v.strip()
                        add(rule, _number_advice(s, fixed.value, parse_number(s)[1]), "warning", i, col, v, fixed.value)
                    elif rule in ("L2-01", "L3-03"):
                        add(rule, message, severity, i, col, v, fixed.value)
            zero = any(v.strip() == "0" for _, v in filled)
            if zero and len(filled) + len(skip) < len(values):
                report.add("L1-09", f"列「{col}」に空欄と0が混在しています。空欄は「値がない」、0は「ゼロ」の意味になっているか確かめてください。",
                           severity="warning", column=col)
        # choices written in several ways
        digits = sum(1 for v in distinct if re.search(r"[0-9０-９]", v))
        if 1 < len(distinct) <= 12 and len(filled) >= 3 and not numeric and (flag_column or digits <= len(distinct) / 2):
            by_canon: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
            for i, v in filled:
                by_canon[_canonical_choice(v)][v].append(i)
            for canon, spellings in by_canon.items():
                if len(spellings) > 1:
                    main = max(spellings, key=lambda s: len(spellings[s]))
                    for s, rows in spellings.items():
                        if s != main:
                            for i in rows:
                                add("L2-04", f"選択肢の表記がそろっていません（「{s}」と「{main}」）。どちらかにそろえてください。",
                                    "warning", i, col, s)
        # repeats left out (only the first row of a group written)
        flaglike = {nfkc(v).strip() for v in distinct} <= _FLAG_WORDS
        n_rows = len(values) - len(skip)
        if distinct and not flaglike and len(distinct) <= max(1, n_rows // 3) and 0 < n_rows - len(filled) < 0.5 * n_rows:
            blanks = [i for i, v in enumerate(values) if not v.strip() and i not in skip]
            for i in blanks:
                prev = next((values[j] for j in range(i - 1, -1, -1) if j not in skip), "")
                if prev.strip():
                    add("L2-02", f"空欄です。上の行と同じ値（{prev}）を省略していませんか。すべての行に入力してください。",
                        "warning", i, col)
    for group in _wide_groups(df.columns):
        report.add("L3-09", f"{group[0]} など{len(group)}個の列が横に並ぶ横持ちの表です。"
                   "分析には1つの観測を1行にする縦持ちが向きます（例: chiiki_iot.opendata.population_to_long）。",
                   severity="info", column=group[0])
    # parts against totals where a standard dataset defines them (男性 + 女性 = 総人口 …; the same rule as check_standard)
    if ds is not None and ds.sums:
        names = {col: name for col, (name, _how) in match_columns(df.columns, ds).items()}
        report.extend(check_sums(df.rename(columns=names), ds, skip_rows=skip, first_row=first))
    return report


def check_readability(source) -> Report:
    """Check a file (path or bytes; CSV, TSV or xlsx) against the machine-readability rules; return the findings.

    This is the file-level check, for any file: layout (L1-xx, L3-01, L3-09), 機種依存文字
    (L1-08), choices written in several ways (L2-04), values left out because they repeat
    the row above (L2-02), numbers with units or commas (L2-01), 和暦 (L3-05), codes
    (L3-06) and, in a standard dataset's layout, parts against totals (SUM-01: 男性 + 女性 =
    総人口 …). It reports only and changes nothing: each message says what to fix in the file.

    :func:`~chiiki_iot.opendata.check_standard` is the other half: a standard dataset's
    schema and values (headers, each defined column normalised and validated; STD-01 …).
    L1-08, L2-02 and choice variants outside a dataset's defined choice columns are found
    here only, so combine both reports to report every flaw. A flaw both can see has one
    rule ID in both (a 「○」 in a 1-or-blank column of a standard dataset is L2-04).

    Raises :class:`~chiiki_iot.opendata.OpenDataError` when the path does not exist, like
    :func:`~chiiki_iot.opendata.read_csv`; a PDF, Word file or image is finding L1-01.
    """
    table, report = _open(source)
    if table is None:
        return report
    return report.extend(check_table(table))


def scorecard(report: Report):
    """Every machine-readability rule with its result for ``report`` (a DataFrame for notebooks)."""
    import pandas as pd

    rows = []
    for rule in rule_catalogue():
        if not rule.startswith("L"):
            continue
        found = report.filter(rule=rule)
        errors = sum(1 for i in found if i.severity == "error")
        warnings = sum(1 for i in found if i.severity in ("warning", "fixed"))
        if rule in NOT_AUTOMATED:
            result = "目視で確認"
        elif errors:
            result = "エラー"
        elif warnings:
            result = "要確認"
        else:
            result = "問題なし"
        rows.append({"ルール": rule, "名称": rule_title(rule), "結果": result, "件数": errors + warnings})
    return pd.DataFrame(rows)


__all__ = ["check_readability", "check_table", "scorecard", "NOT_AUTOMATED"]
