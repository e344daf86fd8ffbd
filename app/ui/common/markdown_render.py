"""A chat message's Markdown as a Qt text document.

Qt's own Markdown reader does the parsing (GitHub dialect; raw HTML is shown as text, not
interpreted); pygments colours each fenced code block, which gets a "Copy code" link above it.
Nothing is ever loaded from the text: images show their alt text, and the document refuses every
resource request (QTextDocument would otherwise read local files named in the message)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import Token, _TokenType
from pygments.util import ClassNotFound
from PySide6.QtCore import QObject, QRegularExpression, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

LIGHT_CODE_STYLE = "default"
DARK_CODE_STYLE = "github-dark"
COPY_SCHEME = "copy-code"  # a "Copy code" link is copy-code:N, N counting code blocks from 0

_FEATURES = (QTextDocument.MarkdownFeature.MarkdownDialectGitHub
             | QTextDocument.MarkdownFeature.MarkdownNoHTML)
# An opening or closing fence, possibly inside block quotes or list items.
_FENCE = re.compile(r"^(?P<prefix>(?:[ \t>]|[-*+][ \t]|\d{1,9}[.)][ \t])*)"
                    r"(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
# Qt keeps only a fence's language, so two adjacent code blocks in the same language would read
# as one; numbering each block's language keeps every block apart.
_TAG = re.compile(r"^mgcode\d+-")
# A tag on a line Qt did not take for a fence (say, indented under a paragraph) shows as text.
_SHOWN_TAG = QRegularExpression(r"mgcode\d+-")


class InertDocument(QTextDocument):
    """A text document that loads nothing: no images, no style sheets, no local files."""

    def loadResource(self, type: int, name: QUrl | str) -> object:  # noqa: A002 (Qt's name)
        return None


@dataclass(frozen=True)
class RenderedMarkdown:
    document: QTextDocument
    code_blocks: tuple[str, ...]  # what each "Copy code" link copies, in document order


@dataclass(frozen=True)
class _CodeRun:
    start: int  # document position of the first line
    line_count: int
    language: str
    code: str


def code_style_name(dark: bool) -> str:
    return DARK_CODE_STYLE if dark else LIGHT_CODE_STYLE


def copied_block(url: QUrl) -> int | None:
    """The code block number a "Copy code" link stands for, or None for any other link."""
    if url.scheme() != COPY_SCHEME or not url.path().isdigit():
        return None
    return int(url.path())


def render_markdown(markdown: str, *, dark: bool, parent: QObject | None = None
                    ) -> RenderedMarkdown:
    """The message rendered into a new document; an unclosed fence (a reply still streaming)
    runs to the end as code, as CommonMark says."""
    document = InertDocument(parent)
    document.setUndoRedoEnabled(False)  # an undo history would keep old text around
    document.setMarkdown(_tag_fences(markdown), _FEATURES)
    _remove_shown_tags(document)
    _images_as_alt_text(document)
    runs = _code_runs(document)
    theme = _theme(code_style_name(dark))
    for number in reversed(range(len(runs))):  # from the end, so earlier positions stay valid
        _highlight(document, runs[number], number, theme)
    return RenderedMarkdown(document, tuple(run.code for run in runs))


def _tag_fences(markdown: str) -> str:
    """Each opening fence with its block's number before the language: ```python becomes
    ```mgcode3-python."""
    lines = markdown.split("\n")
    open_fence = ""
    count = 0
    for number, line in enumerate(lines):
        match = _FENCE.match(line)
        if match is None:
            continue
        fence, info = match["fence"], match["info"]
        if not open_fence:
            if fence[0] == "`" and "`" in info:  # ```x``` on one line is inline code
                continue
            lines[number] = f"{match['prefix']}{fence}mgcode{count}-{info.strip()}"
            open_fence = fence
            count += 1
        elif fence[0] == open_fence[0] and len(fence) >= len(open_fence) and not info.strip():
            open_fence = ""
    return "\n".join(lines)


def _remove_shown_tags(document: QTextDocument) -> None:
    found = document.find(_SHOWN_TAG)
    while not found.isNull():
        found.removeSelectedText()
        found = document.find(_SHOWN_TAG, found)


def _images_as_alt_text(document: QTextDocument) -> None:
    images: list[tuple[int, str]] = []
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().isImageFormat():
                alt = fragment.charFormat().stringProperty(QTextFormat.Property.ImageAltText)
                images.append((fragment.position(), f"[image: {alt}]" if alt else "[image]"))
            fragments += 1
        block = block.next()
    cursor = QTextCursor(document)
    for position, text in reversed(images):
        cursor.setPosition(position)
        cursor.setPosition(position + 1, QTextCursor.MoveMode.KeepAnchor)
        italic = QTextCharFormat()
        italic.setFontItalic(True)
        cursor.insertText(text, italic)


def _code_runs(document: QTextDocument) -> list[_CodeRun]:
    """Fenced code as Qt parsed it: one block per line, consecutive lines sharing a language."""
    runs: list[_CodeRun] = []
    lines: list[QTextBlock] = []
    language = ""

    def close_run() -> None:
        if lines:
            runs.append(_CodeRun(lines[0].position(), len(lines), _TAG.sub("", language),
                                 "\n".join(line.text() for line in lines)))
            lines.clear()

    block = document.begin()
    while block.isValid():
        # stringProperty, not property(): PySide 6.12 under-counts the None that property()
        # returns for a missing property, which ends in a crash after a few thousand calls.
        fenced = bool(block.blockFormat().stringProperty(QTextFormat.Property.BlockCodeFence))
        block_language = block.blockFormat().stringProperty(QTextFormat.Property.BlockCodeLanguage)
        if lines and (not fenced or block_language != language):
            close_run()
        if fenced:
            lines.append(block)
            language = block_language
        block = block.next()
    close_run()
    return runs


def _highlight(document: QTextDocument, run: _CodeRun, number: int, theme: _CodeTheme) -> None:
    cursor = QTextCursor(document)
    cursor.setPosition(run.start)
    cursor.insertBlock()  # the empty block left at run.start becomes the code block's header
    cursor.setPosition(run.start)
    cursor.setBlockFormat(_header_block_format())
    label = QTextCharFormat()
    label.setFontPointSize(max(QGuiApplication.font().pointSizeF() * 0.85, 6.0))
    cursor.setBlockCharFormat(label)
    cursor.insertText(f"{run.language or 'code'}   ", label)
    link = QTextCharFormat(label)
    link.setAnchor(True)
    link.setAnchorHref(f"{COPY_SCHEME}:{number}")
    link.setFontUnderline(True)
    link.setForeground(QGuiApplication.palette().link())
    link.setToolTip("Copy this code")
    cursor.insertText("Copy code", link)

    code_start = cursor.position() + 1
    cursor.setPosition(code_start)
    for _ in range(run.line_count):
        # Keep Qt's code properties, but let long lines wrap: the bubble has no horizontal scroll.
        cursor.mergeBlockFormat(theme.block_format)
        cursor.movePosition(QTextCursor.MoveOperation.NextBlock)
    offset = code_start
    for token_type, value in _lexer(run.language).get_tokens(run.code):
        length = len(value.encode("utf-16-le")) // 2  # Qt counts UTF-16 code units
        cursor.setPosition(offset)
        cursor.setPosition(offset + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(theme.format_for(token_type))
        offset += length


def _header_block_format() -> QTextBlockFormat:
    header = QTextBlockFormat()
    header.setTopMargin(6)
    return header


def _lexer(language: str) -> Lexer:
    # Keep every character where it is: token offsets must match the document's positions.
    options = {"stripnl": False, "ensurenl": False, "tabsize": 0}
    try:
        return get_lexer_by_name(language, **options) if language else TextLexer(**options)
    except ClassNotFound:
        return TextLexer(**options)


class _CodeTheme:
    """A pygments style as Qt formats, made once per style."""

    def __init__(self, style_name: str) -> None:
        self._style = get_style_by_name(style_name)
        background = QColor(self._style.background_color)
        self.block_format = QTextBlockFormat()
        self.block_format.setBackground(background)
        self.block_format.setNonBreakableLines(False)
        self.block_format.setLeftMargin(4)
        base = self._style.style_for_token(Token)["color"]
        # Styles that leave plain text uncoloured expect a contrasting default on their background.
        self._plain = QColor(f"#{base}" if base else
                             ("#e6e6e6" if background.lightness() < 128 else "#1f1f1f"))
        self._formats: dict[_TokenType, QTextCharFormat] = {}

    def format_for(self, token_type: _TokenType) -> QTextCharFormat:
        known = self._formats.get(token_type)
        if known is not None:
            return known
        spec = self._style.style_for_token(token_type)
        made = QTextCharFormat()
        made.setForeground(QColor(f"#{spec['color']}") if spec["color"] else self._plain)
        made.setFontWeight(QFont.Weight.Bold if spec["bold"] else QFont.Weight.Normal)
        made.setFontItalic(bool(spec["italic"]))
        self._formats[token_type] = made
        return made


@lru_cache(maxsize=2)
def _theme(style_name: str) -> _CodeTheme:
    return _CodeTheme(style_name)
