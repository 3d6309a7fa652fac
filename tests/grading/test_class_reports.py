"""Due dates, lateness, per-objective grades and the Japanese feedback page, on a real nbgrader gradebook.

One class of the exemplar module (its real ``objective_map``): the trainer sets a due date in
Japan time with ``chiiki-iot class due``; tanaka submits a minute before it (the model answers),
suzuki 2 h 15 min after it (the module's typical wrong answer), sato before it with a timestamp in
the old ``... JST`` form (no gap column in q2, and a ``<script>`` typed into q4), yamada not at all. The
class is autograded (sandboxed), the trainer scores tanaka's rubric task, feedback is generated
through ``chiiki-iot class feedback`` and grades are exported.
"""
from __future__ import annotations

import csv
import shutil
from datetime import datetime

import pytest
from nbgrader.api import Gradebook
from openpyxl import load_workbook

from chiiki_iot.classroom.classroom_course import ClassCourse
from chiiki_iot.classroom.export import UNMAPPED
from chiiki_iot.classroom.feedback import html_text, leaked_lines, source_secrets
from chiiki_iot.classroom.progress import read_progress
from chiiki_iot.cli import main
from class_helpers import ASSIGNMENT, MODULE, NOTEBOOK, place, typical_answers, with_answers

DUE = "2026-12-01 17:00"                       # Japan time, as the trainer types it
DUE_UTC = datetime(2026, 12, 1, 8, 0)          # what nbgrader's gradebook stores (naive UTC)
TIMESTAMPS = {                                 # timestamp.txt as nbgrader's submit writes it
    "tanaka": "2026-12-01 07:59:00.000000 UTC",   # 16:59 JST: on time
    "suzuki": "2026-12-01 10:15:00.000000 UTC",   # 19:15 JST: 2 h 15 min late
    "sato": "2026-12-01 16:30:00.000000 JST",     # on time, written by a class set up before UTC stamps
}
MANUAL = "q5_jibun_no_chiiki"
# sato's q4 answer is hostile: the format check quotes the value in its hint, so learner text reaches the trainer's view
SATO_Q4 = 'shudan = {"w": "<script>alert(\'sato\')</script>", "x": "人的サービス", "y": "経済的手法", "z": "規制・制度"}\n'
COMMENT = "将来像に期限があり、現状の数字にも出典があります。"


@pytest.fixture(scope="module")
def reports_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("reports")
    courses = base / "courses"
    shutil.copytree(MODULE.path, courses / MODULE.course / MODULE.name)
    folder = base / "class"
    assert main(["class", "setup", str(folder), "--courses", str(courses), "--timeout", "20"]) == 0
    roster = base / "meibo.csv"
    roster.write_text("ID,姓,名\ntanaka,田中,花子\nsuzuki,鈴木,一郎\nsato,佐藤,次郎\nyamada,山田,三子\n", encoding="utf-8")
    assert main(["class", "roster", str(roster), "--course", str(folder)]) == 0
    assert main(["class", "due", ASSIGNMENT, DUE, "--course", str(folder)]) == 0
    course = ClassCourse.open(folder)
    notebooks = {"tanaka": with_answers(course), "suzuki": with_answers(course, **typical_answers()),
                 "sato": with_answers(course, q2_gap="kpi", q4_shudan=SATO_Q4)}
    for learner, nb in notebooks.items():
        (place(course, learner, nb) / "timestamp.txt").write_text(TIMESTAMPS[learner], encoding="utf-8")
    assert main(["class", "autograde", ASSIGNMENT, "--course", str(folder), "--workers", "2", "--allow-root"]) == 0
    with Gradebook(course.db_url, course_id=course.course_id) as gb:     # what the formgrader does
        grade = gb.find_grade(MANUAL, NOTEBOOK[:-6], ASSIGNMENT, "tanaka")
        grade.manual_score, grade.needs_manual_grade = 4, False
        gb.find_comment(MANUAL, NOTEBOOK[:-6], ASSIGNMENT, "tanaka").manual_comment = COMMENT
        gb.db.commit()
    assert main(["class", "feedback", ASSIGNMENT, "--no-release", "--course", str(folder)]) == 0
    assert main(["class", "export", "--course", str(folder)]) == 0
    return course


