"""Can every account of the training room reach what its servers need? Checked before the hub starts.

The hub runs as root, and starts each learner's and trainer's JupyterLab and each course's
formgrader service as that person's own Unix account. If the project was cloned where those
accounts cannot enter (a 0700 home such as ``/root``, a private temporary folder), the
servers fail one by one with ``PermissionError`` long after the hub started. This module
says so first, naming the folder, the accounts and the fix.

``os.access`` answers for the current user only (root: always yes), so access is computed
from each path component's owner, group and mode against the account's uid and groups
(the classic Unix rules: the owner's bits if it owns it, else the group's if it is in the
group, else the others'). A component carrying a POSIX ACL is not judged (assumed fine).
"""
from __future__ import annotations

import grp
import os
import pwd
import stat
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

R, W, X = 4, 2, 1
WANT_WORDS = {R: "読む", W: "書く", X: "開く・実行する"}


class RoomAccessError(Exception):
    """Some account of the room cannot reach a folder or file it needs (message in Japanese)."""


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gids: frozenset[int]

    @classmethod
    def lookup(cls, name: str) -> Account | None:
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            return None
        try:
            gids = os.getgrouplist(name, pw.pw_gid)
        except OSError:
            gids = [pw.pw_gid]
        return cls(name, pw.pw_uid, frozenset(gids))


@dataclass
class Need:
    """``accounts`` must be able to ``want`` (R|W|X bits) ``path``, and traverse every folder above it."""
    path: Path
    want: int
    what: str
    accounts: list[str]
    kind: str = "room"  # "environment": the project's Python and toolkit; "exchange"; "course"; "config"


@dataclass
class Problem:
    folder: Path        # the component that stops them (or the missing path)
    detail: str         # mode and owner, or "ありません"
    fix: str
    verb: str = "に、アカウント {names} が入れません"
    accounts: list[str] = field(default_factory=list)
    whats: list[str] = field(default_factory=list)


def allowed(st: os.stat_result, account: Account, want: int) -> bool:
    if account.uid == 0:
        return True
    mode = st.st_mode
    if st.st_uid == account.uid:
        bits = (mode >> 6) & 7
    elif st.st_gid in account.gids:
        bits = (mode >> 3) & 7
    else:
        bits = mode & 7
    return bits & want == want


def _has_acl(path: Path) -> bool:
    try:
        return "system.posix_acl_access" in os.listxattr(path)
    except (OSError, AttributeError):
        return False


def _chain(path: Path) -> list[Path]:
    """The folders above ``path`` and ``path`` itself, as written and as resolved (symlinks followed)."""
    out = []
    for p in (Path(os.path.abspath(path)), Path(os.path.realpath(path))):
        out += [*reversed(p.parents), p]
    return list(dict.fromkeys(out))


def _describe(path: Path, st: os.stat_result) -> str:
    try:
        owner = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        owner = str(st.st_uid)
    try:
        group = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        group = str(st.st_gid)
    return f"{stat.filemode(st.st_mode)} {owner}:{group}"


def _fix(component: Path, need: Need, want: int, st: os.stat_result, final: bool) -> str:
    if not final:
        fix = f"`chmod o+x {component}`（中の一覧は見えないまま、通り抜けだけできるようになります）"
        if need.kind == "environment":
            fix += ("。または、プロジェクトを /srv や /opt のような、だれでも入れる場所に clone し直し、"
                    "そこで `./academy test` を実行して .venv を作り直してください（.venv の元の Python が"
                    "入れない場所にあるときは、その Python も /usr/local や /opt に入れ直します）")
        return fix
    if need.kind == "course":
        return f"`chown -R {need.accounts[0]} {component}`（採点用アカウントのフォルダにします）"
    if need.kind == "exchange":
        return f"`chmod 1777 {component}`（nbgrader の exchange は、だれでも書けて消せない共有フォルダです）"
    letters = "".join(c for bit, c in ((R, "r"), (W, "w"), (X, "x")) if want & bit)
    if stat.S_ISDIR(st.st_mode):
        letters = letters.replace("x", "X")
        return f"`chmod -R o+{letters} {component}`"
    return f"`chmod o+{letters} {component}`"


