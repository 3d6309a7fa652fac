"""Debian's Chromium for the browser tests: where it is, how it starts, and the skip/fail rule.

``/usr/bin/chromium`` (``./academy test`` installs it as root); Playwright drives it through
``executable_path`` and never downloads a browser here. Without Chromium the tests are skipped,
except in CI (``CI`` set), where they fail with a message saying how it should have got there.
Used by tests/test_browser_learner.py and tests/test_club_handouts.py.

    from chromium import CHROMIUM, CHROMIUM_ARGS, require_chromium, skip_without_chromium
    pytestmark = skip_without_chromium     # a whole module; or @skip_without_chromium on one test
"""
from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As root Chromium needs --no-sandbox (Playwright adds it); this machine's network is closed, so
# nothing in the background may try to reach out.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

SKIP_REASON = ("Chromium がありません（./academy test を root で実行すると入ります。"
               "手で入れるには: sudo apt-get install --no-install-recommends chromium fonts-ipaexfont-gothic）")
CI_FAILURE = ("CI にはブラウザのテスト用の Chromium（/usr/bin/chromium）が必要です。./academy test が root で "
              "apt-get install chromium をするはずでした。その出力を確かめてください。"
              " / CI needs Debian's chromium for the browser test; ./academy test installs it as root.")


# skip when there is no Chromium, except in CI (there ``require_chromium`` fails the test)
skip_without_chromium = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason=SKIP_REASON)


def require_chromium() -> str:
    """The Chromium path; in CI without Chromium (elsewhere the module is skipped), the test fails."""
    if CHROMIUM is None:
        pytest.fail(CI_FAILURE, pytrace=False)
    return CHROMIUM
