"""The conversation view, offscreen with real widgets: Markdown and code rendering, streaming,
versions, editing, regenerate, clearing on lock, long conversations, theme and keyboard."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from pygments.styles import get_style_by_name
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QScrollBar,
    QTextEdit,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.ui.chat.conversation_view import PAGE_SIZE, ConversationView
from app.ui.chat.message_widget import MessageWidget
from app.ui.common import theme
from app.ui.common.markdown_render import DARK_CODE_STYLE, LIGHT_CODE_STYLE
from app.vault.records import Message, Version
from app.vault.versions import choose_version, follow_wording

CODE = 'def greet(name):\n    """Say hello."""\n    return f"Hello, {name}!"  # friendly\n\nprint(greet("Ada"))'


def message(number: int, role: str, text: str, *, stats: dict[str, object] | None = None,
            alternatives: tuple[str | Version, ...] = ()) -> Message:
    earlier = tuple(Version(a) if isinstance(a, str) else a for a in alternatives)
    return Message(f"m{number}", "c1", role, text, "smol", stats or {}, "2026-01-01T00:00:00",
                   earlier)


@pytest.fixture
def view(qtbot: QtBot) -> ConversationView:
    shown = ConversationView()
    qtbot.addWidget(shown)
    shown.resize(700, 600)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


@pytest.fixture
def app_palette() -> Iterator[QApplication]:
    """The application, its palette put back afterwards."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    yield app
    app.setPalette(before)


def bubbles(view: ConversationView) -> list[MessageWidget]:
    """The message widgets that are shown, top to bottom."""
    shown = [w for w in view.findChildren(MessageWidget) if not w.isHidden()]
    return sorted(shown, key=lambda widget: widget.y())


def bubble_of(view: ConversationView, message_id: str) -> MessageWidget:
    [found] = [w for w in bubbles(view) if w.message is not None and w.message.id == message_id]
    return found


def scroll_bar(view: ConversationView) -> QScrollBar:
    scroll = view.findChild(QScrollArea)
    assert isinstance(scroll, QScrollArea)
    return scroll.verticalScrollBar()


def streaming_bubble(view: ConversationView) -> MessageWidget:
    [found] = [w for w in bubbles(view) if w.message is None]
    return found


def blocks(document: QTextDocument) -> Iterator[tuple[str, list[tuple[str, QTextCharFormat]]]]:
    """Each block's text with its fragments: their text and character format."""
    block = document.begin()
    while block.isValid():
        parts = []
        fragments = block.begin()
        while not fragments.atEnd():
            parts.append((fragments.fragment().text(), fragments.fragment().charFormat()))
            fragments += 1
        yield block.text(), parts
        block = block.next()


def code_colours(document: QTextDocument, line: str) -> set[str]:
    [parts] = [parts for text, parts in blocks(document) if text == line]
    return {f.foreground().color().name() for _, f in parts}


def click_link(widget: MessageWidget, href: str, qtbot: QtBot) -> None:
    """A real mouse click on the link's text in the bubble."""
    document = widget.body.document()
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().anchorHref() == href:
                cursor = QTextCursor(document)
                cursor.setPosition(fragment.position() + 2)
                spot = widget.body.cursorRect(cursor)
                where = QPoint(spot.x() + 1, spot.center().y())
                qtbot.mouseClick(widget.body.viewport(), Qt.MouseButton.LeftButton, pos=where)
                return
            fragments += 1
        block = block.next()
    raise AssertionError(f"no link {href}")


def test_markdown_shows_bold_a_heading_and_a_list(view: ConversationView) -> None:
    view.show_messages([message(1, "assistant", "# Plan\n\nThis is **important**.\n\n- rest\n- walk")])
    document = bubble_of(view, "m1").body.document()
    shown = dict(blocks(document))
    assert document.findBlockByNumber(0).blockFormat().headingLevel() == 1
    assert document.findBlockByNumber(0).text() == "Plan"
    bold = [text for text, f in shown["This is important."] if f.fontWeight() >= QFont.Weight.Bold]
    assert bold == ["important"]
    list_blocks = [document.findBlockByNumber(n) for n in range(document.blockCount())
                   if document.findBlockByNumber(n).text() in ("rest", "walk")]
    assert len(list_blocks) == 2 and all(b.textList() is not None for b in list_blocks)


