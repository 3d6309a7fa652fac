"""IPython magics: ``%%board`` runs a cell on the board; ``%board`` chooses the board.

    %load_ext chiiki_iot.kit
    %board virtual:esp32          # choose (connect); without argument: show the current one

    %%board
    from machine import Pin
    Pin(2).on()

``%%board --timeout 30`` limits the cell; ``%%board --save main.py`` writes the cell to the
board as a file instead of running it. A first line ``# %%board`` works too, so editors
see plain Python. Errors from the board are shown as one Japanese message, without the
host's traceback.
"""
from __future__ import annotations

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from .connect import connect, current_board
from .errors import KitError


@magics_class
class BoardMagics(Magics):
    """``%board`` and ``%%board``."""

    @line_magic("board")
    def board_line(self, line: str):
        """``%board SPEC`` connects to SPEC (see ``connect``); ``%board`` shows the board in use."""
        spec = line.strip()
        if not spec:
            b = current_board()
            print(b.label if b else "まだボードにつないでいません。%board virtual や %board auto でつなげます。")
            return b
        try:
            return connect(spec)
        except KitError as e:
            raise UsageError(str(e)) from None

    @cell_magic("board")
    @magic_arguments()
    @argument("--timeout", type=float, default=None, help="seconds before the board is interrupted")
    @argument("--save", metavar="FILE", default=None, help="write the cell to FILE on the board instead")
    def board_cell(self, line: str, cell: str):
        """Run the cell on the board; its output appears as it is printed."""
        args = parse_argstring(self.board_cell, line)
        b = current_board() or connect()
        try:
            if args.save:
                name = b.put(cell.encode(), args.save)
                print(f"{name} をボードに保存しました。")
                return None
            kwargs = {"timeout": args.timeout} if args.timeout is not None else {}
            b.exec(cell, on_output=lambda text: print(text, end="", flush=True), **kwargs)
        except KitError as e:
            raise UsageError(str(e)) from None
        return None


def comment_magic(lines: list[str]) -> list[str]:
    """Turn a first line ``# %%board ...`` into ``%%board ...`` (editors see plain Python)."""
    if lines and lines[0].lstrip().startswith("# %%board"):
        return [lines[0].lstrip()[2:], *lines[1:]]
    return lines


def load_ipython_extension(ipython) -> None:
    ipython.register_magics(BoardMagics)
    if comment_magic not in ipython.input_transformers_cleanup:
        ipython.input_transformers_cleanup.append(comment_magic)
