"""Answers carried out of a learner's kernel as plain data, for grading outside that kernel.

``encode`` runs inside the learner's kernel and turns an answer into JSON text: numbers,
strings, lists, tuples, sets, dicts, numpy arrays and scalars, pandas DataFrames, Series
and Index, dates and times, paths dataclasses, enums and the toolkit's own objects (by field). A function is sent as a
*name* only (the judge calls it back through the grader, see ``judge``). Anything else
becomes an ``Unreadable`` placeholder that equals nothing.

This module is also sent as source text into the learner's kernel and run there (see
``judge_client.kernel_helpers``): it imports only the standard library at the top.

``decode`` runs in the judge, a clean process. It builds values from that text with
pandas, numpy and the standard library only: no pickle, no ``eval``, no class of the
learner's. Whatever the learner's kernel sends (it may be hooked, patched or lying) can
only ever be *data*: an object that claims to equal every answer cannot come through.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import importlib
import io
import json
import math
from pathlib import Path, PurePath
from typing import Any

TAG = "__chiiki__"
TOOLKIT = "chiiki_iot."   # the only package whose classes the judge rebuilds
MAX_CHARS = 20_000_000   # the largest answer text the judge reads
MAX_DEPTH = 60


class Unreadable:
    """An answer that could not be carried out of the learner's kernel: it equals nothing."""

    def __init__(self, type_name: str, reason: str = ""):
        self.type_name = type_name
        self.reason = reason

    def __eq__(self, other):
        return False

    def __ne__(self, other):
        return True

    __hash__ = None

    def __repr__(self):
        return f"<採点に持ち出せない値: {self.type_name}>"


class CallableAnswer:
    """A function of the learner's, known by the name it has in their notebook, with the names and
    kinds of its parameters (format checks count them)."""

    def __init__(self, name: str, params: tuple = ()):
        self.name = name
        self.params = params

    def __repr__(self):
        return f"CallableAnswer({self.name!r}, {self.params!r})"

    def signature(self):
        """An ``inspect.Signature`` with the learner's parameter names and kinds (defaults not carried)."""
        import inspect

        params = []
        for pname, kind, has_default in self.params:
            try:
                params.append(inspect.Parameter(str(pname), inspect._ParameterKind(int(kind)),
                                                default=None if has_default else inspect.Parameter.empty))
            except (ValueError, TypeError):
                return None
        try:
            return inspect.Signature(params)
        except (ValueError, TypeError):
            return None


# -- in the learner's kernel ---------------------------------------------------
def encode(value: Any, name: str | None = None) -> str:
    """JSON text of ``value``; a function given by ``name`` is sent as that name."""
    return json.dumps(_out(value, 0, name), ensure_ascii=False, allow_nan=False)


