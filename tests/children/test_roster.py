"""Tests of app.children.roster: import of messy and hostile files, export, round trips."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from app.children import roster
from app.children.roster import (
    RosterFileError,
    neutralize,
    parse_roster,
    roster_columns,
    unneutralize,
    write_registration_form,
    write_rejections,
    write_roster,
)
from app.core.idcard import make_id_number

Cells = dict[str, Any]


@pytest.fixture(autouse=True)
def both_readers_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every workbook these tests read through python-calamine is read by openpyxl too, and the
    two results must be identical (the readers must never be told apart)."""
    from app.children.roster import reader

    from tests.children.roster_twins import dump

    fast = reader._parse_with_calamine

    def twin(data: bytes, options: Any) -> Any:
        result = fast(data, options)
        assert dump(result) == dump(reader.parse_with_openpyxl(data, options))
        return result

    monkeypatch.setattr(reader, "_parse_with_calamine", twin)
TITLE_ROWS = (
    ["农村留守儿童基本情况登记表"],
    ["填报单位(盖章):岑巩县民政局", None, None, None, None, "填报日期:2026-09-30"],
)
OFFICIAL = [(c.field, c.group, c.header) for c in roster_columns()]


# ---------------------------------------------------------------- sheet builders


def two_level(
    columns: Sequence[tuple[str, str | None, str]], merged: bool
) -> tuple[list[list[Any]], list[str]]:
    """Group row over field row: merged (groups across, singles down) or repeated (the sample)."""
    from openpyxl.utils import get_column_letter as letter

    top: list[Any] = []
    bottom: list[Any] = []
    merges: list[str] = []
    start = 0
    for i, (_, group, header) in enumerate(columns):
        if group is None:
            top.append(header)
            bottom.append(None if merged else header)
            if merged:
                merges.append(f"{letter(i + 1)}3:{letter(i + 1)}4")
            continue
        first = i == 0 or columns[i - 1][1] != group
        start = i if first else start
        top.append(group if (first or not merged) else None)
        bottom.append(header)
        last = i + 1 == len(columns) or columns[i + 1][1] != group
        if merged and last and i > start:
            merges.append(f"{letter(start + 1)}3:{letter(i + 1)}3")
    return [top, bottom], merges


def combined(columns: Sequence[tuple[str, str | None, str]]) -> list[list[Any]]:
    """One header row with combined names (父亲姓名)."""
    return [[f"{group}{header}" if group else header for _, group, header in columns]]


def data_row(child: Cells, columns: Sequence[tuple[str, str | None, str]]) -> list[Any]:
    return [child.get(field) for field, _, _ in columns]


def shuffled_blocks(seed: int) -> list[tuple[str, str | None, str]]:
    """Official columns with blocks (single columns and whole groups) shuffled, and the
    sub-columns inside each group shuffled too; two unknown columns added."""
    rng = random.Random(seed)
    blocks: list[list[tuple[str, str | None, str]]] = []
    for col in [*OFFICIAL, ("x_note", None, "备用列"), ("x_code", None, "统计编码")]:
        if blocks and col[1] is not None and blocks[-1][0][1] == col[1]:
            blocks[-1].append(col)
        else:
            blocks.append([col])
    for block in blocks:
        rng.shuffle(block)
    rng.shuffle(blocks)
    return [col for block in blocks for col in block]


def build(
    xlsx: Callable[..., bytes],
    header: list[list[Any]],
    body: list[list[Any]],
    merges: Sequence[str] = (),
    title: Sequence[Sequence[Any]] = TITLE_ROWS,
) -> bytes:
    return xlsx([*title, *header, *body], merges=merges)


@pytest.fixture
def baseline(xlsx: Callable[..., bytes], children: list[Cells]) -> list[dict[str, Any]]:
    """Records parsed from the generated children in the sample's clean layout."""
    header, _ = two_level(OFFICIAL, merged=False)
    result = parse_roster(build(xlsx, header, [data_row(c, OFFICIAL) for c in children]))
    assert [r.errors for r in result.rows] == [[]] * len(children)
    return [row.record for row in result.rows]


# ---------------------------------------------------------------- the shared sample


def test_sample_imports_with_exactly_its_planted_errors(
    sample_path: Path, truth: dict[str, Any]
) -> None:
    result = parse_roster(sample_path)
    assert result.reference_date == date.fromisoformat(truth["reference_date"])
    assert result.reference_date_source == "sheet"
    assert result.unit == "岑巩县民政局"
    assert result.title == "农村留守儿童基本情况登记表"
    assert result.header_rows == (3, 4)
    assert len(result.rows) == truth["rows"]
    bad = {str(row.seq): {issue.code for issue in row.errors} for row in result.bad_rows}
    assert bad == {seq: {code} for seq, code in truth["bad"].items()}
    for row in result.bad_rows:
        for issue in row.errors:
            assert issue.message == truth["messages"][issue.code]
    assert [row.warnings for row in result.rows] == [[]] * truth["rows"]  # no false alarms either
    assert not result.file_issues and not result.skipped


