"""First process inside the sandbox: set resource limits, fill the working folder, start the kernel.

Run by ``Sandbox.wrap`` as ``python -m chiiki_iot.classroom.inside_sandbox ... -- <kernel command>``.
It copies the learner's files (regular files only, never links) into the private
working folder, lowers the resource limits (they cannot be raised again by the
learner's code) and replaces itself with the kernel.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
from pathlib import Path


def copy_regular_files(src: Path, dest: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(src, followlinks=False):
        rel = Path(dirpath).relative_to(src)
        (dest / rel).mkdir(parents=True, exist_ok=True)
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                shutil.copyfile(path, dest / rel / name)


def set_limit(kind: int, value: int) -> None:
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copy-from", type=Path, required=True)
    parser.add_argument("--to", type=Path, required=True)
    parser.add_argument("--memory", type=int, required=True)
    parser.add_argument("--file-size", type=int, required=True)
    parser.add_argument("--processes", type=int, required=True)
    parser.add_argument("--open-files", type=int, required=True)
    parser.add_argument("--cpu", type=int, required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    copy_regular_files(args.copy_from, args.to)
    for d in ("/tmp/home", "/tmp/matplotlib", "/tmp/ipython"):
        os.makedirs(d, exist_ok=True)
    set_limit(resource.RLIMIT_AS, args.memory)
    set_limit(resource.RLIMIT_FSIZE, args.file_size)
    set_limit(resource.RLIMIT_NPROC, args.processes)
    set_limit(resource.RLIMIT_NOFILE, args.open_files)
    set_limit(resource.RLIMIT_CPU, args.cpu)
    set_limit(resource.RLIMIT_CORE, 0)
    os.chdir(args.to)
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
