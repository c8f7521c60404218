"""A fast table layout for very long ledgers: monospaced text laid out and paginated in Python.

WeasyPrint spends about 5 ms on each row of an ordinary 8-column table (every cell is a box
with its own line boxes, collapsed borders are computed per cell); a county ledger of 40,000
rows would take several minutes. Here every row is one block of preformatted text in
"Noto Sans Mono CJK SC", where a Chinese character is exactly two half-widths and a Latin one
exactly one, so columns line up by padding with spaces. Column rules are one background image
per page and row rules a bottom border per row: about 1 ms a row, and the text stays text
(``pdftotext -layout`` gives the columns back).

Because every row's height is known here, pages are cut here too: the page count of the whole
document is known before WeasyPrint runs, which lets a big ledger be rendered in parts and
merged with the right 第 N 页 共 M 页 on every page.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

#: closing punctuation that must not start a line (simple 禁则)
NO_LINE_START = set("，。、；：？！）》」』】〕…—,.;:?!)]}%")
MONO_FONT = "Noto Sans Mono CJK SC"
PT_PER_MM = 72 / 25.4


@lru_cache(maxsize=1)
def _font_widths() -> dict[int, int] | None:
    """code point → advance in half-widths (1 or 2) from the installed font, or None."""
    try:
        import subprocess

        from fontTools.ttLib import TTFont

        found = subprocess.run(["fc-match", "-f", "%{file}|%{index}", MONO_FONT], capture_output=True,
                               text=True, timeout=10, check=True).stdout  # nosec B603 B607 - fixed argv
        path, index = found.split("|")
        font = TTFont(path, fontNumber=int(index or 0), lazy=True)
        if "Mono" not in font["name"].getDebugName(1):
            return None
        metrics, cmap = font["hmtx"].metrics, font.getBestCmap()
        em = font["head"].unitsPerEm
        return {cp: 2 if metrics[glyph][0] > em * 0.75 else 1 for cp, glyph in cmap.items()}
    except Exception:  # noqa: BLE001 - no font tools or no font: fall back on Unicode widths
        return None


_memo: dict[str, int] = {}


def char_width(ch: str) -> int:
    """Half-widths ``ch`` takes in the monospaced font (0 for combining marks)."""
    width = _memo.get(ch)
    if width is None:
        cp = ord(ch)
        widths = _font_widths()
        if cp < 0x7F:
            width = 1
        elif widths is not None and cp in widths:
            width = widths[cp]
        elif unicodedata.combining(ch):
            width = 0
        else:
            width = 2 if unicodedata.east_asian_width(ch) in "WFA" else 1
        _memo[ch] = width
    return width


def text_width(text: str) -> int:
    if text.isascii():
        return len(text)
    memo = _memo
    return sum(memo[ch] if ch in memo else char_width(ch) for ch in text)


def clean(text: object) -> str:
    """Text safe for a monospaced cell: control characters and tabs become spaces."""
    if text is None:
        return ""
    text = str(text)
    if text.isprintable():  # the common case, checked at C speed
        return text.strip()
    out = []
    for ch in text:
        if ch == "\n":
            out.append(ch)
        elif ch == "\t" or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out).strip()


def wrap_widths(text: object, width: int) -> tuple[tuple[str, int], ...]:
    """(line, its width) for ``text`` broken into lines of at most ``width`` half-widths."""
    if isinstance(text, int):  # 序号 and counts: one short line
        text = str(text)
        if len(text) <= width:
            return ((text, len(text)),)
    text = clean(text)
    if len(text) <= SHORT_TEXT:
        return _wrap_short(text, width)
    return tuple(_wrap(text, width))


#: cells up to this many characters are remembered once measured (see :func:`_wrap_short`)
SHORT_TEXT = 80


@lru_cache(maxsize=32768)
def _wrap_short(text: str, width: int) -> tuple[tuple[str, int], ...]:
    """:func:`wrap_widths` of a short cell, remembered: a county ledger repeats the same places,
    organisers, activity types and participant lists thousands of times (a profile of a
    40,000-row ledger spent most of its layout time measuring them again)."""
    return tuple(_wrap(text, width))


def _wrap(text: str, width: int) -> list[tuple[str, int]]:
    if "\n" not in text:
        used = text_width(text)
        if used <= width:
            return [(text, used)]
    lines: list[tuple[str, int]] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for ch in paragraph:
            w = char_width(ch)
            if used + w > width and line:
                if ch in NO_LINE_START and len(line) > 1:  # carry the last character down
                    lines.append((line[:-1], used - char_width(line[-1])))
                    line = line[-1]
                    used = char_width(line)
                else:
                    lines.append((line, used))
                    line, used = "", 0
            line += ch
            used += w
        lines.append((line, used))
    return lines or [("", 0)]


def wrap(text: object, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` half-widths (explicit newlines kept)."""
    return [line for line, _ in wrap_widths(text, width)]


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - text_width(text))


