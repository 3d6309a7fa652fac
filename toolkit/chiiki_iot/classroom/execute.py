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
  same way: cells after it are marked as not run and the rest is still scored.

What happened is logged (``[chiiki-iot] ...``) and collected in ``EVENTS`` for the
class report.
"""
from __future__ import annotations

import json
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbclient.util import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

from .kernel import SandboxedKernelManager
from .sandbox import Sandbox, refuse_root, running_as_root

# Events of the notebooks executed in this process: dicts with kind, cell, notebook, student.
EVENTS: list[dict] = []

NOT_RUN = "このセルは実行しませんでした（前のセルが止まらなかったか、カーネルが終了したためです）。"
KERNEL_DIED = "このセルの実行中に Python（カーネル）が終了しました。os._exit やメモリの使いすぎがないか確かめてください。"
TIMEOUT = "このセルは時間内に終わりませんでした（上限 {seconds} 秒）。無限ループになっていないか確かめてください。"
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
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            for manager in self._kernel_managers:  # also after a kernel that died or was killed
                manager.remove_jail()

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if isinstance(km, SandboxedKernelManager):
            km.sandbox = Sandbox.find()
            km.hidden_paths = self._hidden
            self._kernel_managers.append(km)
        return km

    # -- per cell -----------------------------------------------------------
    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if self._stopped and cell.cell_type == "code" and cell.source.strip():
            cell.outputs = [_error_output("NotExecuted", NOT_RUN)]
            return cell
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
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
