"""nbgrader's Execute preprocessor, made safe for a class of untrusted submissions.

The course's ``nbgrader_config.py`` puts ``SafeExecute`` in place of nbgrader's
``Execute`` in ``Autograde.autograde_preprocessors``, so *every* autograde run in
the course, from ``chiiki-iot class autograde``, from ``nbgrader autograde`` or
from the formgrader's button, runs learner code:

* in the bubblewrap sandbox (``SandboxedKernelManager``);
* with a per-cell timeout (nbgrader's ``Execute.timeout``): a cell that times out is
  interrupted; if it cannot be interrupted (signals ignored, stuck in C code), or after
  ``max_timeouts`` timeouts, the kernel is stopped and the remaining cells are marked
  as not run, so their tests score 0 while earlier answers still count;
* with at most ``max_output_bytes`` of output kept per cell and ``max_notebook_output_bytes``
  per notebook, counted in bytes (UTF-8 JSON) for every output type and MIME type: stream,
  display_data, execute_result, error, and ``update_display_data``, which nbclient applies
  outside ``output()`` (an output flood does not fill the grader's memory or the feedback);
* a kernel that dies (``os._exit``, a crash, memory limit) ends the notebook the
  same way: cells after it are marked as not run and the rest is still scored;
* with the hidden tests judged outside the learner's kernel (``judge``): test cells run
  only in a separate, sandboxed judge process that holds the course's own set-up code and
  receives the learner's answers as data (``judge_client``), so nothing the learner's code
  does to its own kernel (rebinding ``checks``, hooks, patching, a shadowing package)
  reaches the tests or their verdict.

What happened is logged (``[chiiki-iot] ...``) and collected in ``EVENTS`` for the
class report.
"""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbclient.util import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

from .judge_client import (LEARNER, LOCKED, TEST, JudgeFailed, JudgeProcess, NotebookPlan, cell_role,
                           course_file_map, kernel_helpers)
from .kernel import INSIDE_HOME, SandboxedKernelManager
from .sandbox import Sandbox, refuse_root, running_as_root
from .warm_pool import JUDGE, KERNEL, setup_imports, zygote_for

# Events of the notebooks executed in this process: dicts with kind, cell, notebook, student.
EVENTS: list[dict] = []

NOT_RUN = "このセルは実行しませんでした（前のセルが止まらなかったか、カーネルが終了したためです）。"
KERNEL_DIED = "このセルの実行中に Python（カーネル）が終了しました。os._exit やメモリの使いすぎがないか確かめてください。"
TIMEOUT = "このセルは時間内に終わりませんでした（上限 {seconds} 秒）。無限ループになっていないか確かめてください。"
JUDGE_STOPPED = "採点のテストを実行できませんでした（採点用のプロセスが止まりました）。講師に知らせてください。"
OUTPUT_CUT = "\n……出力が多すぎるため、ここから先は記録していません（上限 {limit} バイト）。\n"