def test_sample_duplicate_points_to_the_first_row(sample_path: Path) -> None:
    result = parse_roster(sample_path)
    [row] = [r for r in result.rows if r.seq == 51]
    assert row.reason() == "身份证号码与本表另一行重复(与第53行重复)"


def test_sample_with_county_townships(sample_path: Path, truth: dict[str, Any]) -> None:
    towns = {
        "思旸镇",
        "客楼镇",
        "天马镇",
        "龙田镇",
        "大有镇",
        "注溪镇",
        "凯本镇",
        "平庄镇",
        "羊桥土家族乡",
    }
    result = parse_roster(sample_path, townships=towns)  # 水尾镇 left out on purpose
    unknown = {
        row.seq for row in result.rows if any(i.code == "unknown_township" for i in row.errors)
    }
    assert unknown == {row.seq for row in result.rows if row.record["township"] == "水尾镇"}
    assert unknown
    message = next(i.message for r in result.rows for i in r.errors if i.code == "unknown_township")
    assert message == truth["messages"]["unknown_township"]


def test_sample_from_stream_and_bytes(sample_path: Path) -> None:
    data = sample_path.read_bytes()
    with sample_path.open("rb") as fh:
        from_stream = parse_roster(fh)
    assert [r.record for r in from_stream.rows] == [r.record for r in parse_roster(data).rows]


# ---------------------------------------------------------------- messy layouts


def test_clean_layout_parses_every_field(
    xlsx: Callable[..., bytes], make_child: Callable[[int], Cells]
) -> None:
    child = make_child(1)
    header, _ = two_level(OFFICIAL, merged=False)
    [row] = parse_roster(build(xlsx, header, [data_row(child, OFFICIAL)])).rows
    assert row.ok
    assert row.record == {
        **row.record,
        "seq": 2,
        "name": "测试儿童1",
        "sex": "male",
        "birth_date": child["birth_date"],
        "id_number": child["id_number"],
        "has_hukou": True,
        "township": "凯本镇",
        "village": "红旗村",
        "health": "healthy",
        "schooling": "primary",
        "boarding": False,
        "father_phone": "13390990001",
        "mother_work_place": "上海市",
        "both_parents_away": True,
        "one_parent_away_other_incapable": False,
        "guardian_relation": "祖母",
        "guardianship_type": "fair",
        "income_sources": ["wages", "farming"],
        "assistance": ["subsistence"],
        "village_contact_phone": "17875740001",
        "father_id_number": None,
    }
    assert row.values[1] == "测试儿童1" and row.values[4] == datetime(
        *child["birth_date"].timetuple()[:3]
    )


@pytest.mark.parametrize("layout", ["merged", "repeated", "combined"])
@pytest.mark.parametrize("seed", [1, 2])
def test_shuffled_layouts_give_the_same_records(
    xlsx: Callable[..., bytes],
    children: list[Cells],
    baseline: list[dict[str, Any]],
    layout: str,
    seed: int,
) -> None:
    columns = shuffled_blocks(seed)
    if layout == "combined":
        random.Random(seed).shuffle(columns)  # one-row headers need no blocks
        header, merges = combined(columns), []
    else:
        header, merges = two_level(columns, merged=layout == "merged")
    body = [data_row({**c, "x_note": "备注文字", "x_code": 42}, columns) for c in children]
    result = parse_roster(build(xlsx, header, body, merges))
    assert [row.record for row in result.rows] == baseline
    extra = [c for c in result.columns if c.field is None]
    assert sorted(c.header for c in extra) == ["备用列", "统计编码"]
    assert all(row.values[extra[0].index] in ("备注文字", 42) for row in result.rows)


def test_bare_sub_columns_follow_a_combined_column(
    xlsx: Callable[..., bytes], children: list[Cells], baseline: list[dict[str, Any]]
) -> None:
    names = []
    last_group = None
    for _, group, header in OFFICIAL:
        names.append(f"{group}{header}" if group and group != last_group else header)
        last_group = group
    assert "受委托监护人姓名" in names and names.count("联系电话") == 3
    result = parse_roster(build(xlsx, [names], [data_row(c, OFFICIAL) for c in children]))
    assert [row.record for row in result.rows] == baseline