def read_csv(path):
    return list(csv.reader(path.read_bytes().decode("utf-8-sig").splitlines()))


def feedback_html(course, learner):
    return course.root / "feedback" / learner / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")


# -- due dates ---------------------------------------------------------------------------

def test_due_date_is_nbgraders_own_in_utc(reports_class, capsys):
    with Gradebook(reports_class.db_url, course_id=reports_class.course_id) as gb:
        assert gb.find_assignment(ASSIGNMENT).duedate == DUE_UTC, "17:00 in Japan is 08:00 UTC"
    assert main(["class", "due", ASSIGNMENT, "--course", str(reports_class.root)]) == 0
    assert f"締め切り {DUE}（日本時間）" in capsys.readouterr().out
    assert main(["class", "due", "--course", str(reports_class.root)]) == 0
    assert f"{ASSIGNMENT}: 締め切り {DUE}" in capsys.readouterr().out


@pytest.mark.parametrize("typed, message", [("2026-12-01", "時刻がありません"), ("来週の金曜", "読めません")])
def test_a_due_date_without_a_time_or_unreadable_is_refused(reports_class, capsys, typed, message):
    assert main(["class", "due", ASSIGNMENT, typed, "--course", str(reports_class.root)]) == 1
    assert message in capsys.readouterr().err
    with Gradebook(reports_class.db_url, course_id=reports_class.course_id) as gb:
        assert gb.find_assignment(ASSIGNMENT).duedate == DUE_UTC, "nothing changed"


def test_nbgrader_itself_misreads_jst_timestamps():
    """Why the exchange records UTC: nbgrader 0.9's parse_utc takes '... JST' for UTC (9 hours off)."""
    from nbgrader.utils import parse_utc

    from chiiki_iot.classroom.duedates import parse_timestamp

    assert parse_utc("2026-12-01 16:30:00.000000 JST") == datetime(2026, 12, 1, 16, 30), "read as UTC"
    assert parse_utc("2026-12-01 07:30:00.000000 UTC") == datetime(2026, 12, 1, 7, 30)
    assert parse_timestamp("2026-12-01 16:30:00.000000 JST").isoformat() == "2026-12-01T16:30:00+09:00"


def test_progress_marks_the_late_submission(reports_class, capsys):
    p = read_progress(reports_class)
    assert p.due[ASSIGNMENT] == DUE
    assert {s: p.late[(s, ASSIGNMENT)] for s in p.learners} == {"tanaka": "", "suzuki": "2時間15分", "sato": "",
                                                                 "yamada": ""}
    assert p.submitted_at[("tanaka", ASSIGNMENT)] == "2026-12-01 16:59", "shown in Japan time"
    assert p.submitted_at[("sato", ASSIGNMENT)] == "2026-12-01 16:30"
    assert main(["class", "progress", "--course", str(reports_class.root)]) == 0
    out = capsys.readouterr().out
    assert f"締め切り {DUE}（日本時間）: 締め切り後の提出 1人（suzuki 2時間15分遅れ）" in out


def test_an_extension_granted_in_nbgrader_counts(reports_class):
    with Gradebook(reports_class.db_url, course_id=reports_class.course_id) as gb:
        gb.grant_extension(ASSIGNMENT, "suzuki", hours=3)
    try:
        assert read_progress(reports_class).late[("suzuki", ASSIGNMENT)] == ""
    finally:
        with Gradebook(reports_class.db_url, course_id=reports_class.course_id) as gb:
            gb.grant_extension(ASSIGNMENT, "suzuki")      # no extension again
    assert read_progress(reports_class).late[("suzuki", ASSIGNMENT)] == "2時間15分"


