"""Serve a virtual board on a pty until Ctrl-C, for outside tools (mpremote, Thonny, screen).

    python -m chiiki_iot.kit.virtual --profile esp32
    # in another terminal:  mpremote connect /dev/pts/N repl

``--link PATH`` also makes a stable symlink to the pty (e.g. ``~/ttyKIT``).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from .kit import VirtualKit


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m chiiki_iot.kit.virtual",
                                 description="仮想キット（仮想ボード）を擬似端末で動かします。")
    ap.add_argument("--profile", default="microbit_v2", help="microbit_v2 か esp32")
    ap.add_argument("--speed", type=float, default=1.0, help="ボードの時計の速さ（1 = 実時間）")
    ap.add_argument("--storage", default=None, help="ボードのファイルを置くフォルダ（省略時は一時フォルダ）")
    ap.add_argument("--engine", default=None, help="auto・unix・cpython")
    ap.add_argument("--link", default=None, help="擬似端末へのシンボリックリンクを作るパス")
    args = ap.parse_args(argv)
    kit = VirtualKit(args.profile, speed=args.speed, storage=args.storage, engine=args.engine)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        if args.link and kit.port.startswith("socket://"):
            print("socket でつないでいるので --link は使えません（ポートをそのまま使ってください）。")
            args.link = None
        if args.link:
            if os.path.islink(args.link):
                os.unlink(args.link)
            os.symlink(kit.port, args.link)
        print(f"仮想キット（{kit.profile.label}, {kit.engine_label}）を {kit.port} で動かしています。")
        print(f"例: mpremote connect {args.link or kit.port} repl   （終わるときは Ctrl-C）", flush=True)
        stop.wait()
    finally:
        if args.link and os.path.islink(args.link):
            os.unlink(args.link)
        kit.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