def test_code_is_highlighted_and_its_link_copies_exactly_that_block(
        view: ConversationView, qtbot: QtBot) -> None:
    text = f"Two snippets.\n\n```python\n{CODE}\n```\n\nAnd:\n\n```bash\necho other\n```\n"
    view.show_messages([message(1, "assistant", text)])
    widget = bubble_of(view, "m1")
    document = widget.body.document()
    assert len(code_colours(document, '    return f"Hello, {name}!"  # friendly')) > 1
    assert widget.body.code_blocks == (CODE, "echo other")

    QGuiApplication.clipboard().clear()
    click_link(widget, "copy-code:0", qtbot)
    assert QGuiApplication.clipboard().text() == CODE
    click_link(widget, "copy-code:1", qtbot)
    assert QGuiApplication.clipboard().text() == "echo other"


def test_fences_that_markdown_does_not_take_as_code_show_as_written(view: ConversationView) -> None:
    text = "Steps:\n    ```python\n    x = 1\n    ```\n\n```\nplain\n```"
    view.show_messages([message(1, "assistant", text)])
    shown = view.rendered_text()
    # Under a paragraph, indented backticks are an inline code span, as CommonMark says.
    assert shown.startswith("Steps: python x = 1") and "mgcode" not in shown
    assert bubble_of(view, "m1").body.code_blocks == ("plain",)


def test_copy_puts_the_whole_message_on_the_clipboard(view: ConversationView) -> None:
    text = "Some *notes*\n\n```\ncode\n```"
    view.show_messages([message(1, "assistant", text)])
    copy = bubble_of(view, "m1").copy_button
    assert copy is not None
    copy.click()
    assert QGuiApplication.clipboard().text() == text


def test_nothing_is_loaded_from_the_text_and_links_do_not_navigate(
        view: ConversationView, tmp_path: Path, qtbot: QtBot) -> None:
    picture = tmp_path / "pixel.png"
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    assert image.save(str(picture))
    url = QUrl.fromLocalFile(str(picture)).toString()
    view.show_messages([message(1, "assistant",
                                f"Look ![a red dot]({url}) and [this]({url}) <img src=\"{url}\">")])
    widget = bubble_of(view, "m1")
    document = widget.body.document()
    assert not [f for _, parts in blocks(document) for _, f in parts if f.isImageFormat()]
    assert "[image: a red dot]" in view.rendered_text()
    assert '<img src="' in view.rendered_text()  # raw HTML is shown, not interpreted
    assert document.resource(QTextDocument.ResourceType.ImageResource, QUrl(url)) is None

    click_link(widget, url, qtbot)  # a file: link is neither opened nor followed
    assert widget.body.source().isEmpty()
    assert widget.body.document() is document


def test_an_unclosed_fence_streams_as_code(view: ConversationView, qtbot: QtBot) -> None:
    view.start_reply()
    view.add_reply_text("Here you go:\n\n```python\nnumbers = [1, 2, 3]\nfor n in numbers:\n")
    qtbot.waitUntil(lambda: view.reply_render_count > 0)
    document = streaming_bubble(view).body.document()
    assert len(code_colours(document, "numbers = [1, 2, 3]")) > 1
    [line] = [document.findBlockByNumber(n) for n in range(document.blockCount())
              if document.findBlockByNumber(n).text() == "for n in numbers:"]
    assert line.blockFormat().background().color() == QColor(
        get_style_by_name(LIGHT_CODE_STYLE).background_color)
    assert streaming_bubble(view).body.code_blocks == ("numbers = [1, 2, 3]\nfor n in numbers:",)


def test_the_streaming_bubble_grows_with_every_render(view: ConversationView, qtbot: QtBot) -> None:
    view.show_messages([message(1, "user", "Go on.")])
    view.start_reply()
    for renders in range(1, 6):
        view.add_reply_text("another paragraph\n\n" * 3)
        qtbot.waitUntil(lambda: view.reply_render_count == renders)
        body = streaming_bubble(view).body
        text_height = math.ceil(body.document().size().height())
        qtbot.waitUntil(lambda: body.height() == text_height)  # all of it shows, nothing clipped