def test_export_shows_the_due_date_and_who_was_late(reports_class):
    rows = read_csv(reports_class.root / "exports" / "grades_by_module.csv")
    row = dict(zip(rows[0], rows[1]))
    assert row["締め切り（日本時間）"] == DUE and row["締め切り後の提出"] == "1" and row["提出数"] == "3"
    sheet = list(load_workbook(reports_class.root / "exports" / "grades.xlsx")["提出状況"].iter_rows(values_only=True))
    header, body = sheet[0], {r[0]: r for r in sheet[1:]}
    late_col = header.index(f"{ASSIGNMENT} 締め切り後の提出（締め切り {DUE}）")
    when_col = header.index(f"{ASSIGNMENT} 提出日時")
    assert body["suzuki"][late_col] == "遅れ 2時間15分"
    assert not body["tanaka"][late_col] and not body["yamada"][late_col]
    assert body["suzuki"][when_col] == "2026-12-01 19:15"


# -- per learning objective ------------------------------------------------------------------

def _objective_rows(rows):
    out: dict[str, list] = {}
    for r in rows[1:]:
        out.setdefault(r[0], []).append(r)
    return out


def test_per_objective_scores_add_up_to_the_module_score(reports_class):
    """CSV and .xlsx (read back with openpyxl): per learner, the objectives' scores and maxima add up to the module's."""
    objectives = MODULE.metadata["objectives"]
    by_learner = read_csv(reports_class.root / "exports" / "grades_by_learner.csv")
    module_col = 2
    module_score = {r[0]: float(r[module_col]) for r in by_learner[1:] if r[module_col] != "未提出"}
    assert set(module_score) == {"tanaka", "suzuki", "sato"}
    scores = reports_class.scores(ASSIGNMENT, "tanaka")
    assert module_score["tanaka"] == scores.max_auto_score + 4, "full marks on the autograded part, 4 on the rubric task"
    max_score = sum(c.max_score for c in scores.cells)

    wb = load_workbook(reports_class.root / "exports" / "grades.xlsx")
    csv_rows = read_csv(reports_class.root / "exports" / "grades_by_objective.csv")
    xlsx_rows = [list(r) for r in wb["学習目標別"].iter_rows(values_only=True)]
    assert xlsx_rows[0] == csv_rows[0]
    for rows, number in ((csv_rows, float), (xlsx_rows, lambda v: v)):
        per_learner = _objective_rows(rows)
        assert set(per_learner) == set(module_score)
        for learner, mine in per_learner.items():
            assert {r[2] for r in mine} == {ASSIGNMENT}
            assert [int(r[3]) for r in mine] == [1, 2, 3, 4], "every objective of the module is assessed"
            assert [r[4] for r in mine] == objectives and UNMAPPED not in [r[4] for r in mine]
            assert sum(number(r[5]) for r in mine) == pytest.approx(module_score[learner], abs=1e-9), learner
            assert sum(number(r[6]) for r in mine) == pytest.approx(max_score, abs=1e-9), learner
    tanaka = {int(r[3]): r for r in _objective_rows(xlsx_rows)["tanaka"]}
    assert isinstance(tanaka[1][5], float), "numbers are numbers in Excel"
    # q5 (rubric, 4 of 5 points) assesses objectives 1, 2 and 4: 4/3 points each, rounded to add up
    assert sorted(round(tanaka[i][5] - full, 2) for i, full in ((1, 4), (2, 3), (4, 2))) == [1.33, 1.33, 1.34]
    assert tanaka[3][5] == tanaka[3][6] == 3, "objective 3 is q3 alone"


# -- the learner's feedback page ------------------------------------------------------------

ENGLISH_FRAME = ("Student's answer", "Student's task", "Score:", "Comments:", "Test cell", "Written response",
                 "Coding free-response", "Late submission penalty", "(Top)", "In&nbsp;[", "Out[")


