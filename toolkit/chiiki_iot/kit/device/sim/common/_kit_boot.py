"""Boot of a virtual board: its flash folder becomes the root filesystem, as on a real board.

The relay holds the host's input until the REPL prompt, or until this module prints its
ready marker (never shown to the host) just before ``main.py``. The host starts the interpreter in the flash folder with ``CHIIKI_KIT_HOSTDIR`` naming a
folder that holds the device modules (``board``, ``common``, ``drivers``) and the world
file. After this, ``open('/data.csv', 'w')`` writes into the board's flash, not the host's
root, and the modules are imported from ``/.kit``. Then ``boot.py`` runs, and ``main.py``
too unless the board restarted in the raw REPL (``CHIIKI_KIT_BOOT=raw``), as on a board.
"""
import sys
import uos

_flash = uos.getcwd()
uos.umount("/")
uos.mount(uos.VfsPosix(_flash), "/")
uos.mount(uos.VfsPosix(uos.getenv("CHIIKI_KIT_HOSTDIR")), "/.kit")
uos.chdir("/")
sys.path[:] = ["", "/lib", "/.kit/board", "/.kit/common", "/.kit/drivers", ".frozen"]


def _run(name):
    try:
        with open(name) as f:
            src = f.read()
    except OSError:
        return
    import __main__

    exec(compile(src, name, "exec"), __main__.__dict__)


_run("boot.py")
if uos.getenv("CHIIKI_KIT_BOOT") != "raw" and "main.py" in uos.listdir("/"):
    sys.stdout.write("\x1bKIT-READY\x1b\n")  # the relay lets a Ctrl-C from the host through now
    _run("main.py")