def test_header_text_variants(
    xlsx: Callable[..., bytes], children: list[Cells], baseline: list[dict[str, Any]]
) -> None:
    variants = {
        "姓名": "姓  名",
        "公民身份证号码": "公民身份\n证号码",
        "乡镇(街道)": "乡镇（街道）",
        "村(社区)": "村（社区）",
        "性别": "*性别",
        "是否寄宿": "是否寄宿(是/否)",
        "出生日期": "出生日期\n（年月日）",
        "监护类型": " 监护类型 ",
        "身体情况": "身体状况",
        "学校名称": "就读学校",
        "村(居)委会联系人": "村（居）委会联系人：",
    }
    header = [[variants.get(h, h) if g is None else f"{g}{h}" for _, g, h in OFFICIAL]]
    result = parse_roster(build(xlsx, header, [data_row(c, OFFICIAL) for c in children]))
    assert [row.record for row in result.rows] == baseline
    assert all(c.field is not None for c in result.columns)


def test_header_found_lower_down_without_title(
    xlsx: Callable[..., bytes], children: list[Cells], baseline: list[dict[str, Any]]
) -> None:
    header, merges = two_level(OFFICIAL, merged=True)
    rows = [
        [None],
        ["说明:请如实填写"],
        [None],
        *header,
        *(data_row(c, OFFICIAL) for c in children),
    ]
    shifted = [m.replace("3", "#").replace("4", "5").replace("#", "4") for m in merges]
    result = parse_roster(xlsx(rows, merges=shifted), reference_date=date(2026, 9, 30))
    assert result.header_rows == (4, 5)
    assert result.reference_date_source == "parameter"
    assert [row.record for row in result.rows] == baseline


def test_skips_blank_note_and_repeated_header_rows(
    xlsx: Callable[..., bytes], children: list[Cells], baseline: list[dict[str, Any]]
) -> None:
    header, _ = two_level(OFFICIAL, merged=False)
    body = [data_row(c, OFFICIAL) for c in children]
    width = len(OFFICIAL)
    body[3:3] = [[None] * width, ["备注：本表由村委会填写"], ["说明"], *header, [99], [None, "  "]]
    body[10:10] = [["合计", "12人"]]
    body.append(["填表人：张三", None, None, "审核人：李四"])
    result = parse_roster(build(xlsx, header, body))
    assert [row.record for row in result.rows] == baseline
    assert [s.kind for s in result.skipped] == ["note", "note", "header", "header", "note", "note"]
    assert result.skipped[0].text == "备注：本表由村委会填写"


DATE_FORMS: list[Callable[[date], Any]] = [
    lambda d: d,
    lambda d: datetime(d.year, d.month, d.day, 0, 0),
    lambda d: f"{d:%Y-%m-%d}",
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d:%Y%m%d}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f" {d:%Y-%m-%d} 00:00:00",
    lambda d: f"{d:%Y－%m－%d}".translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    lambda d: int(f"{d:%Y%m%d}"),
    lambda d: (d - date(1899, 12, 30)).days,  # Excel serial
    lambda d: float((d - date(1899, 12, 30)).days),
]


def _messy_id(number: str, i: int) -> Any:
    forms: list[Callable[[str], Any]] = [
        lambda n: n,
        lambda n: n.lower(),
        lambda n: n.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ")),
        lambda n: f" {n[:6]} {n[6:14]} {n[14:]} ",
        lambda n: int(n) if n.isdigit() else n,
    ]
    return forms[i % len(forms)](number)