def problems(needs: list[Need]) -> list[Problem]:
    """What stops which account, grouped by the folder to fix (first blocking folder per need and account)."""
    accounts: dict[str, Account | None] = {}
    found: dict[tuple[Path, str], Problem] = {}
    stats: dict[Path, os.stat_result | None] = {}

    def stat_of(p: Path):
        if p not in stats:
            try:
                stats[p] = os.stat(p)
            except FileNotFoundError:
                stats[p] = None
            except OSError:  # we may not look (hub not run as root): do not judge
                stats[p] = False
        return stats[p]

    def add(key, detail, fix, name, what, verb=Problem.verb):
        problem = found.setdefault(key, Problem(key[0], detail, fix, verb))
        if fix.startswith(problem.fix):  # the same folder also blocks the environment: offer moving too
            problem.fix = fix
        if name not in problem.accounts:
            problem.accounts.append(name)
        if what not in problem.whats:
            problem.whats.append(what)

    for need in needs:
        chain = _chain(need.path)
        for name in need.accounts:
            if name not in accounts:
                accounts[name] = Account.lookup(name)
            account = accounts[name]
            if account is None:
                add((Path("/etc/passwd"), "account"), "アカウントがありません",
                    "それぞれ `useradd -m <ID>` でアカウントを作るか、教室の設定ファイル（room.json）から外してください",
                    name, "教室のアカウント")
                continue
            ends = {Path(os.path.abspath(need.path)), Path(os.path.realpath(need.path))}
            for component in chain:
                st = stat_of(component)
                if st is False:
                    break
                if st is None:
                    add((component, "missing"), "ありません", _missing_fix(need), name, need.what)
                    break
                final = component in ends
                want = need.want if final else X
                if not final and not stat.S_ISDIR(st.st_mode):
                    continue
                if not allowed(st, account, want) and not _has_acl(component):
                    add((component, "denied"), _describe(component, st), _fix(component, need, want, st, final), name,
                        need.what, _verb(want) if final else Problem.verb)
                    break
    return list(found.values())


def _verb(want: int) -> str:
    words = "・".join(word for bit, word in WANT_WORDS.items() if want & bit)
    return f"を、アカウント {{names}} が使えません（必要な権限: {words}）"


def _missing_fix(need: Need) -> str:
    if need.kind == "exchange":
        return f"`install -d -m 1777 {need.path}` で作ってください"
    if need.kind == "course":
        return (f"採点用アカウントで `chiiki-iot class setup {need.path} --exchange ... --course-id ...` を実行して"
                "作ってください（grading/README.md の「JupyterHub で教室を動かす」）")
    return "教室の設定ファイルのパスが正しいか確かめてください"


def environment_paths() -> list[tuple[Path, int]]:
    """The project's Python and toolkit that every account's server runs."""
    import chiiki_iot

    bin_dir = Path(sys.executable).parent
    paths = [(Path(sys.executable), R | X), (bin_dir, R | X), (bin_dir / "jupyterhub-singleuser", R | X),
             (Path(sys.prefix), R | X), (Path(os.__file__).parent, R | X),
             (Path(sysconfig.get_paths()["purelib"]), R | X), (Path(chiiki_iot.__file__).parent, R | X)]
    return list(dict.fromkeys(paths))


def room_needs(room: dict, environment: bool = True) -> list[Need]:
    """Every path the room's accounts must reach, and who must reach it."""
    graders = [c["grader"] for c in room.get("courses", [])]
    everyone = list(dict.fromkeys([*room.get("trainers", []), *room.get("learners", []), *graders]))
    needs = []
    if environment:
        for path, want in environment_paths():
            real = Path(os.path.realpath(path))
            what = f"Python の環境 {path}" + (f"（実体は {real}）" if real != path else "")
            needs.append(Need(path, want, what, everyone, "environment"))
    if room.get("exchange"):
        needs.append(Need(Path(room["exchange"]), R | W | X, f"exchange {room['exchange']}", everyone, "exchange"))
    if room.get("config_dir"):
        config_dir = Path(room["config_dir"])
        needs.append(Need(config_dir, R | X, f"Jupyter の設定 {config_dir}", everyone, "config"))
    for course in room.get("courses", []):
        needs.append(Need(Path(course["course_dir"]), R | W | X,
                          f"コース {course['course_id']} のフォルダ {course['course_dir']}", [course["grader"]],
                          "course"))
    return needs


def message(found: list[Problem]) -> str:
    lines = ["教室のアカウントが、JupyterHub で使うフォルダやファイルに入れません。このままでは、学習者・講師の "
             "JupyterLab や採点用のサービスが PermissionError で起動できません。JupyterHub を起動する前に、"
             "root で次のように直してください:"]
    for p in found:
        names = ", ".join(p.accounts[:5]) + (f" ほか {len(p.accounts) - 5} 人" if len(p.accounts) > 5 else "")
        if p.detail == "アカウントがありません":
            lines.append(f"・アカウント {names} がこのマシンにありません。")
        elif p.detail == "ありません":
            lines.append(f"・{p.folder} がありません（アカウント {names} が使います）。")
        else:
            lines.append(f"・{p.folder}（{p.detail}）" + p.verb.format(names=names) + "。")
        if p.whats and p.detail != "アカウントがありません":
            lines.append(f"  使えなくなるもの: {'、'.join(p.whats[:4])}" + (" など" if len(p.whats) > 4 else ""))
        lines.append(f"  直し方: {p.fix}")
    lines.append("直したら、もう一度 JupyterHub を起動してください（起動の前にもう一度この確認をします）。")
    return "\n".join(lines)


def check_room_access(room: dict, environment: bool = True) -> None:
    """Raise ``RoomAccessError`` (Japanese: folder, accounts, fix) if any room account cannot reach what it needs."""
    found = problems(room_needs(room, environment))
    if found:
        raise RoomAccessError(message(found))
