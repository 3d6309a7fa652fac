"""The workshop editor: pressing its buttons changes the tree, mistakes give Japanese messages."""
from chiiki_iot.logic import LogicTree, TreeEditor

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def press(editor, name, words=""):
    editor.words.value = words
    editor.buttons[name].click()


def test_buttons_build_a_tree_with_who_said_it():
    ed = TreeEditor(participants=["農政課", "猟友会", "農家"], root="イノシシ被害を減らす", kind="how", title="宇城市")
    ed.who.value = "農政課"
    press(ed, "add_child", "防御")
    press(ed, "add_sibling", "捕獲")
    ed.who.value = "猟友会"
    press(ed, "add_child", "わなの見回り")
    assert ed.tree.to_dict() == {
        "イノシシ被害を減らす": [
            {"label": "防御", "by": ["農政課"]},
            {"label": "捕獲", "by": ["農政課"], "children": [{"label": "わなの見回り", "by": ["猟友会"]}]},
        ]
    }
    # the list shows who said what, indented
    assert any("わなの見回り（猟友会）" in label for label, _ in ed.nodes.options)
    assert bytes(ed.picture.value).startswith(PNG_MAGIC)
    assert ed.message.value == "「わなの見回り」を追加しました。"
    assert ed.words.value == ""  # cleared for the next idea


def test_rename_move_remove_and_roles():
    tree = LogicTree.from_text("課題\n  A\n  B\n  C", kind="why")
    ed = TreeEditor(tree, live_picture=False)
    ed.select("C")
    press(ed, "up")
    assert [c.label for c in tree.root.children] == ["A", "C", "B"]
    press(ed, "rename", "原因C")
    ed.select("A")
    press(ed, "remove")
    assert [c.label for c in tree.root.children] == ["原因C", "B"]
    ed.select("B")
    ed.role.value = "課題"
    press(ed, "add_child", "要因")
    assert tree.find("要因").role == "課題"


def test_mistakes_show_a_japanese_message_and_change_nothing():
    ed = TreeEditor(root="テーマ", live_picture=False)
    press(ed, "add_child", "   ")
    assert "入力欄に箱の言葉を書いてから" in ed.message.value
    press(ed, "remove")
    assert "根は削除できません" in ed.message.value
    press(ed, "add_sibling", "となり")
    assert "根には兄弟を追加できません" in ed.message.value
    assert len(ed.tree) == 1


def test_mece_button_shows_the_report():
    ed = TreeEditor(LogicTree.from_text("対策\n  防御\n    柵\n    忌避剤\n  捕獲\n    柵\n    わな"))
    press(ed, "check")
    assert "ダブり: 「柵」が「防御」と「捕獲」の両方に入っています" in ed.report.value
    assert ed.last_report is not None and not ed.last_report.ok


def test_text_box_replaces_the_tree_and_reports_bad_indentation():
    ed = TreeEditor(root="テーマ", live_picture=False)
    ed.outline.value = "売上\n  客数\n  客単価"
    ed.load_text.click()
    assert ed.tree.to_dict() == {"売上": ["客数", "客単価"]}
    ed.outline.value = "売上\n  客数\n   客単価"
    ed.load_text.click()
    assert "3 行目の字下げ" in ed.message.value
    assert ed.tree.to_dict() == {"売上": ["客数", "客単価"]}


def test_editor_displays_as_a_widget():
    bundle = TreeEditor(root="テーマ", live_picture=False)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
