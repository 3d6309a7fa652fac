"""The trainer's class workflow through ``chiiki-iot class ...``, on a real nbgrader gradebook.

setup (from a courses/ folder) → roster (CP932 / BOM CSV) → learners submit → autograde
(parallel, sandboxed) → feedback → export (CSV + .xlsx, per learner / module / objective)
→ progress (table + chart), and the roster's bad-input errors in Japanese.
"""
from __future__ import annotations

import csv
import shutil

import nbformat
import pytest
from openpyxl import load_workbook

from chiiki_iot.classroom.classroom_course import ClassCourse
from chiiki_iot.classroom.roster import RosterError, read_roster
from chiiki_iot.cli import main
from class_helpers import ASSIGNMENT, MODULE, NOTEBOOK, place, typical_answers, with_answers

@pytest.fixture(scope="module")
def courses_dir(tmp_path_factory):
    """A courses/ folder with the exemplar module as it is (its notebook's objective_map says which
    question serves which learning objective)."""
    root = tmp_path_factory.mktemp("curriculum") / "courses"
    shutil.copytree(MODULE.path, root / MODULE.course / MODULE.name)
    return root


def write_roster(path, rows, encoding):
    path.write_bytes("\n".join(",".join(r) for r in rows).encode(encoding) + b"\n")
    return path


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory, courses_dir):
    base = tmp_path_factory.mktemp("workflow")
    folder = base / "class2026"
    assert main(["class", "setup", str(folder), "--courses", str(courses_dir), "--timeout", "20"]) == 0
    roster = write_roster(base / "meibo.csv", [["ID", "姓", "名", "メール"], ["tanaka", "田中", "花子", "t@example.jp"],
                                               ["suzuki", "鈴木", "一郎", ""], ["sato", "佐藤", "次郎", ""],
                                               ["yamada", "山田", "三子", ""]], "cp932")
    assert main(["class", "roster", str(roster), "--course", str(folder)]) == 0
    course = ClassCourse.open(folder)
    place(course, "tanaka", with_answers(course))
    place(course, "suzuki", with_answers(course, **typical_answers()))
    place(course, "sato", nbformat.read(course.root / "release" / ASSIGNMENT / NOTEBOOK, as_version=4))
    # yamada does not submit
    assert main(["class", "autograde", ASSIGNMENT, "--course", str(folder), "--workers", "2", "--allow-root"]) == 0
    assert main(["class", "feedback", ASSIGNMENT, "--no-release", "--course", str(folder)]) == 0
    assert main(["class", "export", "--course", str(folder)]) == 0
    assert main(["class", "progress", "--course", str(folder)]) == 0
    return course


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must carry a BOM so Excel reads the Japanese"
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


def test_roster_from_cp932_is_in_the_gradebook(graded_class):
    names = {lr.id: lr.display_name for lr in graded_class.learners()}
    assert names == {"tanaka": "田中 花子", "suzuki": "鈴木 一郎", "sato": "佐藤 次郎", "yamada": "山田 三子"}


def test_export_per_learner(graded_class):
    rows = read_csv(graded_class.root / "exports" / "grades_by_learner.csv")
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    assert header[:2] == ["学習者ID", "氏名"] and "合計" in header
    col = 2
    perfect_auto = graded_class.scores(ASSIGNMENT, "tanaka").max_auto_score
    assert float(body["tanaka"][col]) == perfect_auto, "manual task not graded yet: total is the autograded part"
    assert 0 < float(body["suzuki"][col]) < perfect_auto
    assert float(body["sato"][col]) == 0
    assert body["yamada"][col] == "未提出" and body["yamada"][-1] == "0"


def test_export_per_module(graded_class):
    rows = read_csv(graded_class.root / "exports" / "grades_by_module.csv")
    row = dict(zip(rows[0], rows[1]))
    assert row["課題"] == ASSIGNMENT and row["提出数"] == "3"
    assert row["手動採点待ち"] == "2", "the rubric task waits for the trainer (blank answers need no grading)"


def test_export_per_learning_objective(graded_class):
    rows = read_csv(graded_class.root / "exports" / "grades_by_objective.csv")
    body = rows[1:]
    assert rows[0][:5] == ["学習者ID", "氏名", "課題", "学習目標番号", "学習目標"]
    tanaka = {int(r[3]): r for r in body if r[0] == "tanaka"}
    objectives = MODULE.metadata["objectives"]
    assert MODULE.metadata["objective_map"]["q3_junban"] == [3]
    assert sorted(tanaka) == [1, 2, 3, 4]
    assert tanaka[3][4] == objectives[2]
    assert float(tanaka[3][5]) == float(tanaka[3][6]) == 3, "objective 3 is served by q3 alone (3 points)"
    suzuki = {int(r[3]): r for r in body if r[0] == "suzuki"}
    assert float(suzuki[2][5]) == 0, "the typical learner got the sign of the gap wrong (q2; q5 not graded yet)"


def test_xlsx_has_the_same_tables_and_the_progress_sheet(graded_class):
    wb = load_workbook(graded_class.root / "exports" / "grades.xlsx")
    assert wb.sheetnames == ["表紙", "学習者別", "モジュール別", "学習目標別", "明細", "提出状況", "問題別の正答率", "よくあるヒント", "つまずき", "進み具合"]
    by_learner = read_csv(graded_class.root / "exports" / "grades_by_learner.csv")
    sheet = list(wb["学習者別"].iter_rows(values_only=True))
    assert [r[0] for r in sheet] == [r[0] for r in by_learner]
    assert sheet[1][2] == float(by_learner[1][2]), "numbers are numbers in Excel, and the same as in the CSV"
    status = {r[0]: r[1] for r in wb["提出状況"].iter_rows(min_row=2, values_only=True)}
    assert status == {"tanaka": "手動採点待ち", "suzuki": "手動採点待ち", "sato": "返却済み", "yamada": "未提出"}