def test_feedback_page_is_japanese(reports_class):
    raw = feedback_html(reports_class, "tanaka").read_text(encoding="utf-8")
    text = html_text(feedback_html(reports_class, "tanaka"))
    assert '<html lang="ja">' in raw and f"<title>フィードバック: {NOTEBOOK[:-6]}</title>" in raw
    for label in ("得点:", "あなたの答え", "自動採点のテスト", "記述の答え（講師が採点）", "講師のコメント", "（上へ）",
                  "目次（採点した問題）", "提出日時", "2026-12-01 16:59（日本時間）", f"{DUE}（日本時間）", COMMENT):
        assert label in text, label
    for english in ENGLISH_FRAME:
        assert english not in raw, english
    assert "締め切りの" not in text, "tanaka was on time"


def test_feedback_tells_a_late_learner_and_keeps_the_japanese_hints(reports_class):
    text = html_text(feedback_html(reports_class, "suzuki"))
    assert "締め切りの 2時間15分 後に提出されました。" in text
    assert "符号が逆です" in text, "the hint of the typical wrong answer"


def test_feedback_pages_have_no_hidden_tests(reports_class):
    secrets = source_secrets(reports_class.root / "source" / ASSIGNMENT / NOTEBOOK)
    assert len(secrets) > 10
    for learner in ("tanaka", "suzuki", "sato"):
        path = feedback_html(reports_class, learner)
        assert not leaked_lines(path, secrets), learner
        assert "BEGIN HIDDEN TESTS" not in html_text(path) and "MARK SCHEME" not in html_text(path)


def test_plain_nbgrader_generate_feedback_uses_the_japanese_page_too(reports_class):
    """The template is chosen in the class's nbgrader_config.py, so the formgrader's button gets it as well."""
    reports_class.generate_feedback(ASSIGNMENT)        # `nbgrader generate_feedback` in the class folder
    raw = feedback_html(reports_class, "suzuki").read_text(encoding="utf-8")
    assert "あなたの答え" in raw and "Student's answer" not in raw
    assert "締め切りの 2時間15分 後に提出されました。" in html_text(feedback_html(reports_class, "suzuki"))


def test_the_class_config_keeps_the_formgraders_own_templates(reports_class):
    """The formgrader renders submissions with nbgrader's "formgrade" template from the same template folders."""
    from nbconvert.exporters import HTMLExporter
    from traitlets.config import Config

    from chiiki_iot.classroom.settings import TEMPLATE_DIR

    config = Config(reports_class.api().config)
    config.HTMLExporter.template_name = "formgrade"
    assert "formgrade" in HTMLExporter(config=config).template.filename
    config.HTMLExporter.template_name = "feedback"
    assert HTMLExporter(config=config).template.filename.startswith(str(TEMPLATE_DIR / "feedback"))


# -- the trainer's view of the class (item analysis) -----------------------------------------------

# what each learner answered, question by question (True = the model answer):
# tanaka the model answers; suzuki the typical wrong answer (q1 問題/課題 swapped, q2 sign reversed,
# q3 starting from the solution, q4 the model answer); sato the model answers except q2 (no gap column)
# and q4 (a <script> instead of a category)
RIGHT = {
    "q1_bunrui": {"tanaka", "sato"},
    "q2_gap": {"tanaka"},
    "q3_junban": {"tanaka", "sato"},
    "q4_shudan": {"tanaka", "suzuki"},
}
GRADED = ("tanaka", "suzuki", "sato")


def test_view_share_right_per_question_is_what_the_learners_answered(reports_class):
    from chiiki_iot.classroom.class_view import read_view

    view = read_view(reports_class, ASSIGNMENT)
    assert view.questions == [*RIGHT, MANUAL]
    assert (view.submitted, view.graded, len(view.learners)) == (3, 3, 4)
    for q, who in RIGHT.items():
        s = view.stat(q)
        assert (s.kind, s.graded, s.right, s.waiting) == ("自動", 3, len(who), 0), q
        assert s.share == round(100 * len(who) / 3, 1), q
        assert {lr.learner for lr in view.learners if q in lr.right} == who, q
    q5 = view.stat(MANUAL)
    assert (q5.kind, q5.graded, q5.right, q5.waiting) == ("手動", 1, 0, 2), "tanaka scored 4 of 5; two wait for the trainer"
    # the same numbers, straight from nbgrader's gradebook: a question is right when all its cells have full marks
    questions = reports_class.info["assignments"][0]["questions"]
    with Gradebook(reports_class.db_url, course_id=reports_class.course_id) as gb:
        for learner in GRADED:
            grades = [g for nb in gb.find_submission(ASSIGNMENT, learner).notebooks for g in nb.grades]
            for q in RIGHT:
                mine = [g for g in grades if questions.get(g.name) == q]
                assert mine and (all(g.score == g.max_score for g in mine) == (learner in RIGHT[q])), (learner, q)