def test_streaming_renders_in_batches_and_finishes_with_stats(
        view: ConversationView, qtbot: QtBot) -> None:
    view.show_messages([message(1, "user", "Tell me a story.")])
    view.set_actions_enabled(False)
    view.start_reply()
    pieces = [f"word{n} " for n in range(200)]
    for piece in pieces:
        view.add_reply_text(piece)
        qtbot.wait(1)
    qtbot.waitUntil(lambda: "word199" in view.rendered_text())
    assert 0 < view.reply_render_count < len(pieces) // 4
    assert streaming_bubble(view).body.toPlainText().strip() == "".join(pieces).strip()

    stats: dict[str, object] = {"completion_tokens": 200, "decode_tokens_per_s": 87.25,
                                "stop_reason": "cancelled"}
    view.finish_reply(message(2, "assistant", "".join(pieces), stats=stats))
    view.set_actions_enabled(True)
    reply = bubble_of(view, "m2")
    assert reply.footer.text() == "200 tokens · 87.2 tokens/s · stopped"
    assert reply.footer.foregroundRole() == QPalette.ColorRole.PlaceholderText
    assert len(bubbles(view)) == 2
    assert reply.regenerate_button is not None and not reply.regenerate_button.isHidden()


def test_the_pager_walks_through_versions_each_with_its_own_stats(
        view: ConversationView, qtbot: QtBot) -> None:
    stopped = {"completion_tokens": 80, "decode_tokens_per_s": 40.0, "stop_reason": "cancelled"}
    cut = {"completion_tokens": 512, "decode_tokens_per_s": 41.0, "stop_reason": "length"}
    original = message(2, "assistant", "third", stats={"completion_tokens": 7},
                       alternatives=(Version("first", stopped), Version("second", cut)))
    view.show_messages([message(1, "user", "Hi"), original])
    widget = bubble_of(view, "m2")
    assert widget.pager_label is not None and widget.pager_label.text() == "3/3"
    assert widget.previous_button is not None and widget.next_button is not None
    assert not widget.next_button.isEnabled()
    assert widget.footer.text() == "7 tokens"

    with qtbot.waitSignal(view.alternative_chosen) as chosen:
        widget.previous_button.click()
    assert chosen.args == ["m2", 1]
    assert widget.pager_label.text() == "2/3"
    assert widget.body.toPlainText() == "second"
    assert widget.footer.text() == "512 tokens · 41.0 tokens/s · stopped at the length limit"

    # The chat page makes the choice the one in use and shows it again: the order stays.
    current = choose_version(original, 1)
    view.replace_message(current)
    assert widget.pager_label.text() == "2/3" and widget.body.toPlainText() == "second"
    with qtbot.waitSignal(view.alternative_chosen) as chosen:
        widget.previous_button.click()
    assert chosen.args == ["m2", 0]
    assert widget.pager_label.text() == "1/3" and widget.body.toPlainText() == "first"
    assert widget.footer.text() == "80 tokens · 40.0 tokens/s · stopped"
    assert not widget.previous_button.isEnabled()

    view.replace_message(choose_version(current, 0))
    with qtbot.waitSignal(view.alternative_chosen) as chosen:
        widget.next_button.click()
    assert widget.body.toPlainText() == "second" and chosen.args[1] == 1


def test_a_reply_pages_only_through_the_answers_to_the_wording_shown(
        view: ConversationView, qtbot: QtBot) -> None:
    question = message(1, "user", "Name a vegetable.", alternatives=("Name a fruit.",))
    reply = Message("m2", "c1", "assistant", "Leek.", "smol", {}, "2026-01-01T00:00:00",
                    (Version("Apple.", answers=0), Version("Pear.", answers=0)), answers=1)
    view.show_messages([question, reply])
    widget = bubble_of(view, "m2")
    assert widget.pager_label is None or widget.pager_label.isHidden(), "one answer to this wording"

    asked_first = choose_version(question, 0)
    view.replace_message(asked_first)
    view.replace_message(follow_wording(reply, asked_first))  # as the chat page does
    assert widget.body.toPlainText() == "Pear."
    assert widget.pager_label is not None and widget.pager_label.text() == "2/2"
    with qtbot.waitSignal(view.alternative_chosen) as chosen:
        widget.previous_button.click()  # type: ignore[union-attr]
    assert chosen.args == ["m2", 0] and widget.body.toPlainText() == "Apple."


