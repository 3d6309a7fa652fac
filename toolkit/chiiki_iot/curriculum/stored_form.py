"""The form notebooks are kept in: course notebooks as stored, learner copies as the kernel sees them.

Course notebooks under ``courses/`` are stored in nbformat's canonical JSON (one-space indent,
sorted keys, non-ASCII as is, a final newline) with no outputs and a bare
``"language_info": {"name": "python"}``. Opening one fills in what the kernel reports
(``language_info``), running it adds outputs and timings. ``stored_notebook`` removes all of
that again, so that

* ``chiiki-iot lab --trainer`` writes back an unchanged course notebook byte for byte
  (``pre_save_hook``, a jupyter_server ``ContentsManager.pre_save_hook``);
* the learner workspace's fingerprint of a module (``curriculum.workspace``) does not change
  when a trainer merely opened or ran it.

Learner copies go the other way: ``kernel_metadata`` is what this interpreter's kernel will
report, filled in before the copy is placed so that opening it does not mark it as changed.

>>> nb = nbformat.v4.new_notebook(metadata={"language_info": {"name": "python", "version": "3.11.7"}})
>>> stored_notebook(nb).metadata.language_info
{'name': 'python'}
"""
from __future__ import annotations

import copy
import functools
import sys

import nbformat

# notebook metadata a kernel or a Jupyter front end writes by itself (not the author)
KERNEL_FILLED = ("widgets",)
# cell metadata a front end writes by itself: execution timings, output scrolling
CELL_FILLED = ("execution", "scrolled")


def stored_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` as course notebooks are stored: no outputs, no kernel-filled metadata."""
    nb = copy.deepcopy(nb)
    info = nb.metadata.get("language_info")
    if isinstance(info, dict) and "name" in info:
        nb.metadata["language_info"] = nbformat.NotebookNode(name=info["name"])
    for key in KERNEL_FILLED:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in CELL_FILLED:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def notebook_bytes(nb: nbformat.NotebookNode) -> bytes:
    """``nb`` exactly as ``nbformat.write`` (and so jupyter_server) writes it to disk."""
    text = nbformat.writes(nb, version=nbformat.NO_CONVERT)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def stored_bytes(nb: nbformat.NotebookNode) -> bytes:
    """The bytes of ``nb`` in its stored form (what ``courses/`` holds)."""
    return notebook_bytes(stored_notebook(nb))


def pre_save_hook(model: dict, **kwargs) -> None:
    """jupyter_server ``ContentsManager.pre_save_hook`` of ``chiiki-iot lab --trainer``.

    A notebook is saved in its stored form: what the kernel and JupyterLab filled in on
    opening, and the outputs of running it, stay in the browser and do not reach ``courses/``.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    nb = stored_notebook(nbformat.from_dict(model["content"]))
    model["content"].clear()
    model["content"].update(nb)


def kernel_language_info() -> dict:
    """``language_info`` exactly as this interpreter's ipykernel reports it (kernel_info_reply).

    Written out rather than read from ``ipykernel.ipkernel``: importing that module loads
    ipykernel's shell into a process that is no kernel (``chiiki-iot lab``, a test worker), and
    libraries such as tqdm then think they run in a notebook. tests/test_workspace.py compares
    these values with a real kernel's reply.
    """
    return {"name": "python", "version": sys.version.split()[0], "mimetype": "text/x-python",
            "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
            "pygments_lexer": "ipython3", "nbconvert_exporter": "python", "file_extension": ".py"}


def kernel_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` with ``language_info`` and ``kernelspec`` as JupyterLab will set them when its kernel starts.

    JupyterLab compares the values it sets with those present (deep equality): equal values
    leave the notebook unchanged, so it does not show the unsaved-changes dot on opening.
    """
    nb = copy.deepcopy(nb)
    if nb.metadata.get("language_info", {}).get("name", "python") == "python":
        nb.metadata["language_info"] = nbformat.from_dict(kernel_language_info())
        spec = nb.metadata.get("kernelspec")
        found = _kernel_spec(spec["name"]) if isinstance(spec, dict) and spec.get("name") else None
        if found:
            nb.metadata["kernelspec"] = nbformat.NotebookNode(name=spec["name"], **found)
    return nb


@functools.lru_cache(maxsize=None)
def _kernel_spec(name: str) -> dict | None:
    """``display_name`` and ``language`` of the installed kernel ``name`` (None: not installed here)."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return None
    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return None
    return {"display_name": spec.display_name, "language": spec.language}