def exact_ints(data: bytes, numbers: Sequence[int]) -> bytes:
    """Store big integers exactly, as some tools do (openpyxl itself writes them as floats)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    for n in numbers:
        sheet = sheet.replace(f"<v>{float(n)!r}</v>".encode(), f"<v>{n}</v>".encode())
    return _rezip(data, {"xl/worksheets/sheet1.xml": sheet})


def test_messy_cell_values(
    xlsx: Callable[..., bytes], children: list[Cells], baseline: list[dict[str, Any]]
) -> None:
    header, _ = two_level(OFFICIAL, merged=False)
    body = []
    for i, child in enumerate(children):
        messy = dict(child)
        messy["birth_date"] = DATE_FORMS[i % len(DATE_FORMS)](child["birth_date"])
        messy["id_number"] = _messy_id(child["id_number"], i)
        messy["father_phone"] = int(child["father_phone"])
        messy["mother_phone"] = f"+86 {child['mother_phone'][:3]}-{child['mother_phone'][3:]}"
        messy["boarding"] = {"是": "√", "否": "×"}[child["boarding"]]
        messy["has_hukou"] = "有"
        messy["income_sources"] = "打工收入，种养殖业"
        messy["schooling"] = " 小学 "
        messy["disability"] = "/"
        body.append(data_row(messy, OFFICIAL))
    numeric_ids = [row[5] for row in body if isinstance(row[5], int)]
    assert numeric_ids
    result = parse_roster(exact_ints(build(xlsx, header, body), numeric_ids))
    assert [row.errors for row in result.rows] == [[]] * len(children)
    assert [row.record for row in result.rows] == baseline


@pytest.mark.parametrize("form", range(len(DATE_FORMS)))
def test_each_date_form(
    xlsx: Callable[..., bytes], make_child: Callable[[int], Cells], form: int
) -> None:
    child = make_child(4)
    child["birth_date"] = DATE_FORMS[form](child["birth_date"])
    header, _ = two_level(OFFICIAL, merged=False)
    [row] = parse_roster(build(xlsx, header, [data_row(child, OFFICIAL)])).rows
    assert row.record["birth_date"] == make_child(4)["birth_date"]
    assert row.ok


def test_year_month_birth_date_takes_the_day_from_the_id(
    xlsx: Callable[..., bytes], make_child: Callable[[int], Cells]
) -> None:
    ok, wrong = make_child(1), make_child(2)
    born = ok["birth_date"]
    ok["birth_date"] = f"{born.year}.{born.month:02d}"
    wrong["birth_date"] = "2001年1月"

    def month_format(ws: Any) -> None:
        ws["E7"].number_format = "yyyy-mm"

    third = make_child(3)
    header = combined(OFFICIAL)
    rows = [*TITLE_ROWS, *header, *(data_row(c, OFFICIAL) for c in (ok, wrong, third))]
    result = parse_roster(xlsx(rows, tweak=month_format))
    assert result.rows[0].record["birth_date"] == born
    assert [i.code for i in result.rows[1].errors] == ["bad_date"]
    assert (
        result.rows[2].record["birth_date"] == third["birth_date"]
    )  # yyyy-mm cell, day from the ID


def test_id_stored_as_float_lost_its_digits(
    xlsx: Callable[..., bytes], make_child: Callable[[int], Cells]
) -> None:
    child = make_child(2)
    child["id_number"] = float(child["id_number"])
    [row] = parse_roster(build(xlsx, combined(OFFICIAL), [data_row(child, OFFICIAL)])).rows
    assert [(i.code, i.field) for i in row.issues] == [("id_precision_lost", "id_number")]
    assert (
        row.errors[0].message
        == "身份证号码被保存为数字,后几位已丢失,请将该列设为文本格式后重新填写"
    )


def test_bad_values_are_reported_not_guessed(
    xlsx: Callable[..., bytes], make_child: Callable[[int], Cells]
) -> None:
    child = make_child(2)
    child.update(
        schooling="读书", birth_date="2014-02-30", boarding="住校", income_sources="打工收入、彩票"
    )
    [row] = parse_roster(build(xlsx, combined(OFFICIAL), [data_row(child, OFFICIAL)])).rows
    assert {i.code for i in row.errors} == {
        "bad_school_status",
        "bad_date",
        "bad_yes_no",
        "bad_income_source",
    }
    assert row.record["schooling"] == "读书"
    assert "就学情况取值无效(读书)" in row.reason()


def test_duplicate_ids_flag_every_later_row(
    xlsx: Callable[..., bytes], children: list[Cells]
) -> None:
    for i in (4, 7):
        children[i].update({k: children[1][k] for k in ("id_number", "birth_date", "sex")})
    result = parse_roster(
        build(xlsx, combined(OFFICIAL), [data_row(c, OFFICIAL) for c in children])
    )
    flagged = {row.seq: [i.detail for i in row.errors] for row in result.bad_rows}
    assert flagged == {5: ["与第5行重复"], 8: ["与第5行重复"]}


def test_fill_date_in_the_next_cell(xlsx: Callable[..., bytes], children: list[Cells]) -> None:
    title = [
        ["农村留守儿童基本情况登记表"],
        ["填报单位：", "某县民政局", "填报日期：", datetime(2026, 6, 15)],
    ]
    result = parse_roster(
        build(xlsx, combined(OFFICIAL), [data_row(children[0], OFFICIAL)], title=title)
    )
    assert (result.unit, result.fill_date, result.reference_date) == (
        "某县民政局",
        date(2026, 6, 15),
        date(2026, 6, 15),
    )


def test_unit_and_fill_date_in_one_cell(xlsx: Callable[..., bytes], children: list[Cells]) -> None:
    title = [["留守儿童花名册"], ["填报单位（盖章）：某县民政局      填报日期：2026年9月30日"]]
    body = [data_row(children[0], OFFICIAL)]
    result = parse_roster(build(xlsx, combined(OFFICIAL), body, title=title))
    assert (result.title, result.unit, result.fill_date) == (
        "留守儿童花名册",
        "某县民政局",
        date(2026, 9, 30),
    )


def test_bracketed_notes_in_choices_are_ignored(
    xlsx: Callable[..., bytes], make_child: Callable[[int], Cells]
) -> None:
    child = make_child(0)
    child.update(
        income_sources="打工收入、其他（捡废品）", guardianship_type="监护情况一般(祖辈监护)"
    )
    [row] = parse_roster(build(xlsx, combined(OFFICIAL), [data_row(child, OFFICIAL)])).rows
    assert (row.record["income_sources"], row.record["guardianship_type"]) == (
        ["wages", "other"],
        "fair",
    )


def test_reference_date_defaults_to_today(
    xlsx: Callable[..., bytes], children: list[Cells]
) -> None:
    result = parse_roster(
        build(xlsx, combined(OFFICIAL), [data_row(children[0], OFFICIAL)], title=())
    )
    assert (result.reference_date, result.reference_date_source) == (date.today(), "today")
    assert result.fill_date is None and result.unit is None


@pytest.mark.parametrize(
    ("dropped", "message"),
    [({"sex"}, "缺少必需的列:性别"), ({"sex", "township"}, "缺少必需的列:性别、乡镇(街道)")],
)
def test_missing_required_column(
    xlsx: Callable[..., bytes], children: list[Cells], dropped: set[str], message: str
) -> None:
    columns = [c for c in OFFICIAL if c[0] not in dropped]
    with pytest.raises(RosterFileError) as caught:
        parse_roster(build(xlsx, combined(columns), [data_row(children[0], columns)]))
    assert (caught.value.code, caught.value.message) == ("missing_columns", message)


def test_no_header(xlsx: Callable[..., bytes]) -> None:
    with pytest.raises(RosterFileError) as caught:
        parse_roster(xlsx([["hello", "world"], [1, 2, 3]]))
    assert caught.value.code == "no_header"
    assert caught.value.message == "未找到表头:前15行中没有“姓名”“公民身份证号码”等列名"


def test_sheet_by_name(record: dict[str, Any]) -> None:
    buf = io.BytesIO()
    write_roster([record], buf, fill_date=date(2026, 9, 30))
    assert parse_roster(buf.getvalue(), sheet_name="花名册").records() == [record]
    with pytest.raises(RosterFileError) as caught:
        parse_roster(buf.getvalue(), sheet_name="Sheet9")
    assert caught.value.message == "找不到工作表“Sheet9”"


def test_duplicate_column_is_a_file_warning(
    xlsx: Callable[..., bytes], children: list[Cells]
) -> None:
    columns = [*OFFICIAL, ("name", None, "姓名")]
    result = parse_roster(build(xlsx, combined(columns), [data_row(children[0], columns)]))
    assert [(i.code, i.message) for i in result.file_issues] == [
        ("duplicate_column", "“姓名”列重复,第AI列未读取")
    ]
    assert result.rows[0].ok


# ---------------------------------------------------------------- hostile files


def _xlsx_bytes(xlsx: Callable[..., bytes], children: list[Cells]) -> bytes:
    return build(xlsx, combined(OFFICIAL), [data_row(c, OFFICIAL) for c in children])


def _rezip(data: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def _macro(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        types = src.read("[Content_Types].xml").replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
    return _rezip(
        data,
        {"[Content_Types].xml": types},
        {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(512)},
    )


def _zip_bomb(data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info.filename))
        with dst.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            chunk = b"<row/>" * (1 << 16)
            for _ in range(80):  # ~30 MB that deflates to a few dozen KB
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _entity_bomb(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    dtd = (
        b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    assert sheet.startswith(b"<worksheet")
    sheet = (dtd + sheet).replace(b"<v>", b"<v>&lol3;", 1)
    return _rezip(data, {"xl/worksheets/sheet1.xml": sheet})


def _entity_bomb_after_long_comment(data: bytes) -> bytes:
    """The DTD pushed 1 MB into the part by a comment (legal in the prolog; random text, so
    the zip-bomb check does not catch it first): a scan of the part's first bytes misses it."""
    bomb = _entity_bomb(data)
    with zipfile.ZipFile(io.BytesIO(bomb)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    padded = b"<!--" + random.Random(2).randbytes(512 * 1024).hex().encode() + b"-->" + sheet
    return _rezip(data, {"xl/worksheets/sheet1.xml": padded})


HOSTILE: list[tuple[str, Callable[[bytes], bytes], dict[str, Any], str, str]] = [
    (
        "random bytes",
        lambda d: random.Random(1).randbytes(5000),
        {},
        "not_xlsx",
        "文件不是有效的Excel(.xlsx)文件",
    ),
    (
        "csv renamed",
        lambda d: "序号,姓名,性别\n1,张三,男\n".encode(),
        {},
        "csv",
        "文件是CSV或文本文件,不是Excel(.xlsx)文件,请在Excel中另存为.xlsx后再导入",
    ),
    (
        "gbk csv renamed",
        lambda d: "序号,姓名,性别\r\n1,张三,男\r\n".encode("gbk"),
        {},
        "csv",
        "文件是CSV或文本文件,不是Excel(.xlsx)文件,请在Excel中另存为.xlsx后再导入",
    ),
    (
        "truncated",
        lambda d: d[: len(d) // 2],
        {},
        "corrupt",
        "文件已损坏或不完整(可能上传中断),请重新保存后再导入",
    ),
    (
        "encrypted",
        lambda d: (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + bytes(600)
            + "EncryptedPackage".encode("utf-16-le")
        ),
        {},
        "encrypted",
        "文件已加密(设置了打开密码),请在Excel中取消密码保护后另存为.xlsx再导入",
    ),
    (
        "legacy xls",
        lambda d: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600) + "Workbook".encode("utf-16-le"),
        {},
        "legacy_xls",
        "文件是旧版Excel(.xls)格式,请在Excel中另存为.xlsx后再导入",
    ),
    ("xlsm", _macro, {}, "macro", "不接受启用宏的工作簿(.xlsm),请另存为不含宏的.xlsx后再导入"),
    ("zip bomb", _zip_bomb, {}, "zip_bomb", "文件解压后体积异常(疑似压缩炸弹),已拒绝导入"),
    (
        "unpacked too big",
        lambda d: d,
        {"max_unpacked_bytes": 1000},
        "zip_bomb",
        "文件解压后体积异常(疑似压缩炸弹),已拒绝导入",
    ),
    (
        "over size",
        lambda d: d,
        {"max_bytes": 4 * 1024},
        "too_big",
        "文件过大(超过4KB),请拆分后分批导入",
    ),
    (
        "too many rows",
        lambda d: d,
        {"max_rows": 10},
        "too_many_rows",
        "数据行数超过上限(10行),请拆分后分批导入",
    ),
    ("empty", lambda d: b"", {}, "empty_file", "文件为空"),
    ("docx", lambda d: _docx(), {}, "not_xlsx", "文件不是有效的Excel(.xlsx)文件"),
    (
        "broken workbook part",
        lambda d: _rezip(d, {"xl/workbook.xml": b"<not-xml"}),
        {},
        "corrupt",
        "文件已损坏或不完整(可能上传中断),请重新保存后再导入",
    ),
    (
        "entity expansion",
        _entity_bomb,
        {},
        "unsafe_xml",
        "文件包含不安全的XML内容(DTD或实体声明),已拒绝导入",
    ),
    (
        "entity expansion after a long comment",
        _entity_bomb_after_long_comment,
        {},
        "unsafe_xml",
        "文件包含不安全的XML内容(DTD或实体声明),已拒绝导入",
    ),
]


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("word/document.xml", b"<w/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("case", "make", "kwargs", "code", "message"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_hostile_files(
    xlsx: Callable[..., bytes],
    children: list[Cells],
    tmp_path: Path,
    case: str,
    make: Callable[[bytes], bytes],
    kwargs: dict[str, Any],
    code: str,
    message: str,
) -> None:
    path = tmp_path / "upload.xlsx"
    path.write_bytes(make(_xlsx_bytes(xlsx, children)))
    for source in (path, io.BytesIO(path.read_bytes())):
        with pytest.raises(RosterFileError) as caught:
            parse_roster(source, **kwargs)
        assert (caught.value.code, caught.value.message) == (code, message), case
        assert caught.value.message_en


def test_zip_bomb_is_refused_before_decompression(
    xlsx: Callable[..., bytes], children: list[Cells]
) -> None:
    bomb = _zip_bomb(_xlsx_bytes(xlsx, children))
    assert len(bomb) < 1024 * 1024
    with pytest.raises(RosterFileError):
        roster.check_workbook_bytes(bomb)


def test_lying_dimension_does_not_pad_millions_of_rows(
    xlsx: Callable[..., bytes], children: list[Cells]
) -> None:
    data = _xlsx_bytes(xlsx, children)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b'<dimension ref="A1:AH', b'<dimension ref="A1:XFD1048576"/><x ref="', 1)
    result = parse_roster(_rezip(data, {"xl/worksheets/sheet1.xml": sheet}), max_rows=100)
    assert len(result.rows) == len(children)