def test_edit_sends_the_new_text(view: ConversationView, qtbot: QtBot) -> None:
    view.show_messages([message(1, "user", "How are you?"), message(2, "assistant", "Fine.")])
    assert bubble_of(view, "m2").edit_button is None  # replies are not edited
    widget = bubble_of(view, "m1")
    assert widget.edit_button is not None
    widget.edit_button.click()
    assert widget.editor is not None and widget.editor.isVisible()
    assert widget.editor.toPlainText() == "How are you?"
    assert widget.save_button is not None

    widget.editor.setPlainText("   ")
    with qtbot.assertNotEmitted(view.edit_requested):
        widget.save_button.click()
    widget.editor.setPlainText("How was your day?")
    with qtbot.waitSignal(view.edit_requested) as edited:
        widget.save_button.click()
    assert edited.args == ["m1", "How was your day?"]
    assert not widget.editor.isVisible() and widget.body.isVisible()


def test_regenerate_is_offered_on_the_newest_reply_only(
        view: ConversationView, qtbot: QtBot) -> None:
    view.show_messages([message(1, "user", "a"), message(2, "assistant", "b"),
                        message(3, "user", "c"), message(4, "assistant", "d")])

    def offering() -> list[str]:
        return [w.message.id for w in bubbles(view) if w.message is not None
                and w.regenerate_button is not None and not w.regenerate_button.isHidden()]

    assert offering() == ["m4"]
    button = bubble_of(view, "m4").regenerate_button
    assert button is not None
    with qtbot.waitSignal(view.regenerate_requested):
        button.click()
    view.set_actions_enabled(False)
    assert not button.isEnabled()
    edit = bubble_of(view, "m3").edit_button
    assert edit is not None and not edit.isEnabled()
    view.set_actions_enabled(True)
    view.append_message(message(5, "user", "e"))
    assert offering() == []
    view.start_reply()
    view.add_reply_text("f")
    view.finish_reply(message(6, "assistant", "f"))
    assert offering() == ["m6"]


def test_clear_leaves_no_message_text_anywhere(view: ConversationView, qtbot: QtBot) -> None:
    secrets = ["sapphire", "marigold", "quokka", "zeppelin"]
    earlier = [message(100 + n, "user", f"earlier {secrets[0]}") for n in range(PAGE_SIZE)]
    view.show_messages([*earlier, message(1, "user", f"my {secrets[0]} diary"),
                        message(2, "assistant", f"about {secrets[1]}", stats={"completion_tokens": 3},
                                alternatives=(f"old {secrets[2]}",))])
    edit = bubble_of(view, "m1").edit_button
    assert edit is not None
    edit.click()  # an open editor holds the text too
    view.start_reply()
    view.add_reply_text(f"streaming {secrets[3]}")
    qtbot.waitUntil(lambda: secrets[3] in view.rendered_text())

    view.clear()
    assert view.rendered_text() == ""
    assert view.earlier_button.isHidden()
    texts = []
    for child in view.findChildren(QWidget):
        if isinstance(child, (QLabel, QLineEdit, QAbstractButton)):
            texts.append(child.text())
        elif isinstance(child, (QTextEdit, QPlainTextEdit)):
            texts.append(child.toPlainText())
    assert not [text for text in texts for secret in secrets if secret in text]
    qtbot.wait(10)  # deleteLater runs: the widgets themselves are gone too
    assert not view.findChildren(MessageWidget)


def test_a_thousand_messages_open_with_the_newest_and_show_earlier_adds_more(
        view: ConversationView, qtbot: QtBot) -> None:
    conversation = [message(n, "user" if n % 2 == 0 else "assistant",
                            f"note-{n:04d} with *some* text") for n in range(1000)]
    view.show_messages(conversation)
    assert len(bubbles(view)) == PAGE_SIZE
    shown = view.rendered_text()
    assert "note-0999" in shown and f"note-{1000 - PAGE_SIZE:04d}" in shown
    assert f"note-{999 - PAGE_SIZE:04d}" not in shown
    assert view.earlier_button.isVisible()

    view.earlier_button.click()
    assert len(bubbles(view)) == 2 * PAGE_SIZE
    assert f"note-{1000 - 2 * PAGE_SIZE:04d}" in view.rendered_text()
    while view.earlier_button.isVisible():
        view.earlier_button.click()
    assert len(bubbles(view)) == 1000
    texts = view.rendered_text()
    assert texts.index("note-0000") < texts.index("note-0500") < texts.index("note-0999")


