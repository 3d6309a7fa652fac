"""``chiiki-iot class ...``: the trainer's commands (help in Japanese and English)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "クラスの運営（配布・回収・安全な自動採点・返却・成績）/ run a class (release, collect, safe autograde, feedback, grades)"
DESCRIPTION = """\
nbgrader でクラスを運営するコマンドです。手順は grading/README.md にあります。
Run a class with nbgrader. The steps are in grading/README.md.

順番 / order:
  chiiki-iot class setup class2026 --exchange /srv/nbgrader/exchange   クラスを作る / create the class
  chiiki-iot class roster meibo.csv          名簿を登録 / add learners from a CSV
  chiiki-iot class due 課題名 "2026-12-01 17:00"   締め切り（日本時間）/ due date (Japan time)
  chiiki-iot class release 課題名            配布 / release an assignment
  chiiki-iot class collect 課題名            回収 / collect submissions
  chiiki-iot class autograde 課題名          安全に並列で自動採点 / safe parallel autograde
  chiiki-iot class rubric 課題名             手で採点する問題を Excel で / rubric tasks in Excel (or the formgrader)
  chiiki-iot class feedback 課題名           フィードバックを作って返す / feedback to learners
  chiiki-iot class export                    成績を CSV と Excel に / grades to CSV and Excel
  chiiki-iot class progress                  提出状況とグラフ / who submitted what, with a chart
  chiiki-iot class view 課題名               研修中に見るクラスの状況（正答率・ヒント・つまずき）/ the trainer's live view
  chiiki-iot class on-submit 課題名          提出したらすぐ採点・返却する（--off でやめる）/ grade on submit (--off: stop)
  chiiki-iot class serve                     提出を待って採点・返却し続ける（Ctrl-C で止める）/ grade submissions as they come
