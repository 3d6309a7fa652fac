"""Outside programs the tests drive, from Debian's packages: where each is, and the skip/fail rule.

``./academy test`` installs them as root (``missing_test_packages`` there lists the same ones).
Without the program a test is skipped, except in CI (``CI`` set), where it fails with a message
saying how the program should have got there.

    from debian_programs import MOSQUITTO
    pytestmark = MOSQUITTO.skip_unless_present          # a whole module
    path = MOSQUITTO.require()                           # inside the test: the program's path
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest

# Debian puts daemons such as mosquitto in /usr/sbin, which a non-root PATH often lacks.
_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


@dataclass(frozen=True)
class DebianProgram:
    """A program from a Debian package: ``command`` found on PATH (or in /usr/sbin)."""

    command: str
    package: str
    used_for: str

    @property
    def path(self) -> str | None:
        return shutil.which(self.command, path=_SEARCH_PATH)

    @property
    def skip_unless_present(self) -> pytest.MarkDecorator:
        return pytest.mark.skipif(
            self.path is None and not os.environ.get("CI"),
            reason=(f"{self.command} がありません（{self.used_for}）。./academy test を root で実行すると入ります。"
                    f"手で入れるには: sudo apt-get install --no-install-recommends {self.package}"))

    def require(self) -> str:
        """The program's path; in CI without it (elsewhere the test is skipped), the test fails."""
        path = self.path
        if path is None:
            pytest.fail(f"CI には {self.command}（Debian の {self.package}）が必要です。./academy test が root で "
                        f"apt-get install {self.package} をするはずでした。その出力を確かめてください。"
                        f" / CI needs Debian's {self.package}; ./academy test installs it as root.", pytrace=False)
        return path


MOSQUITTO = DebianProgram("mosquitto", "mosquitto", "ICT クラブの 2 クラブをつなぐブリッジのテスト")
MOSQUITTO_PASSWD = DebianProgram("mosquitto_passwd", "mosquitto", "ブローカーのパスワードファイル")