def test_streaming_follows_the_bottom_only_when_the_reader_is_there(
        view: ConversationView, qtbot: QtBot) -> None:
    view.show_messages([message(n, "assistant", f"paragraph {n}\n\nmore text") for n in range(30)])
    bar = scroll_bar(view)
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())

    view.start_reply()
    view.add_reply_text("line\n\n" * 20)
    qtbot.waitUntil(lambda: view.reply_render_count == 1)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())  # followed the growing reply

    bar.triggerAction(bar.SliderAction.SliderToMinimum)  # the reader scrolls up to read
    reading = bar.value()
    grown = bar.maximum()
    view.add_reply_text("more\n\n" * 20)
    qtbot.waitUntil(lambda: view.reply_render_count == 2 and bar.maximum() > grown)
    assert bar.value() == reading


def test_show_earlier_keeps_the_reader_in_place(view: ConversationView, qtbot: QtBot) -> None:
    view.show_messages([message(n, "assistant", f"entry {n}\n\nbody") for n in range(PAGE_SIZE + 10)])
    bar = scroll_bar(view)
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    bar.triggerAction(bar.SliderAction.SliderToMinimum)
    oldest_shown = bubble_of(view, "m10")
    on_screen = oldest_shown.mapTo(view, QPoint(0, 0)).y()
    view.earlier_button.click()
    qtbot.waitUntil(lambda: bar.value() > 0)
    qtbot.wait(20)
    assert oldest_shown.mapTo(view, QPoint(0, 0)).y() == on_screen


def code_background(widget: MessageWidget, line: str) -> QColor:
    document = widget.body.document()
    [block] = [document.findBlockByNumber(n) for n in range(document.blockCount())
               if document.findBlockByNumber(n).text() == line]
    return block.blockFormat().background().color()


def test_a_dark_palette_uses_the_dark_code_style(app_palette: QApplication, qtbot: QtBot) -> None:
    app_palette.setPalette(theme.palette(dark=True))
    view = ConversationView()
    qtbot.addWidget(view)
    view.show_messages([message(1, "assistant", f"```python\n{CODE}\n```")])
    assert code_background(bubble_of(view, "m1"), 'print(greet("Ada"))') == QColor(
        get_style_by_name(DARK_CODE_STYLE).background_color)


def test_switching_the_theme_renders_again(view: ConversationView, app_palette: QApplication,
                                           qtbot: QtBot) -> None:
    app_palette.setPalette(theme.palette(dark=False))
    view.show_messages([message(1, "assistant",
                                f"```python\n{CODE}\n```\n\n[a link](https://example.org)")])
    widget = bubble_of(view, "m1")
    light = QColor(get_style_by_name(LIGHT_CODE_STYLE).background_color)
    assert code_background(widget, 'print(greet("Ada"))') == light

    app_palette.setPalette(theme.palette(dark=True))  # the change reaches widgets by an event
    dark = QColor(get_style_by_name(DARK_CODE_STYLE).background_color)
    qtbot.waitUntil(lambda: code_background(widget, 'print(greet("Ada"))') == dark)
    [link] = [f for _, parts in blocks(widget.body.document()) for _, f in parts if f.isAnchor()
              and f.anchorHref() == "https://example.org"]
    assert link.foreground().color() == theme.palette(dark=True).color(QPalette.ColorRole.Link)

    app_palette.setPalette(theme.palette(dark=False))
    qtbot.waitUntil(lambda: code_background(widget, 'print(greet("Ada"))') == light)


def test_buttons_are_named_and_reachable_by_keyboard(view: ConversationView, qtbot: QtBot) -> None:
    view.show_messages([message(1, "user", "q"),
                        message(2, "assistant", "a", alternatives=("b",))])
    assert view.accessibleName()
    buttons = view.findChildren(QAbstractButton)
    assert len(buttons) >= 5
    for button in buttons:
        assert button.accessibleName() and button.toolTip(), button.text()
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus

    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view.window())
    reply = bubble_of(view, "m2")
    reply.body.setFocus()
    reached = []
    for _ in range(8):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        if isinstance(QApplication.focusWidget(), QToolButton):
            reached.append(QApplication.focusWidget())
    assert reply.copy_button in reached and reply.previous_button in reached