@dataclass
class Column:
    label: str
    width: int  # half-widths, rule included
    align: str = "left"


@dataclass
class GridRow:
    lines: list[str]
    images: list[str] = field(default_factory=list)  # thumbnail URLs
    shade: bool = False


@dataclass
class GridPage:
    rows: list[GridRow]


@dataclass
class Grid:
    """A laid-out, paginated table."""

    columns: list[Column]
    header: list[str]
    pages: list[GridPage]
    font_pt: float
    line_pt: float
    image_column: int | None = None

    @property
    def half_pt(self) -> float:
        return self.font_pt / 2

    @property
    def width_pt(self) -> float:
        return sum(c.width for c in self.columns) * self.half_pt

    def rule_positions(self) -> list[float]:
        """x of every column rule in pt, from the left edge."""
        xs, x = [0.0], 0.0
        for column in self.columns:
            x += column.width * self.half_pt
            xs.append(x)
        return xs

    def image_x(self, k: int) -> float:
        """x of the ``k``-th thumbnail of a row, in pt."""
        start = sum(c.width for c in self.columns[: self.image_column]) * self.half_pt
        return start + 1.5 + k * (self.thumb_w + 1.5)

    @property
    def thumb_h(self) -> float:
        return 2 * self.line_pt - 3

    @property
    def thumb_w(self) -> float:
        return round(self.thumb_h * 4 / 3, 1)


def format_row(columns: list[Column], cells: list[object], min_lines: int = 1) -> list[str]:
    """The text lines of one table row: each cell wrapped inside its column, padded to width."""
    wrapped = [wrap_widths(cell, col.width - 2) for cell, col in zip(cells, columns)]
    height = max(min_lines, max(len(w) for w in wrapped))
    lines = []
    for k in range(height):
        parts = []
        for w, col in zip(wrapped, columns):
            text, used = w[k] if k < len(w) else ("", 0)
            if col.align == "right" and text:
                parts.append(" " * (col.width - 1 - used) + text + " ")
            else:
                parts.append(" " + text + " " * (col.width - 1 - used))
        lines.append("".join(parts).rstrip())
    return lines


def layout(columns: list[Column], rows: list[tuple[list[object], list[str]]], *, page_height_pt: float,
           first_page_offset_pt: float = 0.0, font_pt: float = 7.5, line_pt: float = 10.5,
           image_column: int | None = None, max_images: int = 3, last_page_reserve_pt: float = 0.0) -> Grid:
    """Lay out ``rows`` (cells, thumbnail URLs) and cut them into pages of ``page_height_pt``.

    The first page has ``first_page_offset_pt`` less room (title and summary above the table).
    A row taller than a page is split across pages. The last page keeps ``last_page_reserve_pt``
    free (for the signatures): when it has less, its last row moves to a page of its own, so
    what follows the table is never alone on a page.
    """
    header = format_row(columns, [c.label for c in columns])
    row_rule = 0.5
    head_h = len(header) * line_pt + row_rule
    pages: list[GridPage] = []
    current: list[GridRow] = []
    room = page_height_pt - first_page_offset_pt - head_h
    for i, (cells, images) in enumerate(rows):
        images = images[:max_images] if image_column is not None else []
        lines = format_row(columns, cells, 2 if images else 1)
        shade = bool(i % 2)
        while lines:
            fits = int((room - row_rule) // line_pt)
            if len(lines) <= fits:
                current.append(GridRow(lines, images, shade))
                room -= len(lines) * line_pt + row_rule
                break
            if not current and fits >= 1:  # taller than a page: split the row
                current.append(GridRow(lines[:fits], images, shade))
                lines, images = lines[fits:], []
            pages.append(GridPage(current))
            current, room = [], page_height_pt - head_h
    if last_page_reserve_pt and room < last_page_reserve_pt and len(current) > 1:
        pages.append(GridPage(current[:-1]))
        current = current[-1:]
    if current or not pages:
        pages.append(GridPage(current))
    return Grid(columns, header, pages, font_pt, line_pt, image_column)


def rules_svg(grid: Grid) -> str:
    """An SVG of the column rules, stretched over each page's table as its background."""
    xs = grid.rule_positions()
    xs[0], xs[-1] = 0.25, xs[-1] - 0.25
    width = grid.width_pt
    lines = "".join(f'<line x1="{x:.2f}" x2="{x:.2f}" y1="0" y2="100" stroke="#777" stroke-width="0.5" '
                    f'vector-effect="non-scaling-stroke"/>' for x in xs)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.2f}" height="100" '
            f'viewBox="0 0 {width:.2f} 100" preserveAspectRatio="none">{lines}</svg>')