（setup 以外は、クラスのフォルダの中で実行するか --course で指定します / run inside the class folder or give --course）
"""


def add_parser(sub) -> None:
    cls = sub.add_parser("class", help=HELP, description=DESCRIPTION,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    steps = cls.add_subparsers(dest="class_command", metavar="手順 / step")

    def step(name, help_text):
        p = steps.add_parser(name, help=help_text, description=help_text)
        if name != "setup":
            p.add_argument("--course", type=Path, default=Path.cwd(),
                           help="クラスのフォルダ（既定: 今のフォルダ）/ class folder (default: current folder)")
        return p

    p = step("setup", "courses/ から nbgrader のクラスを作る（モジュール = 課題）/ create a class from courses/")
    p.add_argument("folder", type=Path, help="作るフォルダ / folder to create")
    p.add_argument("--courses", type=Path, default=None,
                   help="教材のフォルダ（既定: リポジトリの courses/）/ curriculum folder (default: courses/)")
    p.add_argument("--only", nargs="*", default=None, metavar="課題",
                   help="使う課題だけ（例: logical_thinking-01_shoraizo_mondai_kadai）/ only these assignments")
    p.add_argument("--exchange", type=Path, help="JupyterHub の受け渡し用フォルダ / nbgrader exchange root")
    p.add_argument("--course-id", default=None, help="コースID（JupyterHub のサービス名と同じ）/ course id")
    p.add_argument("--timeout", type=int, default=60, help="1セルの実行時間の上限（秒）/ per-cell timeout (s)")

    p = step("roster", "名簿（CSV: UTF-8 / BOM つき / Shift_JIS）から学習者を登録 / add learners from a CSV roster")
    p.add_argument("csv", type=Path, help="名簿の CSV / roster CSV")

    p = step("due", "課題の締め切り（日本時間）を決める・見る / set or show an assignment's due date (Japan time)")
    p.add_argument("assignment", nargs="?", help="課題名（省略するとすべての締め切りを表示）/ assignment (omit: list all)")
    p.add_argument("when", nargs="?",
                   help='締め切り（日本時間）例: "2026-12-01 17:00" / due date in Japan time, e.g. "2026-12-01 17:00"')
    p.add_argument("--clear", action="store_true", help="締め切りを消す / remove the due date")

    for name, text in [("release", "課題を配布 / release an assignment"),
                       ("collect", "提出物を回収 / collect submissions")]:
        step(name, text).add_argument("assignment", help="課題名 / assignment")

    p = step("autograde", "分離した環境で並列に自動採点 / autograde in the sandbox, in parallel")
    p.add_argument("assignment", help="課題名 / assignment")
    p.add_argument("--student", nargs="*", help="この学習者だけ / only these learners")
    p.add_argument("--workers", type=int, help="並列数（既定: CPU数+1）/ parallel workers (default: CPUs+1)")
    p.add_argument("--timeout", type=int, help="1セルの上限（秒）/ per-cell timeout (s)")
    p.add_argument("--only-new", action="store_true", help="まだ採点していない提出だけ / only ungraded submissions")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="分離せずに採点（信頼できる提出物だけ。おすすめしません）/ no sandbox (trusted work only)")
    p.add_argument("--allow-root", action="store_true",
                   help="root のままでも採点する（記録に残ります。おすすめしません）/ grade even as root (recorded)")

    p = step("rubric", "手で採点する問題を Excel で採点（シートを作る / --import で取り込む）/ grade rubric tasks in Excel")
    p.add_argument("assignment", help="課題名 / assignment")
    p.add_argument("--out", type=Path, default=None, help="作るシート（既定: exports/rubric-<課題名>.xlsx）/ sheet to write")
    p.add_argument("--import", dest="import_sheet", type=Path, default=None,
                   help="点数を書いたシートを成績簿に取り込む / import a filled-in sheet")

    p = step("feedback", "フィードバック（隠しテストなし）を作って返却 / generate and release feedback (no hidden tests)")
    p.add_argument("assignment", help="課題名 / assignment")
    p.add_argument("--no-release", action="store_true", help="作るだけで返却しない / generate only")

    p = step("export", "成績を CSV と Excel に書き出す / export grades to CSV and .xlsx")
    p.add_argument("--out", type=Path, default=None, help="出力先（既定: クラスの exports/）/ output folder")

    p = step("progress", "だれが何を提出したか（表とグラフ）/ who submitted what (table and chart)")
    p.add_argument("--chart", type=Path, default=None, help="グラフの PNG（既定: exports/progress.png）/ chart PNG")

    p = step("view", "研修中に見るクラスの状況（問題ごとの正答率・よく出るヒント・つまずき・進み具合）のページ / "
                     "the trainer's view of a class (HTML page)")
    p.add_argument("assignment", help="課題名 / assignment")
    p.add_argument("--out", type=Path, default=None,
                   help="作るページ（既定: exports/view-<課題名>.html）/ page to write")
    p.add_argument("--refresh", type=int, default=30,
                   help="ブラウザが読み込み直す間隔（秒、0 で読み込み直さない）/ browser reload interval (s, 0: off)")
    p.add_argument("--watch", type=int, default=None, metavar="秒",
                   help="この秒数ごとに作り直し続ける（Ctrl-C で止める）/ rebuild every N seconds until Ctrl-C")


    p = step("on-submit", "提出したらすぐ自動採点してフィードバックを返す課題を決める・見る / "
                          "turn grading on submit on or off for an assignment")
    p.add_argument("assignment", nargs="?", help="課題名（省略すると、今の設定を表示）/ assignment (omit: show)")
    p.add_argument("--off", action="store_true", help="提出したらすぐ採点するのをやめる / turn it off")

    p = step("serve", "提出を見張り、on-submit の課題を提出ごとに採点・返却し続ける（Ctrl-C で止める）/ "
                      "grade each submission of the on-submit assignments as it arrives")
    p.add_argument("--workers", type=int, help="同時に採点する数（既定: CPU数）/ parallel workers (default: CPUs)")
    p.add_argument("--allow-root", action="store_true",
                   help="root のままでも採点する（記録に残ります。おすすめしません）/ grade even as root (recorded)")


def run(args) -> int:
    from .classroom_course import ClassCourse, ClassError
    from .duedates import DueDateError
    from .roster import RosterError
    from .rubric import RubricError
    from .sandbox import GradingAsRootRefused, SandboxConfigError, SandboxUnavailable

    try:
        if args.class_command == "setup":
            return _setup(args)
        if args.class_command is None:
            print(DESCRIPTION)
            return 0
        course = ClassCourse.open(args.course)
        return {"roster": _roster, "due": _due, "release": _release, "collect": _collect, "autograde": _autograde,
                "rubric": _rubric, "feedback": _feedback, "export": _export,
                "progress": _progress, "view": _view, "on-submit": _on_submit,
                "serve": _serve}[args.class_command](course, args)
    except (ClassError, DueDateError, RosterError, RubricError, SandboxUnavailable, SandboxConfigError,
            GradingAsRootRefused) as e:
        print(str(e), file=sys.stderr)
        return 1


def _setup(args) -> int:
    from ..curriculum.modules import discover
    from ..curriculum.nbgrader_course import COURSE_ID
    from .classroom_course import ClassCourse, ClassError

    modules = discover(args.courses)
    if args.only:
        unknown = set(args.only) - {m.assignment_id for m in modules}
        if unknown:
            raise ClassError(f"課題 {', '.join(sorted(unknown))} は courses/ にありません。")
        modules = [m for m in modules if m.assignment_id in args.only]
    course = ClassCourse.create(args.folder, modules, timeout=args.timeout, course_id=args.course_id or COURSE_ID,
                                exchange=args.exchange.resolve() if args.exchange else None)
    for a in course.assignments:
        course.generate(a)
    print(f"クラスを作りました: {course.root}（課題 {len(course.assignments)} 個）")
    for a in course.assignments:
        print(f"  ・{a}")
    print("次は名簿の登録です: chiiki-iot class roster 名簿.csv --course " + str(course.root))
    return 0


def _roster(course, args) -> int:
    from .roster import read_roster

    learners = read_roster(args.csv)
    added, updated = course.add_learners(learners)
    print(f"名簿を登録しました: 新しく {added} 人、更新 {updated} 人（合計 {len(course.learners())} 人）。")
    return 0


def _due(course, args) -> int:
    from .duedates import due_dates, parse_due, set_due, shown

    if args.assignment is None:
        for a, due in due_dates(course).items():
            print(f"{a}: " + (f"締め切り {shown(due)}（日本時間）" if due else "締め切りなし"))
        return 0
    course.check_assignment(args.assignment)
    if args.clear:
        set_due(course, args.assignment, None)
        print(f"課題 {args.assignment} の締め切りを消しました。")
        return 0
    if args.when is None:
        due = due_dates(course)[args.assignment]
        print(f"{args.assignment}: " + (f"締め切り {shown(due)}（日本時間）" if due else
                                         f'締め切りなし（決めるには: chiiki-iot class due {args.assignment} "2026-12-01 17:00"）'))
        return 0
    due = parse_due(args.when)
    set_due(course, args.assignment, due)
    print(f"課題 {args.assignment} の締め切りを {shown(due)}（日本時間）にしました。締め切りより後の提出は、"
          "progress と export で「締め切り後」と表示します（点数は減らしません）。")
    return 0


def _release(course, args) -> int:
    print(course.release(args.assignment))
    return 0


def _collect(course, args) -> int:
    students = course.collect(args.assignment)
    print(f"回収しました: {len(students)} 人分の提出が submitted/ にあります。次は: chiiki-iot class autograde {args.assignment}")
    return 0


def _autograde(course, args) -> int:
    if args.allow_root:
        print("注意: root のまま採点します（--allow-root）。このことは採点の記録に残ります。", file=sys.stderr)
    if args.unsafe_no_sandbox:
        print("注意: 分離せずに採点します。学習者のコードは講師と同じ権限で動きます（信頼できる提出物だけにしてください）。",
              file=sys.stderr)
    report = course.autograde_class(args.assignment, students=args.student, workers=args.workers,
                                    sandbox=not args.unsafe_no_sandbox, timeout=args.timeout,
                                    regrade=not args.only_new, allow_root=args.allow_root)
    print(report.summary())
    print(f"次は: chiiki-iot class feedback {args.assignment}（手で採点する問題があれば、先に formgrader で採点します）")
    return 0 if all(o.graded for o in report.outcomes) else 2


def _rubric(course, args) -> int:
    from .rubric import read_rubric_sheet, write_rubric_sheet

    course.check_assignment(args.assignment)
    if args.import_sheet:
        n = read_rubric_sheet(course, args.assignment, args.import_sheet)
        print(f"{n} 件の点数を成績簿に書きました。次は: chiiki-iot class feedback {args.assignment}")
        return 0
    path, waiting = write_rubric_sheet(course, args.assignment,
                                       args.out or course.root / "exports" / f"rubric-{args.assignment}.xlsx")
    print(f"採点用のシートを作りました: {path}（採点待ち {waiting} 件）。「点数」と「コメント」の列に書いて保存し、"
          f"chiiki-iot class rubric {args.assignment} --import {path} で取り込みます。")
    return 0


def _feedback(course, args) -> int:
    report = course.feedback(args.assignment, release=False if args.no_release else None)
    print(report.summary())
    if report.released:
        print("学習者は Assignments の画面で Fetch Feedback を押すと受け取れます。")
    return 2 if report.withheld else 0


def _export(course, args) -> int:
    from .export import export_grades

    out = args.out or course.root / "exports"
    for path in export_grades(course, out):
        print(f"書き出しました: {path}")
    return 0


def _progress(course, args) -> int:
    from .progress import progress_chart, progress_text, read_progress

    p = read_progress(course)
    print(progress_text(p))
    chart = progress_chart(p, args.chart or course.root / "exports" / "progress.png")
    print(f"グラフ: {chart}")
    return 0


def _view(course, args) -> int:
    from .class_view import read_view, summary_text, watch, write_view

    course.check_assignment(args.assignment)
    if args.watch:
        print(f"{args.watch} 秒ごとにページを作り直します（Ctrl-C で止めます）。ブラウザで開いたままにしてください。")
        watch(course, args.assignment, args.out, every=max(5, args.watch))
        return 0
    view = read_view(course, args.assignment)
    path = write_view(course, args.assignment, args.out, refresh=args.refresh or None, view=view)
    print(summary_text(view))
    print(f"ページ: {path}（ブラウザで開きます。新しい採点結果は、もう一度このコマンドを実行するか --watch 30 で反映されます）")
    return 0


def _on_submit(course, args) -> int:
    if args.assignment:
        course.set_on_submit(args.assignment, not args.off)
    chosen = course.on_submit_assignments()
    if args.assignment and not args.off:
        print(f"課題 {args.assignment} は、提出されたらすぐ採点してフィードバックを返します"
              "（chiiki-iot class serve が動いているあいだ。JupyterHub の教室ではコースのサービスが動かします）。")
    elif args.assignment:
        print(f"課題 {args.assignment} は、提出されてもすぐには採点しません（collect・autograde・feedback で行います）。")
    print("提出したらすぐ採点する課題: " + ("、".join(chosen) if chosen else "なし"))
    return 0


def _serve(course, args) -> int:
    from .classroom_course import ClassError
    from .on_submit import OnSubmitService

    if not course.info.get("exchange"):
        raise ClassError("このクラスには exchange（JupyterHub での受け渡し）がないので、提出を見張れません。"
                         "setup --exchange で作ったクラスで実行してください。")
    service = OnSubmitService(course, workers=args.workers, allow_root=args.allow_root)
    chosen = course.on_submit_assignments()
    print(f"提出を見張っています（並列数 {service.workers}）。Ctrl-C で止めます。提出したらすぐ採点する課題: "
          + ("、".join(chosen) if chosen else "まだありません（chiiki-iot class on-submit 課題名 で決めます）"), flush=True)
    try:
        service.run()
    except KeyboardInterrupt:
        service.stop.set()
    return 0