def _out(v: Any, depth: int, name: str | None = None):  # noqa: C901 - one branch per kind of value
    if depth > MAX_DEPTH:
        return _unreadable(v, "入れ子が深すぎます")
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int) and type(v) is int:
        return v
    if type(v) is float:
        return v if math.isfinite(v) else {TAG: "float", "v": repr(v)}
    if type(v) in (list, tuple, set, frozenset):
        items = [_out(x, depth + 1) for x in v]
        return items if type(v) is list else {TAG: type(v).__name__, "items": items}
    if type(v) is dict:
        return {TAG: "dict", "items": [[_out(k, depth + 1), _out(x, depth + 1)] for k, x in v.items()]}
    module = type(v).__module__.split(".")[0]
    if module == "pandas":
        return _pandas_out(v, depth)
    if module == "numpy":
        return _numpy_out(v, depth)
    if isinstance(v, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return _time_out(v)
    if isinstance(v, PurePath):
        return {TAG: "path", "v": str(v)}
    if isinstance(v, enum.Enum):
        return {TAG: "enum", "class": _class_name(type(v)), "name": v.name}
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {TAG: "object", "class": _class_name(type(v)),
                "fields": {f.name: _out(getattr(v, f.name), depth + 1) for f in dataclasses.fields(v)}}
    if type(v).__module__.startswith(TOOLKIT) and hasattr(v, "__dict__"):
        return {TAG: "object", "class": _class_name(type(v)),
                "fields": {str(k): _out(x, depth + 1) for k, x in vars(v).items()}}
    if callable(v) and name is not None:
        return {TAG: "callable", "name": name, "params": _parameters(v)}
    return _unreadable(v, "この種類の値は採点に持ち出せません")


def _parameters(function) -> list:
    import inspect

    try:
        return [[p.name, int(p.kind), p.default is not p.empty]
                for p in inspect.signature(function).parameters.values()]
    except (TypeError, ValueError):
        return []


def _class_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _unreadable(v: Any, reason: str) -> dict:
    return {TAG: "unreadable", "type": type(v).__name__[:80], "reason": reason}


def _time_out(v) -> dict:
    if isinstance(v, dt.timedelta):
        return {TAG: "timedelta", "v": v.total_seconds()}
    kind = "datetime" if isinstance(v, dt.datetime) else type(v).__name__
    return {TAG: kind, "v": v.isoformat()}


def _numpy_out(v, depth: int):
    import numpy as np

    if isinstance(v, np.ndarray):
        if v.dtype.hasobject:
            return {TAG: "ndarray_object", "shape": list(v.shape),
                    "items": [_out(x, depth + 1) for x in v.ravel().tolist()]}
        buffer = io.BytesIO()
        np.save(buffer, v, allow_pickle=False)
        return {TAG: "ndarray", "npy": base64.b64encode(buffer.getvalue()).decode("ascii")}
    if isinstance(v, np.generic):
        if isinstance(v, (np.datetime64, np.timedelta64)):
            return {TAG: "npscalar", "dtype": str(v.dtype), "v": str(v)}
        return {TAG: "npscalar", "dtype": str(v.dtype), "v": _out(v.item(), depth + 1)}
    return _unreadable(v, "この種類の numpy の値は採点に持ち出せません")


def _pandas_out(v, depth: int):
    import pandas as pd

    if isinstance(v, pd.DataFrame):
        return {TAG: "dataframe", "columns": _out(v.columns, depth + 1), "index": _out(v.index, depth + 1),
                "data": [_column_out(v.iloc[:, i], depth) for i in range(v.shape[1])]}
    if isinstance(v, pd.Series):
        return {TAG: "series", "name": _out(v.name, depth + 1), "index": _out(v.index, depth + 1),
                "data": _column_out(v, depth)}
    if isinstance(v, pd.MultiIndex):
        return {TAG: "multiindex", "names": [_out(n, depth + 1) for n in v.names],
                "items": [_out(tuple(t), depth + 1) for t in v.tolist()]}
    if isinstance(v, pd.Index):
        return {TAG: "index", "name": _out(v.name, depth + 1), "dtype": str(v.dtype),
                "items": [_out(x, depth + 1) for x in v.tolist()]}
    if v is pd.NaT:
        return {TAG: "nat"}
    if isinstance(v, (pd.Timestamp, pd.Timedelta)):
        return {TAG: "timestamp" if isinstance(v, pd.Timestamp) else "pd_timedelta", "v": v.isoformat()}
    if v is pd.NA:
        return {TAG: "na"}
    return _unreadable(v, "この種類の pandas の値は採点に持ち出せません")


def _column_out(series, depth: int) -> dict:
    return {"dtype": str(series.dtype), "items": [_out(x, depth + 1) for x in series.tolist()]}


# -- in the judge ---------------------------------------------------------------
def decode(text: str) -> Any:
    """The value ``encode`` described, built from plain data (never the learner's objects)."""
    if not isinstance(text, str) or len(text) > MAX_CHARS:
        return Unreadable("大きすぎる値", f"答えが {MAX_CHARS:,} 文字を超えています")
    try:
        return _in(json.loads(text), 0)
    except Exception as e:  # noqa: BLE001 - a malformed message is an unreadable answer, not a crash
        return Unreadable("読めない値", f"{type(e).__name__}")


def _in(d: Any, depth: int):  # noqa: C901 - one branch per kind of value
    if depth > MAX_DEPTH + 5:
        return Unreadable("入れ子の深すぎる値")
    if isinstance(d, list):
        return [_in(x, depth + 1) for x in d]
    if not isinstance(d, dict):
        return d
    kind = d.get(TAG)
    items = lambda: [_in(x, depth + 1) for x in d.get("items", [])]  # noqa: E731
    if kind == "float":
        return float(d["v"])
    if kind in ("tuple", "set", "frozenset"):
        return {"tuple": tuple, "set": set, "frozenset": frozenset}[kind](items())
    if kind == "dict":
        return {_hashable(_in(k, depth + 1)): _in(x, depth + 1) for k, x in d["items"]}
    if kind == "path":
        return Path(d["v"])
    if kind == "timedelta":
        return dt.timedelta(seconds=float(d["v"]))
    if kind in ("datetime", "date", "time"):
        return getattr(dt, kind).fromisoformat(d["v"])
    if kind == "callable":
        params = d.get("params") if isinstance(d.get("params"), list) else []
        return CallableAnswer(str(d["name"]), tuple(tuple(p)[:3] for p in params[:50] if isinstance(p, list)))
    if kind == "unreadable":
        return Unreadable(str(d.get("type", "?")), str(d.get("reason", "")))
    if kind in ("object", "enum"):
        return _toolkit_in(d, kind, depth)
    if kind in ("ndarray", "ndarray_object", "npscalar"):
        return _numpy_in(d, kind, depth)
    if kind in ("dataframe", "series", "index", "multiindex", "timestamp", "pd_timedelta", "nat", "na"):
        return _pandas_in(d, kind, depth)
    return Unreadable("知らない種類の値", str(kind)[:40])


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key


def _toolkit_in(d: dict, kind: str, depth: int):
    """Only the toolkit's own classes are rebuilt, with the fields as data: a dataclass through its
    constructor, another class without running any of its code; an enum by member name."""
    module, _, qualname = str(d.get("class", "")).partition(":")
    if not module.startswith(TOOLKIT) or "." in qualname:
        return Unreadable(qualname or "?", "ツールキットの外のクラスは採点に持ち出せません")
    try:
        cls = getattr(importlib.import_module(module), qualname)
    except (ImportError, AttributeError):
        return Unreadable(qualname, "ツールキットにないクラスです")
    if not isinstance(cls, type):
        return Unreadable(qualname, "クラスではありません")
    if kind == "enum":
        return cls[str(d.get("name"))] if issubclass(cls, enum.Enum) else Unreadable(qualname)
    fields = {str(k): _in(v, depth + 1) for k, v in d.get("fields", {}).items()}
    if dataclasses.is_dataclass(cls):
        init = {f.name for f in dataclasses.fields(cls) if f.init}
        obj = cls(**{k: v for k, v in fields.items() if k in init})
        for key, value in fields.items():
            if key not in init:
                object.__setattr__(obj, key, value)
        return obj
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


def _numpy_in(d: dict, kind: str, depth: int):
    import numpy as np

    if kind == "ndarray":
        return np.load(io.BytesIO(base64.b64decode(d["npy"])), allow_pickle=False)
    if kind == "ndarray_object":
        array = np.empty(len(d["items"]), dtype=object)
        array[:] = [_in(x, depth + 1) for x in d["items"]]
        return array.reshape([int(n) for n in d["shape"]])
    dtype = np.dtype(str(d["dtype"]))
    if dtype.kind in "mM":
        return (np.datetime64 if dtype.kind == "M" else np.timedelta64)(str(d["v"]))
    return dtype.type(_in(d["v"], depth + 1))


def _pandas_in(d: dict, kind: str, depth: int):
    import pandas as pd

    if kind == "nat":
        return pd.NaT
    if kind == "na":
        return pd.NA
    if kind == "timestamp":
        return pd.Timestamp(d["v"])
    if kind == "pd_timedelta":
        return pd.Timedelta(d["v"])
    if kind == "index":
        return pd.Index([_in(x, depth + 1) for x in d["items"]], name=_hashable(_in(d.get("name"), depth + 1)),
                        dtype=_dtype(d.get("dtype")))
    if kind == "multiindex":
        return pd.MultiIndex.from_tuples([_in(x, depth + 1) for x in d["items"]],
                                         names=[_in(n, depth + 1) for n in d.get("names", [])])
    index = _in(d["index"], depth + 1)
    if kind == "series":
        return _column_in(d["data"], index, _hashable(_in(d.get("name"), depth + 1)), depth)
    columns = _in(d["columns"], depth + 1)
    frame = pd.DataFrame({i: _column_in(c, index, None, depth) for i, c in enumerate(d["data"])}, index=index)
    frame.columns = columns
    return frame


def _column_in(column: dict, index, name, depth: int):
    import pandas as pd

    values = [_in(x, depth + 1) for x in column["items"]]
    dtype = _dtype(column.get("dtype"))
    try:
        return pd.Series(values, index=index, name=name, dtype=dtype)
    except (TypeError, ValueError):
        return pd.Series(values, index=index, name=name)


def _dtype(name):
    """A dtype by its name, or None (pandas infers) for one it does not know."""
    import pandas as pd

    try:
        return pd.api.types.pandas_dtype(str(name)) if name else None
    except TypeError:
        return None
