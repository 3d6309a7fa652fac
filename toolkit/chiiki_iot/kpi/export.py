"""Write a :class:`~chiiki_iot.kpi.plan.Plan` to Word (python-docx) and Excel (openpyxl via pandas).

Use ``plan.to_docx(path)`` and ``plan.to_xlsx(path)``; these functions are what they call.

Word: title page lines, the 7 chapters with their text, the logic tree (outline
and picture) in chapter 4, projects and cost-effectiveness in chapter 6, the
KPI table in chapter 7, then the 11-stage checklist and the barrier
self-diagnosis as appendices.  Excel: one sheet per table.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from .errors import KPIError
from .plan import CHAPTER_HINTS, SOURCE

#: Sheet names of the Excel workbook, in order.
SHEETS = ("計画の概要", "ロジックツリー", "事業と費用対効果", "KPI", "進捗チェック", "壁の自己診断")


def _target(path: str | Path, suffix: str) -> Path:
    path = Path(path)
    if path.suffix.lower() != suffix:
        raise KPIError(f"保存先 {path.name} の拡張子を {suffix} にしてください。")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _cell(value) -> str:
    if value is None or value != value:  # None or NaN
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if not value.is_integer() else f"{int(value):,}"
    return str(value)


def _add_table(document, df) -> None:
    table = document.add_table(rows=1, cols=len(df.columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, df.columns):
        cell.text = str(name)
    for row in df.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = _cell(value)


def write_docx(plan, path: str | Path) -> Path:
    """Write ``plan`` as a .docx file and return the path."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm

    path = _target(path, ".docx")
    document = Document()
    for style in ("Normal", "Title", "Heading 1", "Heading 2"):
        fonts = document.styles[style].element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), "游ゴシック")  # Japanese font Word uses on municipal PCs
    document.add_heading(plan.title, level=0)
    if plan.period:
        document.add_paragraph(f"対象期間：{plan.period[0]}年度〜{plan.period[1]}年度")
    document.add_paragraph(f"策定主体：{plan.municipality}")

    for number, heading in enumerate(plan.headings(), start=1):
        document.add_heading(heading, level=1)
        text = plan.chapters.get(number) or f"（未記入）{CHAPTER_HINTS[number - 1]}"
        for paragraph in text.split("\n"):
            if paragraph.strip():
                document.add_paragraph(paragraph.strip())
        if number == 4 and plan.tree is not None:
            document.add_heading("ロジックツリー（将来像→問題・課題→施策）", level=2)
            for path_labels, node in plan.tree.walk():
                depth = len(path_labels) - 1
                role = f"【{node.role}】" if node.role else ""
                document.add_paragraph("　" * depth + ("・" if depth else "") + role + node.label)
            with tempfile.TemporaryDirectory() as tmp:
                picture = plan.tree.save_png(Path(tmp) / "tree.png", dpi=120)
                document.add_picture(str(picture), width=Cm(16))
            if getattr(plan.tree, "source", ""):
                document.add_paragraph(f"出典：{plan.tree.source}")
        if number == 6 and plan.projects:
            document.add_heading("事業一覧と費用対効果", level=2)
            _add_table(document, plan.project_table())
            for project in plan.projects:
                if project.cost is not None:
                    document.add_paragraph(project.cost.summary())
        if number == 7 and plan.indicators:
            document.add_heading("成果の評価指標（KPI）", level=2)
            _add_table(document, plan.kpi_table()[["分野", "指標", "単位", "基準値", "基準年", "目標値", "目標年",
                                                   "中間目標", "良い方向", "集計", "データの出所", "測定頻度"]])

    if plan.projects:
        document.add_heading("付録1　事業の進捗チェック（11段階）", level=1)
        checklist = plan.checklist().reset_index(names="事業")
        _add_table(document, checklist)
    if plan.barriers:
        document.add_heading("付録2　壁の自己診断（該当するもの）", level=1)
        table = plan.barrier_table()
        _add_table(document, table[table["該当"] == "●"][["記号", "段階", "分類", "壁", "自分たちの状況", "参考になる事例"]])
    document.add_paragraph(f"章立て・進捗の段階・壁の索引の出典：{SOURCE}")
    document.save(path)
    return path


def write_xlsx(plan, path: str | Path) -> Path:
    """Write ``plan``'s tables as a .xlsx workbook (one sheet per table) and return the path."""
    import pandas as pd
    from openpyxl.styles import Alignment, Font

    path = _target(path, ".xlsx")
    overview = pd.DataFrame(
        [{"項目": "計画名", "内容": plan.title}, {"項目": "団体", "内容": plan.municipality},
         {"項目": "対象期間", "内容": f"{plan.period[0]}〜{plan.period[1]}年度" if plan.period else ""}]
        + [{"項目": h, "内容": plan.chapters.get(i, "")} for i, h in enumerate(plan.headings(), start=1)]
        + [{"項目": "出典（章立て・段階・壁の索引）", "内容": SOURCE}]
    )
    if plan.tree is not None:
        rows = []
        for labels, node in plan.tree.walk():
            rows.append({"階層": len(labels), "役割": node.role or "", "ラベル": node.label, "上位": labels[-2] if len(labels) > 1 else ""})
        tree = pd.DataFrame(rows)
    else:
        tree = pd.DataFrame(columns=["階層", "役割", "ラベル", "上位"])
    sheets = {
        "計画の概要": overview,
        "ロジックツリー": tree,
        "事業と費用対効果": plan.project_table() if plan.projects else pd.DataFrame(columns=["事業", "内容", "対応する課題"]),
        "KPI": plan.kpi_table() if plan.indicators else pd.DataFrame(columns=["指標"]),
        "進捗チェック": plan.checklist().reset_index(names="事業"),
        "壁の自己診断": plan.barrier_table(),
    }
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name in SHEETS:
            df = sheets[name]
            df.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for column in sheet.columns:
                longest = max((len(str(c.value)) if c.value is not None else 0) for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(8, longest * 2 + 2), 60)
                for c in column:
                    c.alignment = Alignment(wrap_text=True, vertical="top")
    return path
