"""Fixtures for the children's roster logic: the shared sample and generated test children."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from app.core.idcard import check_character, make_id_number

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "tests" / "data"  # copies of the team's shared samples
REFERENCE_DATE = date(2026, 9, 30)

PLACES = (
    ("水尾镇", "鱼塘村"),
    ("凯本镇", "红旗村"),
    ("客楼镇", "岩门村"),
    ("龙田镇", "大寨村"),
    ("羊桥土家族乡", "龙洞村"),
)
TOWNSHIPS = (
    "思旸镇",
    "客楼镇",
    "水尾镇",
    "天马镇",
    "龙田镇",
    "大有镇",
    "注溪镇",
    "凯本镇",
    "平庄镇",
    "羊桥土家族乡",
)


@pytest.fixture(scope="session")
def sample_path() -> Path:
    """The official-layout sample roster shared with the project."""
    return SAMPLES / "roster-sample.xlsx"


@pytest.fixture(scope="session")
def truth() -> dict[str, Any]:
    """The sample's reference date and planted bad rows."""
    path = SAMPLES / "roster-sample.truth.json"
    return json.loads(path.read_text(encoding="utf-8"))


def id_with_x(division: str, born: date) -> str:
    """A valid ID number whose check character is X."""
    for seq in range(1000):
        first17 = f"{division}{born:%Y%m%d}{seq:03d}"
        if check_character(first17) == "X":
            return first17 + "X"
    raise AssertionError("no sequence gives X")


def child_cells(i: int) -> dict[str, Any]:
    """Cell values (as a person types them) of the i-th generated, valid child."""
    born = date(2012 + i % 10, 1 + i % 12, 1 + (i * 7) % 28)
    male = i % 2 == 1
    township, village = PLACES[i % len(PLACES)]
    number = (
        id_with_x("522626", born)
        if i % 5 == 3
        else make_id_number("522626", born, 100 + 2 * i + male)
    )
    both_away = i % 4 != 2
    return {
        "seq": i + 1,
        "name": f"测试儿童{i}",
        "sex": "男" if number[16] in "13579" else "女",
        "ethnicity": "汉族",
        "birth_date": born,
        "id_number": number,
        "has_hukou": "是",
        "registered_address": f"贵州省黔东南州岑巩县{township}{village}",
        "current_address": f"岑巩县{township}{village}{i % 9 + 1}组",
        "township": township,
        "village": village,
        "health": "患病" if i % 7 == 6 else "健康",
        "disability": None,
        "illness": "哮喘" if i % 7 == 6 else None,
        "schooling": "小学",
        "school_name": f"{township}中心小学",
        "grade": "三年级",
        "boarding": "是" if i % 3 == 0 else "否",
        "father_name": f"父亲{i}",
        "father_work_place": "广东省东莞市",
        "father_phone": f"1339099{i:04d}",
        "mother_name": f"母亲{i}",
        "mother_work_place": "上海市" if both_away else None,
        "mother_phone": f"1581948{i:04d}",
        "both_parents_away": "是" if both_away else "否",
        "one_parent_away_other_incapable": "否" if both_away else "是",
        "guardian_name": f"监护人{i}",
        "guardian_relation": "祖母",
        "guardian_phone": f"1390937{i:04d}",
        "guardianship_type": "监护情况一般",
        "income_sources": "打工收入、种养殖业",
        "assistance": "低保",
        "village_contact_name": f"村干部{i}",
        "village_contact_phone": f"1787574{i:04d}",
    }


@pytest.fixture
def children() -> list[dict[str, Any]]:
    """Twelve generated valid children, as cell values."""
    return [child_cells(i) for i in range(12)]


