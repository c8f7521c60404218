"""The fast row reader gives exactly what openpyxl's read-only ``iter_rows`` gives."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook

from app.children.roster.sheet import iter_rows

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RICH_SHEET = f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{NS}"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><r><t>王</t></r><r><t>小花</t></r>
<rPh sb="0" eb="1"><t>wang</t></rPh></is></c><c r="C1" t="inlineStr"><is><t/></is></c></row>
<row r="4"><c t="inlineStr"><is><t xml:space="preserve"> 空格 </t></is></c><c><v>3</v></c><c t="s"><v>0</v></c></row>
<row r="9"><c r="B9" t="b"><v>1</v></c></row>
</sheetData></worksheet>"""


def _plain() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "出生日期"])
    ws.append([1, "王小花", datetime(2014, 4, 3)])
    ws.append([])
    ws.append([2, "=1+1", None, "尾"])
    ws.cell(8, 2, "远处")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rich() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_plain()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = RICH_SHEET.encode()
            elif info.filename == "[Content_Types].xml" and b"sharedStrings" not in data:
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                                    b"</Types>")
            elif info.filename == "xl/_rels/workbook.xml.rels" and b"sharedStrings" not in data:
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSS" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                    b'Target="sharedStrings.xml"/></Relationships>')
            target.writestr(info, data)
        target.writestr("xl/sharedStrings.xml", f'<sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>共享</t></si></sst>')
    return out.getvalue()


def _rows(data: bytes, fast: bool, **kw):
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    ws = wb.worksheets[0]
    ws.reset_dimensions()
    rows = iter_rows(ws, **kw) if fast else ws.iter_rows(**kw)
    return [tuple((c.value, c.number_format) for c in row) for row in rows]


@pytest.mark.parametrize("make", [_plain, _rich])
@pytest.mark.parametrize("kw", [{}, {"max_row": 2}, {"max_row": 15}, {"min_row": 2}, {"min_row": 5, "max_row": 12}])
def test_same_rows_as_openpyxl(make, kw):
    data = make()
    assert _rows(data, True, **kw) == _rows(data, False, **kw)


def test_rich_text_keeps_runs_and_drops_phonetic_runs():
    rows = _rows(_rich(), True)
    assert [c[0] for c in rows[0]] == ["姓名", "王小花", ""]
    assert [c[0] for c in rows[3]] == [" 空格 ", 3, "共享"]