def test_view_counts_the_hints_the_typical_wrong_answer_triggers(reports_class):
    import yaml

    from chiiki_iot.classroom.class_view import read_view

    view = read_view(reports_class, ASSIGNMENT)
    for message in yaml.safe_load(MODULE.typical_wrong_answer.read_text(encoding="utf-8"))["feedback"]:
        found = [h for h in view.hints if h.hint.startswith(message)]
        assert len(found) == 1 and found[0].learners == ["suzuki"], message
    by_question = {q: {(h.hint.split("。")[0], tuple(h.learners)) for h in view.hints_of(q)} for q in view.questions}
    assert by_question["q1_bunrui"] == {("「問題」と「課題」を取り違えている文があります", ("suzuki",))}
    assert ("符号が逆です", ("suzuki",)) in by_question["q2_gap"]
    assert [h.learners for h in view.hints_of("q2_gap") if "ギャップ" in h.hint and "列" in h.hint] == [["sato"]], \
        "sato's format problem: the gap column is missing"
    assert by_question["q3_junban"] == {("解決策から考え始めています", ("suzuki",)),
                                        ("順番がまだ違います", ("suzuki",))}, "both q3 test cells fail for suzuki"
    assert [h.learners for h in view.hints_of("q4_shudan")] == [["sato"]]
    assert "<script>alert('sato')</script>" in view.hints_of("q4_shudan")[0].hint, "kept as text, quoted by the check"
    assert all("tanaka" not in h.learners for h in view.hints), "the model answers trigger no hint"
    assert [h.count for h in view.hints] == sorted((h.count for h in view.hints), reverse=True)


def test_view_says_who_is_stuck_where_with_the_hint_they_got(reports_class):
    from chiiki_iot.classroom.class_view import read_view
    from chiiki_iot.classroom.item_analysis import ALL_RIGHT

    view = read_view(reports_class, ASSIGNMENT)
    state = {s.learner: s for s in view.learners}
    assert (state["tanaka"].stuck_at, state["tanaka"].hint) == ("", ALL_RIGHT)
    assert state["suzuki"].stuck_at == "q1_bunrui"
    assert state["suzuki"].hint.startswith("「問題」と「課題」を取り違えている文があります")
    assert state["sato"].stuck_at == "q2_gap" and "ギャップ" in state["sato"].hint
    assert (state["yamada"].status, state["yamada"].stuck_at, state["yamada"].score) == ("未提出", "", None)
    assert state["tanaka"].name == "田中 花子" and state["tanaka"].submitted_at == "2026-12-01 16:59"


def test_view_progress_over_the_session_follows_the_submission_times(reports_class):
    from chiiki_iot.classroom.class_view import read_view

    view = read_view(reports_class, ASSIGNMENT)
    rows = [(t.at, t.learner, t.submitted, [t.right[q] for q in RIGHT], t.all_right) for t in view.timeline]
    assert rows == [("2026-12-01 16:30", "sato", 1, [1, 0, 1, 0], 0),
                    ("2026-12-01 16:59", "tanaka", 2, [2, 1, 2, 1], 1),
                    ("2026-12-01 19:15", "suzuki", 3, [2, 1, 2, 2], 1)]
    assert all(t.graded_at for t in view.timeline), "every submission is autograded"


