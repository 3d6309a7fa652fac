"""The marks that start a check's line: an emoji and a text word beside it.

The word is there for a PC without an emoji font (the emoji shows as a box) and for a
screen reader. Use these, never a bare emoji, in every message a learner reads::

    >>> from chiiki_iot.checks.marks import OK
    >>> print(f"{OK} q1: 正解です。")
    ✅［OK］ q1: 正解です。
"""
from __future__ import annotations

OK = "✅［OK］"        # right, or done
NG = "❌［要修正］"    # wrong: fix it
TODO = "⏳［未回答］"  # not answered yet
NOTE = "⚠️［注意］"    # works, but look at this
