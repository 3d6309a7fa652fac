"""The judge: the process that runs a notebook's hidden tests, outside the learner's kernel.

Started by ``SafeExecute`` (``judge_client``) for each notebook it autogrades, in a
sandbox of its own (``python -I -m chiiki_iot.classroom.judge``: isolated mode, so a
``chiiki_iot`` folder among the learner's files is never imported). It runs only code
the course wrote: the notebook's locked set-up cells and its test cells (as restored from
the gradebook by nbgrader). The learner's answers reach it as *data* (``answer_transfer``);
a learner's function becomes a stand-in that asks the grader to call the real one in the
learner's kernel and gets the result back as data. So nothing in the learner's kernel
(a rebound ``checks``, an IPython hook, a patched ``assert``, numpy or pandas, a shadowing
package, an object that equals everything) can touch the tests or their verdict.

Protocol: one JSON object per line each way, on the pipes the judge was started with as
stdin and stdout (moved to descriptors of its own; fds 0 and 1 then lead to /dev/null).
The judge cannot be traced and its memory cannot be opened by other processes of its user
(``PR_SET_DUMPABLE`` 0), and the course's files are mounted read-only in its sandbox:
a learner's MicroPython program that a sensor lab's test runs here cannot change either.

* ``{"op": "run", "code": "...", "test": true}`` -> ``{"op": "done", "outputs": [...]}``
  (nbformat outputs: streams, displays and an ``error`` with only the message, never code);
* ``{"op": "bind", "values": {"name": "<answer_transfer text>"}}`` -> ``{"op": "done"}``;
* while a test runs, a learner function's stand-in sends ``{"op": "call", "name": ...,
  "args": "<base64 pickle of (args, kwargs)>"}`` and reads ``{"op": "result", "value": ...}``
  or ``{"op": "raise", "ename": ..., "evalue": ...}``.
"""
from __future__ import annotations

import base64
import builtins
import json
import os
import pickle
import sys

from .answer_transfer import CallableAnswer, decode

MAX_MESSAGE = 64


class LearnerFunctionError(Exception):
    """The learner's function raised an error of a kind the judge does not know by name."""


class Judge:
    def __init__(self, reader, writer):
        from IPython.core.interactiveshell import InteractiveShell

        self.reader = reader
        self.writer = writer
        self.shell = InteractiveShell.instance()
        # the judge shows no figures: ``%matplotlib inline`` in a set-up cell selects nothing here
        self.shell.register_magic_function(lambda line: None, "line", "matplotlib")

    # -- protocol ---------------------------------------------------------------
    def send(self, message: dict) -> None:
        self.writer.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.writer.flush()

    def receive(self) -> dict | None:
        line = self.reader.readline()
        return json.loads(line) if line else None

    def serve(self) -> None:
        while (request := self.receive()) is not None:
            op = request.get("op")
            if op == "run":
                self.send({"op": "done", "outputs": self.run(request["code"])})
            elif op == "bind":
                self.bind(request.get("values", {}))
                self.send({"op": "done"})
            elif op == "quit":
                return

    # -- work -------------------------------------------------------------------
    def run(self, source: str) -> list[dict]:
        """Run course code in the judge's namespace; its outputs as nbformat outputs."""
        from IPython.utils.capture import capture_output

        error = None
        with self.shell.builtin_trap, capture_output(display=True) as captured:
            try:
                code = compile(self.shell.transform_cell(source), "<採点のテスト>", "exec")
                exec(code, self.shell.user_ns)  # noqa: S102 - the course's own test code
            except Exception as e:  # noqa: BLE001 - a failing test is the verdict
                error = e
        outputs = []
        for name, text in (("stdout", captured.stdout), ("stderr", captured.stderr)):
            if text:
                outputs.append({"output_type": "stream", "name": name, "text": text})
        for shown in captured.outputs:
            outputs.append({"output_type": "display_data", "data": shown.data, "metadata": shown.metadata or {}})
        if error is not None:
            ename, evalue = type(error).__name__, str(error)
            outputs.append({"output_type": "error", "ename": ename, "evalue": evalue,
                            "traceback": [f"{ename}: {evalue}"]})
        return outputs

    def bind(self, values: dict[str, str]) -> None:
        for name, text in values.items():
            value = decode(text)
            self.shell.user_ns[name] = self.stand_in(value) if isinstance(value, CallableAnswer) else value

    def stand_in(self, learner_function: CallableAnswer):
        """A function of the judge's that has the learner's function called in the learner's kernel."""
        judge, name = self, learner_function.name

        def call(*args, **kwargs):
            payload = base64.b64encode(pickle.dumps((args, kwargs))).decode("ascii")
            judge.send({"op": "call", "name": name, "args": payload})
            reply = judge.receive() or {"op": "raise", "ename": "RuntimeError", "evalue": "採点が中断されました"}
            if reply.get("op") == "result":
                return decode(reply.get("value"))
            raise _learner_error(str(reply.get("ename", "")), str(reply.get("evalue", "")))

        call.__name__ = call.__qualname__ = name
        call.__signature__ = learner_function.signature()
        return call


def _learner_error(ename: str, evalue: str) -> Exception:
    """The learner function's error as the built-in exception of that name (hidden tests may expect
    one), else as ``LearnerFunctionError``; never a class the learner defined."""
    known = getattr(builtins, ename, None) if ename.isidentifier() and len(ename) <= MAX_MESSAGE else None
    if isinstance(known, type) and issubclass(known, Exception):
        return known(evalue[:2000])
    return LearnerFunctionError(f"{ename[:MAX_MESSAGE]}: {evalue[:2000]}")


def not_dumpable() -> None:
    """No other process of the same user (a learner's MicroPython program that a sensor lab's test runs
    here, and anything it starts) may trace this process or open its memory or file descriptors."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):  # not Linux: the judge runs unsandboxed there anyway
        pass


def main() -> int:
    not_dumpable()
    # the protocol moves to descriptors of its own (os.dup: not inherited by subprocesses); fds 0 and 1
    # become /dev/null, so nothing else (a subprocess, C code) can read or write the protocol
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    sys.stdin = open(0, "r", encoding="utf-8", closefd=False)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
    os.environ.setdefault("MPLBACKEND", "Agg")
    Judge(requests, replies).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
