"""The ``chiiki-iot`` command (help in Japanese and English)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

DESCRIPTION = """\
地域IoTアカデミーのコマンドです。
The command of 地域IoTアカデミー (regional IoT academy).

例 / examples:
  chiiki-iot lab                 学習用フォルダで JupyterLab を開く / open JupyterLab on the learner workspace
  chiiki-iot lab --trainer       講師用: courses/ を解答つきで開く / trainers: open courses/ with solutions
  chiiki-iot check-notebooks     ノートブックの約束ごとを確かめる / check notebook conventions
  chiiki-iot club-handouts       ICTクラブの印刷用プリント（HTML）を作る / printable ICT club handouts
  chiiki-iot class --help        講師用: クラスの運営（配布・採点・成績）/ trainers: run a class
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chiiki-iot", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="コマンド / command")

    lab = sub.add_parser(
        "lab", help="JupyterLab を日本語の画面で起動し、URL を表示します / start JupyterLab (Japanese UI) and print its URL",
        description="JupyterLab を日本語の画面で起動します。\nStart JupyterLab with the Japanese UI.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    lab.add_argument("--trainer", action="store_true",
                     help="講師用: courses/ を解答・隠しテストつきで開く / trainers: open courses/ with solutions")
    lab.add_argument("--workspace", type=Path,
                     help="学習用フォルダの場所（既定: リポジトリの workspace/）/ learner workspace folder")
    lab.add_argument("--courses", type=Path,
                     help="講師用モードで開く教材フォルダ（既定: リポジトリの courses/）/ trainers: course folder to open")
    lab.add_argument("--port", type=int, help="ポート番号 / port number")
    lab.add_argument("--no-browser", action="store_true",
                     help="ブラウザを自動で開かない / do not open a browser")

    check = sub.add_parser(
        "check-notebooks",
        help="ノートブックが約束ごと（表紙・見出し・採点セル）を守っているか確かめます / check notebook conventions",
        description="ノートブックの約束ごとを確かめます。\nCheck notebooks against the curriculum conventions.")
    check.add_argument("paths", nargs="*", type=Path,
                       help="ノートブックまたはフォルダ（既定: courses/）/ notebooks or folders (default: courses/)")

    handouts = sub.add_parser(
        "club-handouts",
        help="ICTクラブのセッションを印刷用のプリント（A4 の HTML）にします / printable handouts of the ICT club sessions",
        description="地域ICTクラブの各セッションを、印刷用のプリント（A4・大きな文字・ふりがなつきの HTML）にします。\n"
                    "ブラウザで index.html を開いて印刷します（Ctrl + P）。\n"
                    "Write one printable A4 HTML page per ICT club session, and an index.html.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    handouts.add_argument("--out", type=Path, default=Path("handouts_print"), metavar="DIR",
                          help="書き出すフォルダ（既定: 今のフォルダの handouts_print/）/ output folder "
                               "(default: handouts_print/ in the current folder)")

    from .classroom.commands import add_parser as add_class_parser

    add_class_parser(sub)
    return parser


def _version() -> str:
    from . import __version__

    return f"chiiki-iot {__version__}"


def _check_notebooks(paths: list[Path]) -> int:
    from .curriculum.modules import courses_root
    from .curriculum.rules import check_notebook

    paths = paths or [courses_root()]
    notebooks = [n for p in paths for n in ([p] if p.suffix == ".ipynb" else sorted(p.rglob("*.ipynb")))
                 if ".ipynb_checkpoints" not in n.parts]
    found = [v for n in notebooks for v in check_notebook(n, warnings=True)]
    problems = [v for v in found if not v.is_warning]
    notes = [v for v in found if v.is_warning]
    for v in problems + notes:
        print(v)
    summary = "問題はありません。" if not problems else f"{len(problems)} 件の問題があります。"
    if notes:
        summary += f"（注意 {len(notes)} 件: 直さなくても通りますが、確かめてください）"
    print(f"{len(notebooks)} 冊を確かめました: " + summary)
    return 1 if problems else 0


def _club_handouts(out: Path) -> int:
    from .curriculum.club_handouts import write_handouts

    written = write_handouts(out)
    for page in written[:-1]:
        print(page)
    print(f"{len(written) - 1} セッションのプリントを書き出しました。ブラウザで開いて印刷します: {written[-1]}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "lab":
        from .lab import run

        return run(trainer=args.trainer, workspace=args.workspace, port=args.port,
                   open_browser=not args.no_browser, courses=args.courses)
    if args.command == "check-notebooks":
        return _check_notebooks(args.paths)
    if args.command == "club-handouts":
        return _club_handouts(args.out)
    if args.command == "class":
        from .classroom.commands import run as run_class

        return run_class(args)
    build_parser().print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