def test_view_page_is_japanese_refreshes_and_keeps_learner_text_inert(reports_class, capsys):
    from chiiki_iot.classroom.class_view import class_view
    from chiiki_iot.classroom.sanitise import page_scripts, unsafe_markup

    assert main(["class", "view", ASSIGNMENT, "--course", str(reports_class.root), "--refresh", "20"]) == 0
    out = capsys.readouterr().out
    assert "q2_gap: 正解 1/3人（33.3%）" in out and "suzuki（q1_bunrui）" in out
    page = (reports_class.root / "exports" / f"view-{ASSIGNMENT}.html").read_text(encoding="utf-8")
    fragment = class_view(reports_class.root, ASSIGNMENT)._repr_html_()
    for html in (page, fragment):
        assert "&lt;script&gt;alert(" in html, "sato's text is shown, as text"
        assert "<script" not in html.lower() and "alert('sato')" not in html
        assert unsafe_markup(html) == [] and page_scripts(html)[1] == [], "no script, handler or javascript: URL"
        for label in ("問題ごとの正答率", "よく出ているヒント", "だれがどこでつまずいているか", "研修中の進み具合", "符号が逆です"):
            assert label in html, label
    assert '<html lang="ja">' in page and '<meta http-equiv="refresh" content="20">' in page
    assert "refresh" not in fragment


def test_view_shows_new_grades_when_rebuilt(reports_class):
    """What grade-on-submit (or the formgrader) writes into the gradebook shows on the next build."""
    from chiiki_iot.classroom.class_view import read_view

    with Gradebook(reports_class.db_url, course_id=reports_class.course_id) as gb:
        gb.find_grade("q2_gap_test", NOTEBOOK[:-6], ASSIGNMENT, "suzuki").manual_score = 3
        gb.db.commit()
    try:
        view = read_view(reports_class, ASSIGNMENT)
        assert view.stat("q2_gap").right == 2 and view.state("suzuki").stuck_at == "q1_bunrui"
        assert "q2_gap" in view.state("suzuki").right
    finally:
        with Gradebook(reports_class.db_url, course_id=reports_class.course_id) as gb:
            gb.find_grade("q2_gap_test", NOTEBOOK[:-6], ASSIGNMENT, "suzuki").manual_score = None
            gb.db.commit()
    assert read_view(reports_class, ASSIGNMENT).stat("q2_gap").right == 1


def test_excel_export_has_the_views_sheets_with_the_same_numbers(reports_class):
    from chiiki_iot.classroom.class_view import read_view
    from chiiki_iot.classroom.item_analysis import SHEETS

    view = read_view(reports_class, ASSIGNMENT)
    wb = load_workbook(reports_class.root / "exports" / "grades.xlsx")
    assert set(SHEETS) <= set(wb.sheetnames)
    sheets = {name: [list(r) for r in wb[name].iter_rows(values_only=True)] for name in SHEETS}
    stats = {r[1]: r for r in sheets["問題別の正答率"][1:]}
    for q, who in RIGHT.items():
        assert stats[q][0] == ASSIGNMENT and stats[q][4:7] == [3, len(who), round(100 * len(who) / 3, 1)], q
    hints = [(r[1], r[2], r[3], r[4]) for r in sheets["よくあるヒント"][1:]]
    assert hints == [(h.question, h.hint, h.count, "、".join(h.learners)) for h in view.hints]
    assert ("q2_gap", "suzuki") in {(r[0], r[3]) for r in hints if r[1].startswith("符号が逆です")}
    stuck = {r[1]: r for r in sheets["つまずき"][1:]}
    assert stuck["suzuki"][7] == "q1_bunrui" and stuck["suzuki"][8].startswith("「問題」と「課題」を取り違えている")
    assert stuck["sato"][7] == "q2_gap" and stuck["yamada"][3] == "未提出"
    timeline = sheets["進み具合"]
    assert [r[2] for r in timeline[1:]] == ["sato", "tanaka", "suzuki"]
    assert [r[4] for r in timeline[1:]] == [1, 2, 3] and timeline[-1][-1] == 1
    assert timeline[-1][5:9] == [len(RIGHT[q]) for q in RIGHT]