def test_progress_chart_is_a_png(graded_class):
    png = graded_class.root / "exports" / "progress.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_progress_text_names_what_needs_a_hand(graded_class, capsys):
    assert main(["class", "progress", "--course", str(graded_class.root)]) == 0
    out = capsys.readouterr().out
    assert "手動採点待ち 2人" in out and "未提出 1人" in out


def test_rubric_tasks_graded_in_excel(graded_class, capsys):
    """The trainer scores the rubric task in a sheet (instead of the formgrader); a bad row changes nothing."""
    from openpyxl import load_workbook

    from chiiki_iot.classroom.progress import read_progress

    root = str(graded_class.root)
    assert main(["class", "rubric", ASSIGNMENT, "--course", root]) == 0
    sheet_path = graded_class.root / "exports" / f"rubric-{ASSIGNMENT}.xlsx"
    wb = load_workbook(sheet_path)
    ws = wb.active
    header = [c.value for c in ws[1]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert set(rows) == {"tanaka", "suzuki", "sato"}, "one row per learner who submitted"
    assert rows["tanaka"][header.index("問題")].value == "q5_jibun_no_chiiki"
    assert "将来像" in rows["tanaka"][header.index("学習者の答え")].value
    assert rows["sato"][header.index("点数")].value == 0, "an untouched answer needs no grading"

    score, comment = header.index("点数") + 1, header.index("コメント") + 1
    ws.cell(rows["tanaka"][0].row, score, 4)
    ws.cell(rows["tanaka"][0].row, comment, "将来像に期限があり、具体的です。")
    ws.cell(rows["suzuki"][0].row, score, 9)          # more than the 5 points of the task
    wb.save(sheet_path)
    assert main(["class", "rubric", ASSIGNMENT, "--import", str(sheet_path), "--course", root]) == 1
    assert "0〜5 の範囲" in capsys.readouterr().err
    assert read_progress(graded_class).status[("tanaka", ASSIGNMENT)] == "手動採点待ち", "nothing was written"

    ws.cell(rows["suzuki"][0].row, score, 3)
    wb.save(sheet_path)
    assert main(["class", "rubric", ASSIGNMENT, "--import", str(sheet_path), "--course", root]) == 0
    status = read_progress(graded_class).status
    assert status[("tanaka", ASSIGNMENT)] == status[("suzuki", ASSIGNMENT)] == "返却済み"
    s = graded_class.scores(ASSIGNMENT, "tanaka")
    assert sum(c.score for c in s.cells) == s.max_auto_score + 4
    from nbgrader.api import Gradebook

    with Gradebook(graded_class.db_url, course_id=graded_class.course_id) as gb:
        note = gb.find_comment("q5_jibun_no_chiiki", NOTEBOOK[:-6], ASSIGNMENT, "tanaka").manual_comment
    assert note == "将来像に期限があり、具体的です。"


# -- roster errors: Japanese, nothing written --------------------------------------------

def test_roster_with_bom_and_english_headers(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffid,last_name,first_name\nito,伊藤,四郎\n".encode("utf-8"))
    assert read_roster(path)[0].display_name == "伊藤 四郎"


def test_roster_single_name_column_is_split(tmp_path):
    path = write_roster(tmp_path / "r.csv", [["ユーザー名", "氏名"], ["kato", "加藤　五郎"]], "utf-8")
    assert read_roster(path)[0].display_name == "加藤 五郎"


@pytest.mark.parametrize("rows, message", [
    ([["ID", "姓"], ["a1", "田中"], ["a1", "佐藤"]], "3行目: ID「a1」が 2行目と重なっています"),
    ([["ID", "姓"], ["Tanaka Hanako", "田中"]], "ID「Tanaka Hanako」は使えません"),
    ([["ID", "姓"], ["", "田中"]], "2行目: ID が空です"),
    ([["氏名", "メール"], ["田中", "x"]], "ID の列がありません"),
])
def test_bad_roster_is_refused_in_japanese_and_nothing_is_added(empty_class, tmp_path, rows, message, capsys):
    course = empty_class
    path = write_roster(tmp_path / "bad.csv", rows, "cp932")
    with pytest.raises(RosterError, match=message):
        read_roster(path)
    assert main(["class", "roster", str(path), "--course", str(course.root)]) == 1
    assert message in capsys.readouterr().err
    assert course.learners() == []


def test_roster_in_an_unknown_encoding(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"ID\ntanaka\x82\n")  # a lone Shift_JIS lead byte: neither UTF-8 nor CP932
    with pytest.raises(RosterError, match="文字コードが分かりません"):
        read_roster(path)


def test_setup_refuses_to_overwrite_a_class(graded_class, courses_dir, capsys):
    assert main(["class", "setup", str(graded_class.root), "--courses", str(courses_dir)]) == 1
    assert "もうクラスがあります" in capsys.readouterr().err
    assert (graded_class.root / "gradebook.db").exists()


def test_commands_outside_a_class_folder_say_what_to_do(tmp_path, capsys):
    assert main(["class", "progress", "--course", str(tmp_path)]) == 1
    assert "chiiki-iot class setup" in capsys.readouterr().err


@pytest.fixture(scope="module")
def empty_class(tmp_path_factory, courses_dir):
    from chiiki_iot.curriculum.modules import discover

    return ClassCourse.create(tmp_path_factory.mktemp("empty") / "c", discover(courses_dir))
