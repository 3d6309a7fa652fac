"""``log`` (data logging) of a virtual micro:bit V2.

Rows go to ``/.kit/log.csv`` on the host side of the kit (a real micro:bit keeps them in a
reserved flash area shown as MY_DATA.HTM), so they survive resets but are not among the
board's files, as on the real board. New labels add columns as they appear.
"""
import time

MILLISECONDS = 1
SECONDS = 10
MINUTES = 600
HOURS = 36000
DAYS = 864000
_UNIT = {MILLISECONDS: ("milliseconds", 1000), SECONDS: ("seconds", 1000000),
         MINUTES: ("minutes", 60000000), HOURS: ("hours", 3600000000), DAYS: ("days", 86400000000)}
PATH = "/.kit/log.csv"
_labels = []
_timestamp = SECONDS
_mirror = False


def _header():
    cols = list(_labels)
    if _timestamp:
        cols.insert(0, "Time (%s)" % _UNIT[_timestamp][0])
    return ",".join(cols)


def _rewrite_header():
    try:
        with open(PATH) as f:
            rows = f.read().split("\n")[1:]
    except OSError:
        rows = []
    with open(PATH, "w") as f:
        f.write(_header() + "\n" + "\n".join(r for r in rows if r) + ("\n" if any(rows) else ""))


def set_labels(*labels, timestamp=SECONDS):
    global _timestamp
    _timestamp = timestamp
    changed = False
    for label in labels:
        if label not in _labels:
            _labels.append(label)
            changed = True
    if changed:
        _rewrite_header()


def add(data=None, **kwargs):
    values = dict(data or {})
    values.update(kwargs)
    new = [k for k in values if k not in _labels]
    if new:
        set_labels(*new, timestamp=_timestamp)
    row = [str(values.get(k, "")) for k in _labels]
    if _timestamp:
        unit = _UNIT[_timestamp][1]
        row.insert(0, "%.2f" % (time._now_us() / unit))
    line = ",".join(row)
    with open(PATH, "a") as f:
        f.write(line + "\n")
    if _mirror:
        print(line)


def delete(full=False):
    global _labels
    _labels = []
    try:
        import uos

        uos.remove(PATH)
    except OSError:
        pass


def set_mirroring(serial):
    global _mirror
    _mirror = bool(serial)