# ---------------------------------------------------------------- rejection report


def test_rejection_report(sample_path: Path, truth: dict[str, Any]) -> None:
    result = parse_roster(sample_path)
    buf = io.BytesIO()
    assert write_rejections(result, buf) == len(truth["bad"])
    ws = load_workbook(buf).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ["行号", "原因"] + [c.header for c in result.columns]
    assert len(rows[0]) == 2 + len(result.columns)
    assert [r[2] for r in rows[1:]] == sorted(int(seq) for seq in truth["bad"])
    for line, row in zip(rows[1:], result.bad_rows, strict=True):
        assert line[0] == row.row_number
        assert line[1] == row.reason()
        expected = [v.date() if isinstance(v, datetime) else v for v in row.values]
        got = [v.date() if isinstance(v, datetime) else v for v in line[2:]]
        assert got == expected
    phone_row = next(line for line in rows[1:] if line[2] == 30)
    assert (
        phone_row[1]
        == "父亲联系电话:联系电话格式错误(1380013)；受委托监护人联系电话:联系电话格式错误(1380013)"
    )
    id_col = 2 + result.mapping["id_number"] + 1
    assert ws.cell(2, id_col).number_format == "@"
    assert ws.cell(2, id_col).data_type == "s"
    assert ws.cell(1, 1).font.bold