def build_xlsx(
    rows: Sequence[Sequence[Any]],
    merges: Sequence[str] = (),
    tweak: Callable[[Any], None] | None = None,
) -> bytes:
    """An .xlsx with ``rows`` (from A1), merged ranges, and an optional sheet tweak."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for row in rows:
        ws.append(list(row))
    for ref in merges:
        ws.merge_cells(ref)
    if tweak:
        tweak(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def valid_record() -> dict[str, Any]:
    """A parsed, valid record (codes, dates, booleans, lists)."""
    from app.children.vocab import empty_record

    born = date(2014, 4, 3)
    return empty_record() | {
        "seq": 1,
        "name": "王小花",
        "sex": "female",
        "ethnicity": "土家族",
        "birth_date": born,
        "id_number": make_id_number("522626", born, 940),
        "has_hukou": True,
        "no_id_reason": None,
        "registered_address": "贵州省黔东南州岑巩县羊桥土家族乡红旗村",
        "current_address": "岑巩县羊桥土家族乡红旗村1组",
        "township": "羊桥土家族乡",
        "village": "红旗村",
        "health": "healthy",
        "disability": None,
        "illness": None,
        "schooling": "primary",
        "school_name": "羊桥土家族乡中心小学",
        "grade": "六年级",
        "boarding": True,
        "father_name": "王汐诗",
        "father_birth_date": None,
        "father_id_number": None,
        "father_work_place": "福建省泉州市",
        "father_phone": "13686167545",
        "mother_name": "郑东浩",
        "mother_birth_date": None,
        "mother_id_number": None,
        "mother_work_place": "浙江省杭州市",
        "mother_phone": "17238024824",
        "both_parents_away": True,
        "one_parent_away_other_incapable": False,
        "guardian_name": "王浩文",
        "guardian_relation": "姑姑",
        "guardian_phone": "17244739576",
        "guardian_id_number": None,
        "guardian_address": None,
        "guardianship_type": "fair",
        "income_sources": ["relatives"],
        "assistance": ["medical"],
        "village_contact_name": "姚家华",
        "village_contact_phone": "18413978625",
    }


@pytest.fixture
def record() -> dict[str, Any]:
    """A fresh valid record."""
    return valid_record()


@pytest.fixture(scope="session")
def xlsx() -> Callable[..., bytes]:
    """The :func:`build_xlsx` helper."""
    return build_xlsx


@pytest.fixture(scope="session")
def make_child() -> Callable[[int], dict[str, Any]]:
    """The :func:`child_cells` helper."""
    return child_cells


@pytest.fixture(scope="session")
def x_id() -> Callable[[str, date], str]:
    """The :func:`id_with_x` helper."""
    return id_with_x


# ---------------------------------------------------------------- web fixtures (registry pages)


def sample_places(path: Path) -> list[tuple[str, str]]:
    """The (township, village) pairs the shared sample uses."""
    from app.children.roster import parse_roster

    rows = parse_roster(path).rows
    return sorted({(r.record["township"], r.record["village"]) for r in rows if r.record.get("village")})


@pytest.fixture
def sample_county(world, sample_path):
    """Region A's county given the sample's townships and villages (so the sample fits it)."""
    from tests.factories import division

    towns: dict[str, Any] = {}
    for n, (town, village) in enumerate(sample_places(sample_path)):
        if town not in towns:
            towns[town] = division(f"522626{110 + len(towns):03d}000", town, world.a.county)
        division(f"522626{towns[town].code[6:9]}{200 + n:03d}", village, towns[town])
    from app.extensions import db

    db.session.commit()
    return towns


class Web:
    """A logged-in browser with helpers for the registry's pages."""

    def __init__(self, browser, world):
        self.browser, self.world = browser, world

    def login(self, role: str, region: str = "a"):
        username = "admin" if role == "admin" else self.world.user(role, region).username
        assert self.browser.login(username).status_code == 302
        return self

    def get(self, path, **kw):
        return self.browser.get(path, **kw)

    def post(self, path, data=None, **kw):
        return self.browser.post(path, data, token_from="/children/", **kw)

    def upload(self, path: str, content: bytes, name: str = "roster.xlsx", **fields):
        data = {"csrf_token": self.browser.token("/children/"), "file": (io.BytesIO(content), name), **fields}
        return self.browser.client.post(path, data=data, content_type="multipart/form-data")


@pytest.fixture(autouse=True)
def import_dir(request, tmp_path):
    """Uploaded rosters of web tests go to a temporary folder, not the instance folder."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["IMPORT_DIR"] = str(tmp_path / "imports")


@pytest.fixture
def web(browser, world):
    return Web(browser, world)
