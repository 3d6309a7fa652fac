"""Format expectations: what shape an answer must have, not whether it is right.

Each expectation is a callable ``value -> list[str]`` returning Japanese
problems (empty list = the format is fine). They compose::

    >>> from chiiki_iot.checks import expect
    >>> expect.mapping(keys=["a", "b"], value=expect.choice(["問題", "課題"]))({"a": "問題"})
    ['キー "b" がありません。必要なキー: "a", "b"']
    >>> expect.number(minimum=0)(-1)
    ['0 以上の数にしてください（今は -1）。']
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

Expectation = Callable[[Any], list[str]]

_TYPE_NAMES = {
    bool: "True/False",
    int: "整数",
    float: "小数",
    str: "文字列",
    list: "リスト",
    dict: "辞書",
    tuple: "タプル",
}


def type_name(value: Any) -> str:
    """The Japanese name of a value's type, for messages."""
    if value is None:
        return "None（何も入っていません）"
    if value is Ellipsis:
        return "...（まだ書かれていません）"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _expectation(factory: Callable[..., Expectation]) -> Callable[..., Expectation]:
    """Every expectation says the same thing for a value still left as ``...``."""

    @functools.wraps(factory)
    def make(*args: Any, **kwargs: Any) -> Expectation:
        inner = factory(*args, **kwargs)

        def check(value: Any) -> list[str]:
            if value is Ellipsis:
                return ["まだ `...` のままです。答えを書いてください。"]
            return inner(value)

        return check

    return make


def _quote(items: Iterable[Any]) -> str:
    return ", ".join(f'"{i}"' for i in items)


@_expectation
def number(minimum: float | None = None, maximum: float | None = None, integer: bool = False) -> Expectation:
    """A finite number (not True/False), optionally an integer and within bounds."""

    def check(value: Any) -> list[str]:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if hasattr(value, "item") and not isinstance(value, (str, bytes)):
                value = value.item()  # numpy scalars are fine
                return check(value)
            return [f"数（int か float）にしてください（今は {type_name(value)}）。"]
        if not math.isfinite(value):
            return [f"有限の数にしてください（今は {value}）。"]
        problems = []
        if integer and value != int(value):
            problems.append(f"整数にしてください（今は {value}）。")
        if minimum is not None and value < minimum:
            problems.append(f"{minimum:g} 以上の数にしてください（今は {value:g}）。")
        if maximum is not None and value > maximum:
            problems.append(f"{maximum:g} 以下の数にしてください（今は {value:g}）。")
        return problems

    return check


@_expectation
def text(min_chars: int = 1, max_chars: int | None = None) -> Expectation:
    """A string of a sensible length that is not the answer stub."""

    def check(value: Any) -> list[str]:
        if not isinstance(value, str):
            return [f"文字列（\"...\" で囲む）にしてください（今は {type_name(value)}）。"]
        stripped = value.strip()
        if "ここに" in stripped and "書いて" in stripped:
            return ["まだひな形の文のままです。自分の言葉で書きかえてください。"]
        if len(stripped) < min_chars:
            return [f"{min_chars} 文字以上で書いてください（今は {len(stripped)} 文字）。"]
        if max_chars is not None and len(stripped) > max_chars:
            return [f"{max_chars} 文字以内にまとめてください（今は {len(stripped)} 文字）。"]
        return []

    return check


@_expectation
def choice(options: Sequence[Any]) -> Expectation:
    """One of the given options (exact match)."""

    def check(value: Any) -> list[str]:
        if value in options:
            return []
        return [f"次のどれかにしてください: {_quote(options)}（今は \"{value}\"）。"]

    return check


@_expectation
def list_of(item: Expectation | None = None, length: int | None = None, min_len: int = 0,
            unique: bool = False) -> Expectation:
    """A list whose items each pass ``item``; optionally a fixed length or no repeats."""

    def check(value: Any) -> list[str]:
        if not isinstance(value, (list, tuple)):
            return [f"リスト（[ ... ]）にしてください（今は {type_name(value)}）。"]
        problems = []
        if length is not None and len(value) != length:
            problems.append(f"要素は {length} 個にしてください（今は {len(value)} 個）。")
        elif len(value) < min_len:
            problems.append(f"要素を {min_len} 個以上にしてください（今は {len(value)} 個）。")
        if unique:
            seen, repeated = set(), []
            for v in value:
                key = repr(v)
                if key in seen and v not in repeated:
                    repeated.append(v)
                seen.add(key)
            if repeated:
                problems.append(f"同じ要素が重なっています: {_quote(repeated)}")
        if item is not None:
            for i, v in enumerate(value):
                problems += [f"{i + 1} 番目: {p}" for p in item(v)]
        return problems

    return check


@_expectation
def mapping(keys: Sequence[Any], value: Expectation | None = None) -> Expectation:
    """A dict with exactly ``keys``; each value passes ``value``."""

    def check(answer: Any) -> list[str]:
        if not isinstance(answer, dict):
            return [f"辞書（{{キー: 値, ...}}）にしてください（今は {type_name(answer)}）。"]
        problems = [f'キー "{k}" がありません。必要なキー: {_quote(keys)}' for k in keys if k not in answer]
        problems += [f'キー "{k}" は問題にありません。使えるキー: {_quote(keys)}' for k in answer if k not in keys]
        if value is not None:
            for k in keys:
                if k in answer:
                    problems += [f'"{k}": {p}' for p in value(answer[k])]
        return problems

    return check


@_expectation
def dataframe(columns: Sequence[str], min_rows: int = 1) -> Expectation:
    """A pandas DataFrame with at least these columns and rows."""

    def check(value: Any) -> list[str]:
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is a dependency
            return ["pandas が必要です。"]
        if not isinstance(value, pd.DataFrame):
            return [f"pandas の DataFrame にしてください（今は {type_name(value)}）。"]
        missing = [c for c in columns if c not in value.columns]
        problems = [f"列 {_quote(missing)} がありません（今ある列: {_quote(value.columns)}）。"] if missing else []
        if len(value) < min_rows:
            problems.append(f"{min_rows} 行以上にしてください（今は {len(value)} 行）。")
        return problems

    return check


@_expectation
def parses(parser: Callable[[Any], Any], what: str = "答え") -> Expectation:
    """``parser(value)`` succeeds; its (Japanese) error message is the problem otherwise.

    >>> parses(int, "整数")("12a")
    ["整数として読めません: invalid literal for int() with base 10: '12a'"]
    """

    def check(value: Any) -> list[str]:
        try:
            parser(value)
        except Exception as e:  # the parser's own message says what is wrong
            return [f"{what}として読めません: {e}"]
        return []

    return check
