"""A logic-tree editor for workshops (ipywidgets): several people build one tree together.

Pick a box in the list, type words, choose who said it, and press a button;
the picture and the MECE check update under it.  Everything the buttons do
is also a method, so a facilitator can script it and tests can check it.

>>> from chiiki_iot.logic.editor import TreeEditor
>>> ed = TreeEditor(participants=["農政課", "猟友会"], root="イノシシ被害を減らす", kind="how")
>>> ed.add_child("防御", by="農政課")
>>> ed.select("イノシシ被害を減らす")
>>> ed.add_child("捕獲", by="猟友会")
>>> print(ed.tree)
イノシシ被害を減らす
├─ 防御
└─ 捕獲
>>> ed.tree.find("捕獲").by
('猟友会',)

In a notebook, show it with ``ed`` (or ``display(ed)``).
"""
from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets

from .errors import TreeError
from .mece import MeceReport
from .tree import KINDS, ROLE_ORDER, LogicTree, Node

NO_ONE = "（指定なし）"
NO_ROLE = "（なし）"


class TreeEditor:
    """Edit a :class:`LogicTree` with buttons.

    Args:
        tree: the tree to edit (edited in place); or give ``root`` to start a new one.
        participants: names of the people or groups in the room (発言者).
        root, kind, title: for a new tree.
        live_picture: redraw the picture after every change (turn off for very large trees).
    """

    def __init__(self, tree: LogicTree | None = None, participants: Sequence[str] = (), root: str = "テーマ（ここを書きかえる）",
                 kind: str = "what", title: str = "", live_picture: bool = True) -> None:
        self.tree = tree if tree is not None else LogicTree(root, kind=kind, title=title)
        self.live_picture = live_picture
        self.last_report: MeceReport | None = None
        self._paths: list[tuple[Node | None, Node]] = []

        self.nodes = widgets.Select(description="箱", rows=10, layout=widgets.Layout(width="98%"))
        self.words = widgets.Text(description="言葉", placeholder="箱に入れる言葉", layout=widgets.Layout(width="98%"))
        self.who = widgets.Dropdown(description="発言者", options=[NO_ONE, *participants])
        self.role = widgets.Dropdown(description="役割", options=[NO_ROLE, *ROLE_ORDER])
        self.buttons = {
            "add_child": widgets.Button(description="子を追加", button_style="primary", tooltip="選んだ箱の下に追加"),
            "add_sibling": widgets.Button(description="兄弟を追加", tooltip="選んだ箱と同じ段に追加"),
            "rename": widgets.Button(description="言葉を変える", tooltip="選んだ箱の言葉を入力欄の言葉にする"),
            "remove": widgets.Button(description="削除", button_style="danger", tooltip="選んだ箱を下の箱ごと削除"),
            "up": widgets.Button(description="↑上へ"),
            "down": widgets.Button(description="↓下へ"),
            "check": widgets.Button(description="MECEチェック", button_style="info"),
        }
        self.outline = widgets.Textarea(description="テキスト", layout=widgets.Layout(width="98%", height="8em"),
                                        placeholder="字下げしたテキストを貼って「テキストで置き換え」")
        self.load_text = widgets.Button(description="テキストで置き換え", tooltip="上のテキストからツリーを作り直す")
        self.message = widgets.HTML()
        self.picture = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.report = widgets.HTML()

        self.buttons["add_child"].on_click(lambda _: self._run(lambda: self.add_child(self.words.value, self._who(), self._role())))
        self.buttons["add_sibling"].on_click(lambda _: self._run(lambda: self.add_sibling(self.words.value, self._who(), self._role())))
        self.buttons["rename"].on_click(lambda _: self._run(lambda: self.rename(self.words.value)))
        self.buttons["remove"].on_click(lambda _: self._run(self.remove))
        self.buttons["up"].on_click(lambda _: self._run(lambda: self.move(-1)))
        self.buttons["down"].on_click(lambda _: self._run(lambda: self.move(+1)))
        self.buttons["check"].on_click(lambda _: self._run(self.check))
        self.load_text.on_click(lambda _: self._run(lambda: self.replace_from_text(self.outline.value)))

        self.widget = widgets.VBox([
            widgets.HTML(f"<b>{KINDS[self.tree.kind]}</b>" + (f"　{self.tree.title}" if self.tree.title else "")),
            self.nodes,
            self.words,
            widgets.HBox([self.who, self.role]),
            widgets.HBox(list(self.buttons.values())),
            self.message,
            self.picture,
            self.report,
            widgets.Accordion(children=[widgets.VBox([self.outline, self.load_text])], titles=("テキストで編集",)),
        ])
        self._refresh(select=self.tree.root)

    # ------------------------------------------------------------------ what the buttons do
    @property
    def selected(self) -> Node:
        """The box chosen in the list."""
        index = self.nodes.value
        return self._paths[index][1] if index is not None else self.tree.root

    def select(self, label: str) -> None:
        """Choose a box by its words."""
        node = self.tree.find(label)
        self.nodes.value = next(i for i, (_, n) in enumerate(self._paths) if n is node)

    def add_child(self, label: str, by: str | None = None, role: str | None = None) -> None:
        """Add a box under the chosen one, and choose the new box."""
        node = self._new(label, by, role)
        self.selected.children.append(node)
        self._refresh(select=node, message=f"「{node.label}」を追加しました。")

    def add_sibling(self, label: str, by: str | None = None, role: str | None = None) -> None:
        """Add a box next to the chosen one (same parent)."""
        parent = self._parent(self.selected, "根には兄弟を追加できません。「子を追加」を使ってください。")
        node = self._new(label, by, role)
        parent.children.insert(parent.children.index(self.selected) + 1, node)
        self._refresh(select=node, message=f"「{node.label}」を追加しました。")

    def rename(self, label: str) -> None:
        """Change the words of the chosen box."""
        if not label or not label.strip():
            raise TreeError("新しい言葉を入力欄に書いてから「言葉を変える」を押してください。")
        node = self.selected
        old, node.label = node.label, label.strip()
        self._refresh(select=node, message=f"「{old}」を「{node.label}」に変えました。")

    def remove(self) -> None:
        """Delete the chosen box with everything under it."""
        node = self.selected
        parent = self._parent(node, "根は削除できません。テーマを変えるときは「言葉を変える」を使ってください。")
        parent.children.remove(node)
        self._refresh(select=parent, message=f"「{node.label}」を削除しました。")

    def move(self, step: int) -> None:
        """Move the chosen box up (-1) or down (+1) among its siblings."""
        node = self.selected
        parent = self._parent(node, "根は動かせません。")
        i = parent.children.index(node)
        j = min(max(i + step, 0), len(parent.children) - 1)
        parent.children.insert(j, parent.children.pop(i))
        self._refresh(select=node)

    def check(self) -> MeceReport:
        """Run the MECE check, show it, and return it."""
        report = self.tree.check_mece()
        self.last_report = report
        lines = str(report).split("\n")
        self.report.value = "<br>".join(_escape(line) for line in lines)
        self._draw()
        return report

    def replace_from_text(self, text: str) -> None:
        """Rebuild the tree from indented text (the kind and title stay)."""
        new = LogicTree.from_text(text, kind=self.tree.kind)
        self.tree.root = new.root
        self._refresh(select=self.tree.root, message="テキストからツリーを作り直しました。")

    # ------------------------------------------------------------------ plumbing
    def _who(self) -> str | None:
        return None if self.who.value == NO_ONE else self.who.value

    def _role(self) -> str | None:
        return None if self.role.value == NO_ROLE else self.role.value

    @staticmethod
    def _new(label: str, by: str | None, role: str | None) -> Node:
        if not label or not label.strip():
            raise TreeError("入力欄に箱の言葉を書いてから、ボタンを押してください。")
        return Node(label.strip(), by=(by,) if by else (), role=role)

    def _parent(self, node: Node, message: str) -> Node:
        parent = next(p for p, n in self._paths if n is node)
        if parent is None:
            raise TreeError(message)
        return parent

    def _run(self, action) -> None:
        try:
            action()
        except TreeError as exc:
            self.message.value = f"<span style='color:#d62728'>{_escape(str(exc))}</span>"
        else:
            self.words.value = ""

    def _refresh(self, select: Node | None = None, message: str = "") -> None:
        self._paths = []
        options = []

        def go(parent: Node | None, node: Node, depth: int) -> None:
            self._paths.append((parent, node))
            who = f"（{'・'.join(node.by)}）" if node.by else ""
            options.append(("　" * depth + ("└ " if depth else "") + node.label + who, len(options)))
            for child in node.children:
                go(node, child, depth + 1)

        go(None, self.tree.root, 0)
        self.nodes.options = options
        if select is not None:
            self.nodes.value = next(i for i, (_, n) in enumerate(self._paths) if n is select)
        self.message.value = _escape(message)
        self.outline.value = self.tree.to_text()
        self.last_report = None
        self.report.value = ""
        self._draw()

    def _draw(self) -> None:
        if self.live_picture:
            from .render import png_bytes

            self.picture.value = png_bytes(self.tree, report=self.last_report)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
