"""Debian's Chromium for the browser tests: where it is, how it starts, and the skip/fail rule.

``/usr/bin/chromium`` (``./academy test`` installs it as root); Playwright drives it through
``executable_path`` and never downloads a browser here. Without Chromium the tests are skipped,
except in CI (``CI`` set), where they fail (the rule of ``debian_programs``).
Used by tests/test_browser_learner.py and tests/test_club_handouts.py.

    from chromium import CHROMIUM, CHROMIUM_ARGS, require_chromium, skip_without_chromium
    pytestmark = skip_without_chromium     # a whole module; or @skip_without_chromium on one test
"""
from __future__ import annotations

from debian_programs import DebianProgram

_PROGRAM = DebianProgram("chromium", "chromium fonts-ipaexfont-gothic", "ブラウザのテスト")
CHROMIUM = _PROGRAM.path
# As root Chromium needs --no-sandbox (Playwright adds it); this machine's network is closed, so
# nothing in the background may try to reach out.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

# skip when there is no Chromium, except in CI (there ``require_chromium`` fails the test)
skip_without_chromium = _PROGRAM.skip_unless_present
require_chromium = _PROGRAM.require
