"""The learner roster: a CSV the trainer's office already has (UTF-8, UTF-8 with BOM or CP932).

Columns (Japanese or English headers; only the ID is required)::

    ID,姓,名,メール           or   id,last_name,first_name,email
    tanaka01,田中,花子,...        (氏名 / name in one column is also accepted)

The ID becomes the learner's nbgrader student id and JupyterHub user name, so it
must be lower-case ASCII letters, digits, ``.``, ``_`` or ``-`` (at most 32).
Every row is checked before anything is written; a bad roster changes nothing.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}$")
HEADERS = {
    "id": ("id", "student_id", "学習者id", "受講者id", "ユーザー名", "ユーザ名", "ログイン名"),
    "last_name": ("last_name", "姓", "氏"),
    "first_name": ("first_name", "名"),
    "name": ("name", "氏名", "名前"),
    "email": ("email", "メール", "メールアドレス", "e-mail"),
}


class RosterError(ValueError):
    """The roster cannot be used; the message says, in Japanese, what to fix."""


@dataclass(frozen=True)
class Learner:
    id: str
    last_name: str = ""
    first_name: str = ""
    email: str = ""

    @property
    def display_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip() or self.id


def decode(data: bytes, source: str = "名簿") -> tuple[str, str]:
    """(text, encoding name): UTF-8 (with or without BOM) first, then CP932 (Excel's 'CSV')."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise RosterError(f"{source} の文字コードが分かりません。Excel で「CSV UTF-8（コンマ区切り）」として保存し直してください。")


def _column(headers: list[str], key: str) -> int | None:
    wanted = HEADERS[key]
    for i, h in enumerate(headers):
        if h.strip().lower().replace(" ", "") in wanted:
            return i
    return None


def read_roster(path: Path) -> list[Learner]:
    """Parse and check a roster CSV; raise ``RosterError`` (Japanese) on any problem."""
    path = Path(path)
    if not path.exists():
        raise RosterError(f"名簿のファイル {path} が見つかりません。パスを確かめてください。")
    text, _ = decode(path.read_bytes(), path.name)
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise RosterError(f"{path.name} に行がありません。1行目に見出し（ID,姓,名,メール）を書いてください。")
    headers, body = rows[0], rows[1:]
    cols = {key: _column(headers, key) for key in HEADERS}
    if cols["id"] is None:
        raise RosterError(f"{path.name} に ID の列がありません（見出し: {', '.join(headers)}）。"
                          "1行目に「ID」（または id）という見出しの列を作ってください。")
    learners, problems, first_row = [], [], {}
    for n, row in enumerate(body, start=2):
        def get(key):
            i = cols[key]
            return row[i].strip() if i is not None and i < len(row) else ""
        sid = get("id")
        if not sid:
            problems.append(f"{n}行目: ID が空です。")
            continue
        if not ID_PATTERN.match(sid):
            problems.append(f"{n}行目: ID「{sid}」は使えません。半角の小文字英字・数字・「.」「_」「-」で、32文字までにしてください"
                            "（JupyterHub のユーザー名とフォルダ名になります）。")
            continue
        if sid in first_row:
            problems.append(f"{n}行目: ID「{sid}」が {first_row[sid]}行目と重なっています。一人に一つの ID にしてください。")
            continue
        first_row[sid] = n
        last, first = get("last_name"), get("first_name")
        if not (last or first) and get("name"):
            parts = re.split(r"[\s\u3000]+", get("name"), maxsplit=1)
            last, first = parts[0], (parts[1] if len(parts) > 1 else "")
        learners.append(Learner(sid, last, first, get("email")))
    if problems:
        raise RosterError(f"名簿 {path.name} に直すところがあります（まだ何も登録していません）:\n" +
                          "\n".join(f"  ・{p}" for p in problems))
    if not learners:
        raise RosterError(f"{path.name} に学習者の行がありません。2行目から1人1行で書いてください。")
    return learners