def test_rejection_report_keeps_unknown_columns_and_float_ids(
    xlsx: Callable[..., bytes], children: list[Cells]
) -> None:
    columns = [*OFFICIAL, ("x", None, "备用列")]
    children[0]["id_number"] = float(children[0]["id_number"])
    children[0]["x"] = "+cmd|' /C calc'!A0"  # openpyxl would store "=..." as a formula
    result = parse_roster(build(xlsx, combined(columns), [data_row(c, columns) for c in children]))
    buf = io.BytesIO()
    write_rejections(result, buf)
    ws = load_workbook(buf).active
    assert ws.cell(1, 2 + len(columns)).value == "备用列"
    assert ws.cell(2, 2 + len(columns)).value == "'+cmd|' /C calc'!A0"
    assert ws.cell(2, 2 + result.mapping["id_number"] + 1).value == str(
        int(children[0]["id_number"])
    )


# ---------------------------------------------------------------- export and round trips


def test_export_round_trip_of_the_sample(sample_path: Path) -> None:
    first = parse_roster(sample_path)
    buf = io.BytesIO()
    write_roster(first.records(), buf, unit=first.unit or "", fill_date=first.fill_date)
    second = parse_roster(buf.getvalue())
    assert second.records() == first.records()
    assert (second.unit, second.fill_date, len(second.bad_rows)) == (first.unit, first.fill_date, 0)


