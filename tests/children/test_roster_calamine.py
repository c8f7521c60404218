"""The python-calamine reader gives exactly what the openpyxl reader gives, and hands the
workbooks it cannot read the same way over to openpyxl."""
from __future__ import annotations

import importlib.util
import io
import re
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from app.children.roster import parse_roster
from app.children.roster import reader as roster_reader
from tests.children.roster_twins import dump, read_both
from tests.children.test_roster import OFFICIAL, TITLE_ROWS, build, combined, data_row, two_level


def _same(data: bytes, **kw: Any) -> Any:
    fast, slow = read_both(data, **kw)
    assert fast is not None, "calamine handed this workbook over to openpyxl"
    assert dump(fast) == dump(slow)
    return fast


def test_sample_is_read_by_calamine_with_the_same_result(sample_path: Path, truth: dict[str, Any]) -> None:
    result = _same(sample_path.read_bytes())
    assert len(result.rows) == truth["rows"]
    assert sorted(str(r.seq) for r in result.bad_rows) == sorted(truth["bad"])


def _bench_generator():
    """The roster bench's generator, loaded by path: ``bench`` is no package, and another test puts
    bench/matching (whose bench.py would shadow it) on sys.path."""
    path = Path(__file__).resolve().parents[2] / "bench" / "roster" / "bench_import.py"
    spec = importlib.util.spec_from_file_location("roster_bench_import", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


def test_generated_messy_county_roster_reads_the_same(tmp_path: Path) -> None:
    generate = _bench_generator()
    path = tmp_path / "messy.xlsx"
    generate(path, 600)  # merged two-level header, shuffled columns, notes, a repeated header
    result = _same(path.read_bytes())
    assert len(result.rows) == 600 and result.skipped and result.bad_rows


def test_generated_children_read_the_same_from_a_sheet_starting_low_and_right(
    xlsx: Callable[..., bytes], children: list[dict[str, Any]]
) -> None:
    """calamine's own rows start at the first filled cell; row numbers, the title area and
    the header must still be found where openpyxl finds them."""
    header, _ = two_level(OFFICIAL, merged=True)  # blank cells where merged ones would be
    body = [data_row(c, OFFICIAL) for c in children]
    result = _same(xlsx([[], [], *([None, None, *r] for r in [*TITLE_ROWS, *header, *body])]))
    assert result.header_rows == (5, 6)
    assert [r.row_number for r in result.rows] == list(range(7, 7 + len(children)))
    assert all(r.ok for r in result.rows), [r.reason() for r in result.rows]
    assert result.fill_date == date(2026, 9, 30)


def test_every_value_type_reads_the_same(xlsx: Callable[..., bytes], make_child: Callable[[int], Any]) -> None:
    child = make_child(3)
    child.update(seq=3.0, father_phone=13390990003, grade=6, boarding=True, disability=2.5,
                 birth_date=child["birth_date"], ethnicity="")
    data = build(xlsx, combined(OFFICIAL), [data_row(child, OFFICIAL), [None] * 3, ["合计", 1]])
    result = _same(data)
    assert result.rows[0].values[OFFICIAL.index(("grade", None, "年级"))] == 6


def _fallback(data: bytes) -> Any:
    fast, slow = read_both(data)
    assert fast is None, "calamine should have handed this workbook over to openpyxl"
    assert dump(parse_roster(data, reference_date=date(2026, 9, 30))) == dump(slow)
    return slow


def test_a_year_month_style_goes_to_openpyxl(xlsx: Callable[..., bytes], make_child: Callable[[int], Any]) -> None:
    child = make_child(3)

    def month_format(ws: Any) -> None:
        ws["E4"].number_format = "yyyy-mm"

    result = _fallback(xlsx([*TITLE_ROWS, *combined(OFFICIAL), data_row(child, OFFICIAL)], tweak=month_format))
    assert result.rows[0].record["birth_date"] == child["birth_date"]  # the day from the ID


def test_an_id_of_18_exact_digits_goes_to_openpyxl(xlsx: Callable[..., bytes], make_child: Callable[[int], Any]) -> None:
    child = make_child(2)
    number = child["id_number"]
    child["id_number"] = 1.0  # a number cell, then its exact digits as another tool writes them
    data = build(xlsx, combined(OFFICIAL), [data_row(child, OFFICIAL)])
    data = _rezip(data, "xl/worksheets/sheet1.xml",
                  lambda x: re.sub(rb'(<c r="F4" t="n"><v>)[^<]*', rb"\g<1>" + number.encode(), x))
    result = _fallback(data)
    assert result.rows[0].ok and result.rows[0].record["id_number"] == number


def _rezip(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            target.writestr(info, change(part) if info.filename == name else part)
    return out.getvalue()


def test_the_1904_date_system_goes_to_openpyxl(xlsx: Callable[..., bytes], make_child: Callable[[int], Any]) -> None:
    child = make_child(1)
    child["birth_date"] = (child["birth_date"] - date(1904, 1, 1)).days  # a serial of the 1904 system
    data = build(xlsx, combined(OFFICIAL), [data_row(child, OFFICIAL)])
    data = _rezip(data, "xl/workbook.xml", lambda x: x.replace(b"<workbookPr />", b"<workbookPr date1904=\"1\" />"))
    assert _fallback(data).rows[0].record["birth_date"] == make_child(1)["birth_date"]


def test_a_far_cell_goes_to_openpyxl_without_a_huge_grid(xlsx: Callable[..., bytes], make_child: Callable[[int], Any]) -> None:
    def far(ws: Any) -> None:
        ws["XFD60000"] = "远"

    result = _fallback(xlsx([*TITLE_ROWS, *combined(OFFICIAL), data_row(make_child(1), OFFICIAL)], tweak=far))
    assert [r.ok for r in result.rows] == [True]


def test_parse_roster_uses_calamine_for_the_sample(sample_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("openpyxl was used")

    monkeypatch.setattr(roster_reader, "parse_with_openpyxl", refuse)
    assert parse_roster(sample_path).rows
