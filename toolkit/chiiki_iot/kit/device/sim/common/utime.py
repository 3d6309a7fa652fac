"""``utime`` is the old name of ``time``: the same virtual clock."""
from time import *  # noqa: F401,F403