def test_export_layout(sample_path: Path) -> None:
    buf = io.BytesIO()
    write_roster(
        parse_roster(sample_path).records(), buf, unit="岑巩县民政局", fill_date=date(2026, 9, 30)
    )
    wb = load_workbook(buf)
    ws = wb["花名册"]
    assert ws["A1"].value == "农村留守儿童基本情况登记表"
    assert ws["A2"].value == "填报单位(盖章):岑巩县民政局"
    assert ws["F2"].value == "填报日期:2026-09-30"
    assert [ws.cell(3, c).value for c in range(19, 22)] == ["父亲", None, None]
    assert [ws.cell(4, c).value for c in range(19, 22)] == ["姓名", "务工地点", "联系电话"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:AH1", "A3:A4", "S3:U3", "V3:X3", "AA3:AC3"} <= merged
    assert ws.freeze_panes == "C5"
    assert ws["F5"].number_format == "@" and ws["F5"].data_type == "s"
    assert ws["U5"].number_format == "@"
    assert isinstance(ws["E5"].value, datetime) and ws["E5"].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions["F"].width >= 20
    help_rows = list(wb["填写说明"].iter_rows(values_only=True))
    assert help_rows[0] == ("列名", "填写说明", "可填写的值")
    assert len(help_rows) == 1 + len(OFFICIAL)
    schooling = next(r for r in help_rows if r[0] == "就学情况")
    assert schooling[2] == "幼儿园、未入园、小学、初中、高中、中职、辍学、不在学、高职及以上"
    assert next(r for r in help_rows if r[0] == "监护类型")[2].split("、")[-1] == "无人监护"
    assert next(r for r in help_rows if r[0] == "父亲姓名")[1] == "父亲的姓名"
    assert all(r[1] for r in help_rows)


def test_export_round_trip_with_every_field(record: dict[str, Any]) -> None:
    records = []
    for i in range(5):
        born = date(2012 + i, 3, 1 + i)
        records.append(
            {
                **record,
                "seq": i + 1,
                "name": f"儿童{i}",
                "birth_date": born,
                "sex": "male",
                "id_number": make_id_number("522626", born, 101 + 2 * i),
                "father_birth_date": date(1985, 1, 1 + i),
                "father_id_number": make_id_number("522626", date(1985, 1, 1 + i), 11),
                "mother_birth_date": date(1987, 2, 2),
                "mother_id_number": make_id_number("522626", date(1987, 2, 2), 20),
                "guardian_id_number": make_id_number("522626", date(1950, 5, 5), 31),
                "guardian_address": "岑巩县某村",
                "guardian_phone": "0855-3571234-80" + str(i),
                "income_sources": ["wages", "other", "government"],
                "assistance": ["subsistence", "education"],
                "disability": "肢体二级",
                "health": "disabled",
            }
        )
    records[1].update(
        has_hukou=False, id_number=None, no_id_reason="未办理出生登记", schooling="not_in_school"
    )
    buf = io.BytesIO()
    write_roster(records, buf, unit="测试", fill_date=date(2026, 9, 30), include_extra=True)
    result = parse_roster(buf.getvalue())
    assert [r.errors for r in result.rows] == [[]] * 5
    assert result.records() == records


def test_export_numbers_rows_without_seq(record: dict[str, Any]) -> None:
    record["seq"] = None
    buf = io.BytesIO()
    write_roster([record, record], buf, fill_date=date(2026, 9, 30))
    ws = load_workbook(buf).active
    assert [ws["A5"].value, ws["A6"].value] == [1, 2]


def test_messy_import_then_export_round_trips(
    xlsx: Callable[..., bytes], children: list[Cells], baseline: list[dict[str, Any]]
) -> None:
    buf = io.BytesIO()
    write_roster(baseline, buf, fill_date=date(2026, 9, 30))
    assert parse_roster(buf.getvalue()).records() == baseline


@pytest.mark.parametrize(
    ("text", "prefixed"),
    [
        ("=1+1", True),
        ("+8613812345678", True),
        ("-2", True),
        ("@SUM(A1)", True),
        ("\tfoo", True),
        ("\rbar", True),
        ("'=already", True),
        ("''=x", True),
        ("'plain", False),
        ("a=b", False),
        ("", False),
    ],
)
def test_neutralize_round_trip(text: str, prefixed: bool) -> None:
    stored = neutralize(text)
    assert unneutralize(stored) == text
    assert (stored == "'" + text) == prefixed
    assert stored == text or prefixed


def test_neutralize_handles_long_apostrophe_runs() -> None:
    text = "'" * 100_000 + "=1"
    assert unneutralize(neutralize(text)) == text


def test_formula_like_values_are_neutralised_and_round_trip(record: dict[str, Any]) -> None:
    record.update(
        name='=HYPERLINK("http://evil","x")',
        current_address="+1+1",
        school_name="@SUM(A1:A9)",
        grade="-1",
        disability="\tcmd",
        illness="'=quoted",
        ethnicity="=cmd|' /C calc'!A0",
        guardian_relation="'祖母",
    )
    buf = io.BytesIO()
    write_roster([record], buf, unit="=evil()", fill_date=date(2026, 9, 30))
    ws = load_workbook(buf).active
    formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    assert ws["B5"].value == '\'=HYPERLINK("http://evil","x")'
    assert ws["A2"].value.startswith("填报单位")
    [row] = parse_roster(buf.getvalue()).rows
    assert row.record == {**record, "disability": "cmd"}  # import strips surrounding whitespace


def test_registration_form(record: dict[str, Any]) -> None:
    buf = io.BytesIO()
    write_registration_form(record, buf)
    ws = load_workbook(buf)["登记表"]
    pairs = {}
    for row in ws.iter_rows(values_only=True):
        for label, value in ((row[0], row[1]), (row[2], row[3]) if len(row) > 3 else (None, None)):
            if label:
                pairs[label] = value
    assert ws["A1"].value == "农村留守儿童基本情况登记表"
    assert pairs["姓名"] == "王小花"
    assert pairs["公民身份证号码"] == record["id_number"]
    assert pairs["出生日期"] == datetime(2014, 4, 3)
    assert pairs["监护类型"] == "监护情况一般"
    assert pairs["是否寄宿"] == "是"
    assert pairs["救助帮扶情况"] == "医疗救助"
    id_cell = next(c for row in ws.iter_rows() for c in row if c.value == record["id_number"])
    assert id_cell.number_format == "@"


def test_write_to_path(tmp_path: Path, record: dict[str, Any]) -> None:
    path = tmp_path / "out.xlsx"
    write_roster([record], path, fill_date=date(2026, 9, 30))
    assert parse_roster(path).records() == [record]


def test_blank_workbook_sheet_is_skipped_for_the_roster_sheet(record: dict[str, Any]) -> None:
    buf = io.BytesIO()
    write_roster([record], buf, fill_date=date(2026, 9, 30))
    wb = load_workbook(buf)
    wb.move_sheet("填写说明", offset=-1)  # instructions first: the roster sheet must still be found
    out = io.BytesIO()
    wb.save(out)
    result = parse_roster(out.getvalue())
    assert result.sheet_name == "花名册"
    assert result.records() == [record]
