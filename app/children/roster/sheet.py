"""Row iteration over a read-only worksheet with a faster path for inline strings.

openpyxl (and so every roster we export, and many generated files) writes text as inline
strings (``<c t="inlineStr"><is><t>…</t></is></c>``); openpyxl parses each one into a full
``Text`` object, which is most of its reading time. :func:`iter_rows` yields exactly what
``sheet.iter_rows(min_row=…, max_row=…)`` yields, but reads inline strings directly: the plain
``<t>`` and the ``<t>`` of each rich-text run, as ``Text.content`` does (phonetic runs are
not text). It relies on openpyxl 3.1 internals (pinned in requirements.txt) and falls back to
``sheet.iter_rows`` when they are missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from xml.etree.ElementTree import iterparse  # C-accelerated; DTDs were refused beforehand

from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

_IS = f"{{{SHEET_MAIN_NS}}}is"
_T = f"{{{SHEET_MAIN_NS}}}t"
_R = f"{{{SHEET_MAIN_NS}}}r"
_ROW = f"{{{SHEET_MAIN_NS}}}row"


class _InlineStringParser(WorkSheetParser):
    """openpyxl's sheet parser, reading inline strings without building ``Text`` objects and
    only the rows (the roster needs nothing else from the sheet part)."""

    def parse(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """Rows, parsed by the standard library's C-accelerated parser instead of defusedxml's
        pure-Python one (half the reading time). Safe because
        :func:`app.children.roster.container.check_workbook_bytes` has refused any part with a
        DTD or entity declaration, and expat resolves no external entities."""
        for _, element in iterparse(self.source):  # nosec B314 - DTDs refused by the whole-part scan
            if element.tag == _ROW:
                row = self.parse_row(element)
                element.clear()
                yield row

    def parse_cell(self, element: Any) -> dict[str, Any]:
        if element.get("t") != "inlineStr" or self.rich_text:
            return super().parse_cell(element)
        child = element.find(_IS)
        if child is None:
            return super().parse_cell(element)
        coordinate = element.get("r")
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        parts = []
        for node in child:
            if node.tag == _T:
                parts.append(node.text or "")
            elif node.tag == _R:
                text = node.find(_T)
                if text is not None:
                    parts.append(text.text or "")
        style_id = element.get("s", 0)
        return {"row": row, "column": column, "value": "".join(parts), "data_type": "s",
                "style_id": int(style_id) if style_id else 0}


def iter_rows(sheet: Any, min_row: int = 1, max_row: int | None = None) -> Iterator[tuple[Any, ...]]:
    """Rows of cells of a read-only ``sheet`` whose dimensions were reset, from ``min_row`` to
    ``max_row`` (the end when ``None``); missing rows are empty tuples."""
    try:
        source = sheet._get_source()
        workbook = sheet.parent
        parser = _InlineStringParser(source, sheet._shared_strings, data_only=workbook.data_only,
                                     epoch=workbook.epoch, date_formats=workbook._date_formats,
                                     timedelta_formats=workbook._timedelta_formats)
    except AttributeError:  # another openpyxl: its own (slower) reader
        yield from sheet.iter_rows(min_row=min_row, max_row=max_row)
        return
    counter, index = min_row, 1
    with source:
        for index, cells in parser.parse():
            if max_row is not None and index > max_row:
                break
            for _ in range(counter, index):  # rows missing from the file
                counter += 1
                yield ()
            if counter <= index:
                counter += 1
                yield sheet._get_row(cells, 1, None, False)
    if max_row is not None and max_row < index:  # as openpyxl: pad up to max_row
        for _ in range(counter, max_row + 1):
            yield ()
