"""Every report renders to a real PDF whose text holds the Chinese it should."""
import re

from app.core.dates import today_cn
from app.core.idcard import mask_id_number
from tests.reports.conftest import issue, pdf_pages, pdf_text

COMMON = ("单位负责人", "复核人", "填表人", "盖章处", "填报单位")


def _quarter():
    d = today_cn()
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def _assert_common(text: str, row, pages: int):
    for word in COMMON:
        assert word in text, word
    flat = re.sub(r"\s+", "", text)  # pdftotext drops the spaces between Chinese and digits
    assert f"第1页共{pages}页" in flat
    assert f"第{pages}页共{pages}页" in flat
    assert row.number in text and row.verification_code in text
    assert f"/reports/verify/{row.verification_code}" in text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text)
    assert re.fullmatch(r"XB-\d{4}-\d{6}", row.number)
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{10}", row.verification_code)


def test_child_file_is_masked_unless_revealed(world, activity, tmp_path):
    coordinator = world.user("coordinator")
    row, data = issue("child_file", coordinator, child_id=world.a.child.id)
    text = pdf_text(data, tmp_path)
    assert row.page_count == pdf_pages(data)
    _assert_common(text, row, row.page_count)
    assert "一人一档" in text and world.a.child.name in text
    assert mask_id_number(world.a.child.id_number) in text
    assert world.a.child.id_number not in text
    assert "138****5678" in text and "13812345678" not in text  # guardian phone masked
    assert "入户看望" in text and "四点半课堂" not in text  # the child is not the pupil
    assert "已报告" in text and "应急处置" in text  # the protection case and its steps
    row, data = issue("child_file", coordinator, child_id=world.a.child.id, reveal=True)
    assert world.a.child.id_number in pdf_text(data, tmp_path)


def test_certificate(world, activity, tmp_path):
    row, data = issue("certificate", world.user("volunteer"), volunteer_id=world.a.volunteer.id)
    text = pdf_text(data, tmp_path)
    _assert_common(text, row, row.page_count)
    assert "志愿服务记录证明" in text and world.a.volunteer.name in text
    assert "居民身份证" in text and mask_id_number(world.a.volunteer.id_number) in text
    assert world.a.volunteer.id_number not in text
    # 30 min talk + 60 min visit + 90 min event attended = 3.0 hours; travel never counted
    assert "3.0" in text and "不含往返路途时间" in text
    assert "四点半课堂" in text and "证明编号" in text
    assert world.a.federation.name in text  # the issuing organisation


def test_ledger_pdf(world, activity, tmp_path):
    row, data = issue("ledger", world.user("coordinator"), division_id=world.a.county.id, period=_quarter())
    text = pdf_text(data, tmp_path)
    _assert_common(text, row, row.page_count)
    assert "活动台账" in text
    for word in ("谈心·电话", "入户看望", "四点半课堂", "学校图书室", "龙老师", "儿童1人、志愿者1人"):
        assert word in text, word
    header = [line for line in text.splitlines() if "序号" in line and "活动内容" in line]
    assert len(header) == row.page_count - 1  # the header is repeated on every table page
    assert "各项合计与分项之和一致" in text


def test_ledger_of_a_school_for_school_staff(world, activity, tmp_path):
    row, data = issue("ledger", world.user("school_staff"), organisation_id=world.a.school.id, period=_quarter())
    text = pdf_text(data, tmp_path)
    assert "四点半课堂" in text and "谈心·电话" not in text  # the paired child is not a pupil


def test_visits_pdf(world, activity, tmp_path):
    row, data = issue("visits", world.user("coordinator"), division_id=world.a.village.id, period=_quarter())
    text = pdf_text(data, tmp_path)
    _assert_common(text, row, row.page_count)
    for word in ("入户走访记录", "房屋整洁", "用电线路：正常", "门窗门锁：有隐患", "送去冬衣", "王奶奶"):
        assert word in text, word


def test_assessment_pdf(world, activity, tmp_path):
    row, data = issue("assessment", world.user("coordinator"), division_id=world.a.county.id, period=_quarter())
    text = pdf_text(data, tmp_path)
    _assert_common(text, row, row.page_count)
    for word in ("考核汇总", "0-5岁", "6-13岁", "14-16岁", "关爱覆盖", "关爱频次达标", "强制报告", "志愿服务时长",
                 "各项合计与分项之和一致", "四点半课堂"):
        assert word in text, word
    assert "<svg" not in text  # the charts are drawn, not printed as markup


def test_assessment_rates_read_part_over_whole(world, activity, monkeypatch):
    """有效监护率 and 结对覆盖率 print their fraction as part / whole, in the order the label names."""
    from app.reports import pdf as pdf_module

    pages = []
    original = pdf_module.render_html
    monkeypatch.setattr(pdf_module, "render_html", lambda html, policy: pages.append(html) or original(html, policy))
    issue("assessment", world.user("coordinator"), division_id=world.a.county.id, period=_quarter())
    html = "".join(pages)
    for label in ("有效监护率：有具备监护能力的监护人 / 在册儿童", "结对覆盖率：有结对关爱人 / 在册儿童",
                  "重点对象：有效监护 / 重点对象", "重点对象：有结对关爱人 / 重点对象"):
        part, whole = map(int, re.search(re.escape(label) + r'</td><td class="num">(\d+) / (\d+)<', html).groups())
        assert part <= whole, label


def test_roster_stats_pdf(world, activity, tmp_path):
    row, data = issue("roster_stats", world.user("coordinator"), division_id=world.a.county.id, period=_quarter())
    text = pdf_text(data, tmp_path)
    _assert_common(text, row, row.page_count)
    for word in ("花名册季度统计", "儿童总数", "0-5岁", "6-13岁", "14-16岁", "合计", world.a.village.name):
        assert word in text, word


def test_chunked_ledger_numbers_pages_across_parts(world, app, tmp_path, monkeypatch):
    """A big ledger is rendered in parts and merged; the page numbers run on across the parts."""
    from app.reports import render
    from tests.reports.conftest import add_activity

    for _ in range(12):
        add_activity(world, app, content="长内容" * 120, review=False)
    monkeypatch.setattr(render, "PAGES_PER_CHUNK", 3)
    row, data = issue("ledger", world.user("coordinator"), division_id=world.a.county.id, period=_quarter())
    pages = pdf_pages(data)
    assert pages == row.page_count and pages > 4
    text = pdf_text(data, tmp_path)
    flat = re.sub(r"\s+", "", text)
    for n in range(1, pages + 1):
        assert f"第{n}页共{pages}页" in flat
