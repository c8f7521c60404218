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

import json
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: closing punctuation that must not start a line (simple 禁则)
NO_LINE_START = set("，。、；：？！）》」』】〕…—,.;:?!)]}%")
MONO_FONT = "Noto Sans Mono CJK SC"
PT_PER_MM = 72 / 25.4


#: where the font's width table is kept once read (see :func:`keep_widths_in`)
_widths_folder: dict[str, Path] = {}


def keep_widths_in(folder: Path) -> None:
    """Keep the monospaced font's width table in ``folder``: reading it from the font file takes
    a few tenths of a second, paid by every process that lays out a ledger."""
    _widths_folder["path"] = folder


@lru_cache(maxsize=1)
def _font_widths() -> dict[int, int] | None:
    """code point → advance in half-widths (1 or 2) from the installed font, or None."""
    try:
        import subprocess

        found = subprocess.run(["fc-match", "-f", "%{file}|%{index}", MONO_FONT], capture_output=True,
                               text=True, timeout=10, check=True).stdout  # nosec B603 B607 - fixed argv
        path, index = found.split("|")
        stat = os.stat(path)
        key = f"{path}|{index}|{stat.st_size}|{stat.st_mtime_ns}"
        return _kept_widths(key) or _keep_widths(key, _read_widths(path, int(index or 0)))
    except Exception:  # noqa: BLE001 - no font tools or no font: fall back on Unicode widths
        return None


def _read_widths(path: str, index: int) -> dict[int, int] | None:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    if "Mono" not in font["name"].getDebugName(1):
        return None
    metrics, cmap = font["hmtx"].metrics, font.getBestCmap()
    em = font["head"].unitsPerEm
    return {cp: 2 if metrics[glyph][0] > em * 0.75 else 1 for cp, glyph in cmap.items()}


def _kept_widths(key: str) -> dict[int, int] | None:
    folder = _widths_folder.get("path")
    try:
        kept = json.loads((folder / WIDTHS_FILE).read_text()) if folder else None
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("font") != key:
        return None
    widths: dict[int, int] = {}
    for start, count, width in kept["runs"]:
        widths.update(dict.fromkeys(range(start, start + count), width))
    return widths


def _keep_widths(key: str, widths: dict[int, int] | None) -> dict[int, int] | None:
    """Write ``widths`` as runs of consecutive code points of one width (atomically)."""
    folder = _widths_folder.get("path")
    if widths and folder:
        runs: list[list[int]] = []
        for cp in sorted(widths):
            if runs and runs[-1][0] + runs[-1][1] == cp and runs[-1][2] == widths[cp]:
                runs[-1][1] += 1
            else:
                runs.append([cp, 1, widths[cp]])
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f"{WIDTHS_FILE}.{os.getpid()}"
            tmp.write_text(json.dumps({"font": key, "runs": runs}))
            tmp.replace(folder / WIDTHS_FILE)
        except OSError:
            pass
    return widths


WIDTHS_FILE = "mono-widths.json"


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


class GridRow:
    """A row on a page (or the part of a tall row that fits): its text lines, written from its
    cells' measured lines when read, so that a laid-out ledger holds no text of its own."""

    __slots__ = ("_cells", "_index", "_span", "images", "shade")

    def __init__(self, cells: _Cells, index: int, span: tuple[int, int], images: list[str], shade: bool):
        self._cells, self._index, self._span = cells, index, span
        self.images = images  # thumbnail URLs
        self.shade = shade

    @property
    def lines(self) -> list[str]:
        return self._cells.lines(self._index, *self._span)


class _Cells:
    """Every row's cells broken into padded lines, column by column: each distinct text of a
    column is measured once (a county ledger repeats its places, organisers, types, dates and
    hours tens of thousands of times), and row heights come from C-level maps over the columns."""

    def __init__(self, columns: list[Column], rows: list[list[object]]):
        self.blanks = [" " * c.width for c in columns]
        self.by_column = [self._column([cells[j] for cells in rows], col) for j, col in enumerate(columns)]

    @staticmethod
    def _column(values: list[object], col: Column) -> list[tuple[str, ...]]:
        if all(type(v) is str for v in values):
            known = {v: _measure(v, col) for v in set(values)}
            return list(map(known.__getitem__, values))
        return [_measure(v, col) for v in values]

    def heights(self, min_lines: list[int]) -> list[int]:
        return list(map(max, min_lines, *(map(len, column) for column in self.by_column)))

    def lines(self, i: int, start: int, end: int) -> list[str]:
        cells = [column[i] for column in self.by_column]
        return ["".join([c[k] if k < len(c) else blank for c, blank in zip(cells, self.blanks)]).rstrip()
                for k in range(start, end)]


def _measure(value: object, col: Column) -> tuple[str, ...]:
    return tuple(_pad_line(text, used, col.width, col.align) for text, used in wrap_widths(value, col.width - 2))


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
    row = _Cells(columns, [cells])
    return row.lines(0, 0, row.heights([min_lines])[0])


def _pad_line(text: str, used: int, width: int, align: str) -> str:
    if align == "right" and text:
        return " " * (width - 1 - used) + text + " "
    return " " + text + " " * (width - 1 - used)


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
    images_of = [images[:max_images] if image_column is not None else [] for _, images in rows]
    cells = _Cells(columns, [row_cells for row_cells, _ in rows])
    heights = cells.heights([2 if images else 1 for images in images_of])
    pages: list[GridPage] = []
    current: list[GridRow] = []
    room = page_height_pt - first_page_offset_pt - head_h
    for i, height in enumerate(heights):
        images, shade, done = images_of[i], bool(i % 2), 0
        while done < height:
            fits = int((room - row_rule) // line_pt)
            if height - done <= fits:
                current.append(GridRow(cells, i, (done, height), images, shade))
                room -= (height - done) * line_pt + row_rule
                break
            if not current and fits >= 1:  # taller than a page: split the row
                current.append(GridRow(cells, i, (done, done + fits), images, shade))
                done, images = done + fits, []
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