def _error_output(ename: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


def _size(content) -> int:
    """Bytes an output takes in the notebook file (its UTF-8 JSON), whatever its type."""
    keep = {k: content[k] for k in ("text", "data", "metadata", "traceback", "ename", "evalue") if k in content}
    return len(json.dumps(keep, ensure_ascii=False, default=str).encode("utf-8"))


class SafeExecute(Execute):
    """``nbgrader.preprocessors.Execute`` with a sandboxed kernel and limits."""

    sandbox = Bool(True, help="Run the kernel in the bubblewrap sandbox (turn off only for trusted work).").tag(config=True)
    max_output_bytes = Integer(500_000, help="Output kept per cell, in bytes (a figure is ~50 000).").tag(config=True)
    max_notebook_output_bytes = Integer(5_000_000, help="Output kept per notebook, in bytes.").tag(config=True)
    allow_root = Bool(False, help="Grade even when running as root (refused otherwise; recorded in the log).").tag(config=True)
    max_timeouts = Integer(3, help="Cells that may time out before the rest of the notebook is not run.").tag(config=True)
    judge = Bool(True, help="Run test cells in a separate judge process, outside the learner's kernel.").tag(config=True)
    warm_start = Bool(True, help="Fork kernels and judges from warm, sandboxed zygotes (warm_pool).").tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(**kwargs)
        if not self.sandbox:
            self.kernel_manager_class = AsyncKernelManager
        self.shutdown_kernel = "immediate"
        self._hidden: list[str] = []
        self._context: dict = {}

    # -- per notebook -------------------------------------------------------
    def preprocess(self, nb, resources=None, km=None):
        resources = resources or {}
        self._output_bytes: dict[int, int] = {}
        self._notebook_bytes = 0
        self._full: set[int] = set()       # cells whose output reached a cap
        self._sizes: dict[int, int] = {}   # id(output) -> bytes it holds now
        self._timeouts = 0
        self._stopped: str | None = None
        info = resources.get("nbgrader", {})
        self._context = {"student": info.get("student"), "assignment": info.get("assignment"),
                         "notebook": info.get("notebook")}
        self._hidden = _grader_paths(resources)
        refuse_root(self.allow_root)
        if running_as_root():
            self.log.warning("[chiiki-iot] %s", json.dumps(dict(self._context, kind="as_root", where=None,
                                                                detail="root で採点しました（allow_root）"),
                                                           ensure_ascii=False))
        if not self.sandbox:
            self._event("unsandboxed", None, "分離なしで実行しました（--unsafe-no-sandbox）")
        self._kernel_managers: list[SandboxedKernelManager] = []
        self._plan = NotebookPlan.of(nb) if self.judge else None
        # what the notebook's locked (course) cells import: the warm zygotes import it once
        self._modules = setup_imports([c.source for c in nb.cells if c.cell_type == "code" and cell_role(c) == LOCKED])
        self._judge: JudgeProcess | None = None
        self._judge_broken = False
        self._helpers_defined = False
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            if self._judge is not None:
                run_sync(self._close_judge)()
            for manager in self._kernel_managers:  # also after a kernel that died or was killed
                manager.remove_jail()

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if isinstance(km, SandboxedKernelManager):
            km.sandbox = Sandbox.find()
            km.hidden_paths = self._hidden
            if self.warm_start:
                km.zygote = zygote_for(KERNEL, self._assignment_name(), self._modules)
            self._kernel_managers.append(km)
        return km

    def _assignment_name(self) -> str:
        return str(self._context.get("assignment") or "assignment")

    # -- per cell -----------------------------------------------------------
    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if self._stopped and cell.cell_type == "code" and cell.source.strip():
            cell.outputs = [_error_output("NotExecuted", NOT_RUN)]
            return cell
        role = self._plan.roles[cell_index] if self._plan is not None else None
        if role == TEST:
            return await self._judge_test(cell)
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
            if role == LOCKED and cell.source.strip():
                await self._judge_locked(cell, cell_index)
            elif role == LEARNER and cell_index in self._plan.handed and not self._stopped:
                await self._hand_over(self._plan.handed[cell_index])
            return cell
        except DeadKernelError:
            self._stop("kernel_died", cell_index)
            cell.outputs = list(cell.get("outputs", [])) + [_error_output("KernelDied", KERNEL_DIED)]
            return cell
        except CellTimeoutError:
            # interrupted but still busy (signals ignored, stuck in C code): stop this kernel
            self._stop("too_many_timeouts", cell_index)
            await self.km.shutdown_kernel(now=True)
            cell.outputs = list(cell.get("outputs", [])) + [
                _error_output("CellTimeoutError", TIMEOUT.format(seconds=self.timeout))]
            return cell

    # -- the judge ----------------------------------------------------------
    async def _judge_test(self, cell):
        """A test cell: run in the judge only; its outputs there are what nbgrader scores."""
        if self._judge is not None:
            self._judge.sync_from(self._learner_folder())
        reply = await self._judge_request({"op": "run", "code": cell.source, "test": True})
        if reply is None:
            cell.outputs = [_error_output("JudgeStopped", JUDGE_STOPPED)]
            return cell
        cell.outputs = [NotebookNode(o) for o in reply.get("outputs", [])]
        for out in cell.outputs:
            if out.get("output_type") == "display_data":
                out["data"] = NotebookNode(out.get("data", {}))
                out["metadata"] = NotebookNode(out.get("metadata", {}))
        return cell

    async def _judge_request(self, message: dict | None) -> dict | None:
        """One request to this notebook's judge (started on first use); None if it cannot answer
        (``message`` None: only wait until it has started and run the early set-up)."""
        if self._judge_broken:
            return None
        try:
            if self._judge is None:
                self._start_judge()
            await self._judge_started
            if message is None:  # only wait for the start
                return None
            return await self._judge.request(message, timeout=max(self.timeout or 60, 30),
                                             on_call=self._call_learner_function)
        except (JudgeFailed, OSError, ValueError, RuntimeError) as e:
            self._judge_broken = True
            self._event("judge_stopped", None, f"採点用のプロセスが止まりました（{e}）")
            return None

    def _start_judge(self) -> None:
        """Start the judge and, without waiting for the learner's kernel, run the locked cells that
        come before any answer (the set-up: imports, data, ``checks``) in it."""
        sandbox, course_files = self._sandbox_for_judge(), self._course_files()
        zygote = None
        if sandbox is not None and self.warm_start:
            zygote = zygote_for(JUDGE, self._assignment_name(), self._modules,
                                read_only=course_file_map(course_files))
        self._judge = JudgeProcess(sandbox, course_files, self._assignment_name(), zygote=zygote)
        early = []
        for index, role in enumerate(self._plan.roles):
            if role == TEST or index in self._plan.handed:
                break
            if role == LOCKED and self.nb.cells[index].source.strip():
                early.append(index)
        self._judge_early = {}
        self._judge_started = asyncio.ensure_future(self._start_and_set_up(early))

    async def _start_and_set_up(self, early: list[int]) -> None:
        await self._judge.start()
        for index in early:
            self._judge_early[index] = await self._judge.request(
                {"op": "run", "code": self.nb.cells[index].source}, timeout=max(self.timeout or 60, 30))

    async def _judge_locked(self, cell, cell_index: int) -> None:
        """A locked (course) cell in the judge too; a failure there is told to the trainer."""
        if self._judge is not None and cell_index in getattr(self, "_judge_early", {}):
            await self._judge_request(None)
            reply = self._judge_early.get(cell_index)
        else:
            reply = await self._judge_request({"op": "run", "code": cell.source})
        failed = [o for o in (reply or {}).get("outputs", []) if o.get("output_type") == "error"]
        if failed:
            self._event("judge_setup_error", f"セル {cell_index + 1}",
                        f"採点用のプロセスで準備のセルが失敗しました: {failed[0].get('evalue', '')[:300]}")

    async def async_start_new_kernel(self, **kwargs):
        """The judge starts beside the learner's kernel (both import the notebook's libraries)."""
        if self._plan is not None and TEST in self._plan.roles and self._judge is None:
            self._start_judge()
        await super().async_start_new_kernel(**kwargs)

    async def _close_judge(self) -> None:
        if not self._judge_started.done():
            self._judge_started.cancel()
        await asyncio.gather(self._judge_started, return_exceptions=True)
        await self._judge.close()

    async def _hand_over(self, names: list[str]) -> None:
        """Carry the learner's answers named ``names`` to the judge, as data."""
        reply = await self._kernel_expressions({n: f"_chiiki_iot_answer({n!r})" for n in names})
        values = {name: text for name, text in reply.items() if text is not None}
        if values:
            await self._judge_request({"op": "bind", "values": values})

    async def _call_learner_function(self, call: dict) -> dict:
        name, payload = str(call.get("name", "")), str(call.get("args", ""))
        if not name.isidentifier() or self._stopped:
            return {"op": "raise", "ename": "RuntimeError", "evalue": "関数を呼べませんでした"}
        reply = await self._kernel_expressions({"r": f"_chiiki_iot_call({name!r}, {payload!r})"}, errors=True)
        result = reply.get("r")
        if isinstance(result, dict):
            return {"op": "raise", **result}
        return {"op": "result", "value": result}

    async def _kernel_expressions(self, expressions: dict[str, str], errors: bool = False) -> dict:
        """Evaluate ``expressions`` silently in the learner's kernel; their text values (an error's
        name and message instead when ``errors``; None when there is none)."""
        code = "" if self._helpers_defined else kernel_helpers()
        self._helpers_defined = True
        msg_id = self.kc.execute(code, silent=True, store_history=False, user_expressions=expressions,
                                 allow_stdin=False)
        reply = await self.async_wait_for_reply(msg_id)
        found = (reply or {}).get("content", {}).get("user_expressions", {}) or {}
        result: dict = {}
        for key in expressions:
            value = found.get(key, {})
            if value.get("status") == "ok":
                result[key] = _literal_text(value.get("data", {}).get("text/plain"))
            elif errors:
                ename = value.get("ename") or ("TimeoutError" if reply is None else "RuntimeError")
                result[key] = {"ename": str(ename), "evalue": str(value.get("evalue", ""))[:2000]}
            else:
                result[key] = None
        return result

    def _learner_folder(self) -> Path | None:
        """The learner's working folder as the grader reaches it (inside the kernel's sandbox)."""
        km = self.km
        pid = getattr(km, "sandbox_pid", None)
        if pid is not None:
            return Path(f"/proc/{pid}/root") / INSIDE_HOME.relative_to("/") / km.working_name
        path = self.resources.get("metadata", {}).get("path")
        return Path(path) if path else None

    def _course_files(self) -> Path | None:
        """The course's own files of this assignment (``source/<assignment>``), trusted by the judge."""
        roots = [p for p in _grader_paths(self.resources) if Path(p).is_dir()]
        assignment = self._context.get("assignment")
        for root in roots:
            candidate = Path(root) / "source" / str(assignment)
            if assignment and candidate.is_dir():
                return candidate
        return None

    def _sandbox_for_judge(self) -> Sandbox | None:
        return Sandbox.find() if self.sandbox else None

    # nbclient binds the synchronous wrapper to its own coroutine: bind it to ours
    execute_cell = run_sync(async_execute_cell)

    async def _async_handle_timeout(self, timeout, cell=None):
        self._timeouts += 1
        self._event("timeout", _grade_id(cell), f"{timeout} 秒で終わりませんでした")
        reply = await super()._async_handle_timeout(timeout, cell)
        if reply is not None:
            reply["content"]["ename"] = "CellTimeoutError"
            reply["content"]["evalue"] = TIMEOUT.format(seconds=timeout)
            reply["content"]["traceback"] = ["CellTimeoutError: " + TIMEOUT.format(seconds=timeout)]
        if self._timeouts >= self.max_timeouts and not self._stopped:
            self._stop("too_many_timeouts", None)
            await self.km.shutdown_kernel(now=True)
        return reply

    def output(self, outs, msg, display_id, cell_index):
        if cell_index in self._full:
            return None
        size = _size(msg.get("content", {}))
        used = self._output_bytes.get(cell_index, 0)
        if used + size > self.max_output_bytes or self._notebook_bytes + size > self.max_notebook_output_bytes:
            self._full.add(cell_index)  # nothing more from this cell; one note instead
            self._event("output_flood", None, f"セル {cell_index + 1} の出力が上限を超えました")
            out = self._cut_note()
            outs.append(out)
            return out
        self._output_bytes[cell_index] = used + size
        self._notebook_bytes += size
        out = super().output(outs, msg, display_id, cell_index)
        if out is not None:
            self._sizes[id(out)] = size
        return out

    def _update_display_id(self, display_id, msg):
        """``update_display_data`` (and display_data with a known id) replace earlier outputs in place:
        count the new size in the cells and the notebook holding them, drop what exceeds a cap."""
        targets = [(cell_idx, self.nb["cells"][cell_idx]["outputs"][i])
                   for cell_idx, indices in self._display_id_map.get(display_id, {}).items() for i in indices]
        size = _size(msg.get("content", {}))
        growth: dict[int, int] = {}
        for cell_idx, out in targets:
            growth[cell_idx] = growth.get(cell_idx, 0) + size - self._sizes.get(id(out), 0)
        total = sum(growth.values())
        if any(self._output_bytes.get(c, 0) + g > self.max_output_bytes for c, g in growth.items()) \
                or self._notebook_bytes + total > self.max_notebook_output_bytes:
            self._event("output_flood", None, "表示の更新（update_display）が出力の上限を超えました")
            note = self._cut_note()
            for cell_idx, out in targets:
                out["data"] = {"text/plain": note["text"]}
                out["metadata"] = {}
                self._sizes[id(out)] = len(note["text"].encode("utf-8"))
            return None
        for cell_idx, g in growth.items():
            self._output_bytes[cell_idx] = self._output_bytes.get(cell_idx, 0) + g
        self._notebook_bytes += total
        super()._update_display_id(display_id, msg)
        for _, out in targets:
            self._sizes[id(out)] = size
        return None

    def _cut_note(self) -> NotebookNode:
        return NotebookNode(output_type="stream", name="stderr",
                            text=OUTPUT_CUT.format(limit=f"1セル {self.max_output_bytes:,}・"
                                                       f"ノートブック全体 {self.max_notebook_output_bytes:,}"))

    # -- recording ----------------------------------------------------------
    def _stop(self, kind: str, cell_index: int | None) -> None:
        self._stopped = kind
        detail = {"kernel_died": "カーネルが途中で終了しました",
                  "too_many_timeouts": "時間切れが続いたため、残りのセルを実行しませんでした"}[kind]
        self._event(kind, None if cell_index is None else f"セル {cell_index + 1}", detail)

    def _event(self, kind: str, where: str | None, detail: str) -> None:
        event = dict(self._context, kind=kind, where=where, detail=detail)
        EVENTS.append(event)
        self.log.warning("[chiiki-iot] %s", json.dumps(event, ensure_ascii=False))


def _literal_text(text) -> str | None:
    """The string a kernel showed as ``'...'`` (text/plain of a str), read as a literal, never run."""
    import ast

    try:
        value = ast.literal_eval(text) if isinstance(text, str) else None
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def _grade_id(cell) -> str | None:
    if cell is None:
        return None
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _grader_paths(resources: dict) -> list[str]:
    """The course root and the gradebook of the notebook being autograded."""
    paths = []
    path = Path(resources.get("metadata", {}).get("path") or ".").resolve()
    if "autograded" in path.parts:
        idx = len(path.parts) - 1 - path.parts[::-1].index("autograded")
        paths.append(str(Path(*path.parts[:idx])))
    db_url = resources.get("nbgrader", {}).get("db_url", "")
    if db_url.startswith("sqlite:///"):
        paths.append(str(Path(db_url[len("sqlite:///"):].split("?")[0]).resolve()))
    return paths
