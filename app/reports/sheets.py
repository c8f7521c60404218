"""The Excel writer of each report kind: its sheets in the official column order.

Dates are date cells, hours exact numbers shown to one decimal, percentages numbers formatted
as percent; every sheet carries the report number and an autofilter on its rows, and totals
(below the filtered rows) are computed from exact values. :func:`app.reports.excel.build_workbook`
writes the file.
"""
from __future__ import annotations

from app.reports import ledger as ledger_report
from app.reports import roster as roster_report
from app.reports import roster_stats as stats_report
from app.reports import visits as visits_report
from app.reports.common import SIGNATURES, ReportMeta, exact_hours
from app.reports.excel import ExcelColumn as C, Percent, Sheet
from app.reports.storage import site_url


def title_lines(meta: ReportMeta) -> list[str]:
    """The lines above every sheet's header row (title, scope and period, issuer, number)."""
    return [meta.title, meta.subtitle, f"填报单位：{meta.organisation}    填报日期：{meta.issued_on}",
            f"报表编号：{meta.number}    校验码：{meta.code}    验证：{meta.verify_path}"]


def footer_lines() -> list[str]:
    """The signature line below the last sheet's rows."""
    return ["", "    ".join(f"{s}：__________" for s in SIGNATURES) + "    （盖章）"]


def ledger(context, meta: ReportMeta) -> list[Sheet]:
    widths = (6, 12, 14, 18, 12, 24, 6, 60, 6, 10)
    total = ["", "合计", f"{len(context.rows)}次", "", "", "", context.total_count, "",
             sum(len(r.photos) for r in context.rows), exact_hours(context.total_minutes)]
    return [Sheet("活动台账", [C(h, w) for h, w in zip(ledger_report.COLUMNS, widths)],
                  list(ledger_report.table_rows(context)), title_lines(meta), footer_lines(), [total])]


def visits(context, meta: ReportMeta) -> list[Sheet]:
    widths = (6, 14, 10, 12, 10, 8, 30, 24, 20, 16, 16, 24, 16, 16, 10, 8, 8)
    return [Sheet("走访记录", [C(h, w) for h, w in zip(visits_report.COLUMNS, widths)],
                  list(visits_report.table_rows(context)), title_lines(meta), footer_lines(),
                  [visits_report.total_row(context)])]


def roster_stats(context, meta: ReportMeta) -> list[Sheet]:
    cols = [C("序号", 6), C(context.group_label, 16)] + [C(h, 9) for _, h in stats_report.COLUMNS]
    rows = list(stats_report.table_rows(context))
    return [Sheet("花名册统计", cols, rows[:-1], title_lines(meta),
                  [f"数据核对：{'全部一致' if context.checks.ok else '存在不一致'}"] + footer_lines(), rows[-1:])]


def roster(context, meta: ReportMeta) -> list[Sheet]:
    widths = (6, 10, 6, 6, 16, 24, 16, 10, 16)
    rows = [[v.label] + row for v in context.villages for row in v.rows]
    return [Sheet("花名册", [C("村(社区)", 18)] + [C(h, w) for h, w in zip(roster_report.COLUMNS, widths)], rows,
                  title_lines(meta), footer_lines(), [["合计", f"{context.total}人"]])]


def bulletin(context, meta: ReportMeta) -> list[Sheet]:
    base = site_url()
    rows = [[section, label, value, base + link if link else ""] for section, label, value, link in context.rows()]
    return [Sheet("进展通报", [C("责任", 30), C("项目", 44), C("数量", 10), C("名单（网页）", 60)], rows,
                  title_lines(meta), [context.paragraph] + footer_lines())]


def assessment(a, meta: ReportMeta) -> list[Sheet]:
    t = title_lines(meta)
    roster = [[r["band"], r["total"], r["male"], r["female"], r["left_behind"], r["difficulty"], r["orphan"],
               r["priority"]] for r in a.roster]
    events = [[r["kind"], r["sessions"], r["children"], r["volunteers"]] for r in a.events]
    vols = [[r["kind"], r["approved"], r["active"], r["logs"], exact_hours(r["minutes"])] for r in a.volunteers]
    return [
        Sheet("在册儿童", [C("年龄段", 12), C("儿童总数", 10), C("男", 8), C("女", 8), C("留守儿童", 10),
                           C("困境儿童", 10), C("孤儿", 8), C("重点对象", 10)], roster[:-1], t, total_rows=roster[-1:]),
        Sheet("重点对象", [C("类别", 30), C("人数", 10), C("有效监护", 12), C("有结对关爱人", 14)],
              [[r["label"], r["count"], r["effective"], r["covered"]] for r in a.priority], t),
        Sheet("覆盖情况", [C("项目", 28), C("人数", 10)], _coverage_rows(a.coverage), t),
        Sheet("关爱频次", [C("要求", 28), C("应达结对数", 12), C("达标结对数", 12), C("达标率", 10)],
              [[r["label"], r["pairs"], r["done"], Percent(r["pct"])] for r in a.cadence], t),
        Sheet("学校活动", [C("活动类型", 30), C("场次", 8), C("儿童出席人次", 14), C("志愿者出席人次", 14)], events, t,
              total_rows=[["合计", a.events_total["sessions"], a.events_total["children"],
                           a.events_total["volunteers"]]]),
        Sheet("强制报告", [C("案件", 8), C("村", 12), C("状态", 10), C("报告公安（小时）", 14), C("确认（小时）", 12),
                           C("应急处置（天）", 12), C("评估帮扶（天）", 12), C("监护干预（天）", 12), C("结案（天）", 10)],
              [[r["number"], r["village"], r["status"], r["police_h"], r["ack_h"], r["emergency_d"],
                r["assessment_d"], r["intervention_d"], r["closed_d"]] for r in a.cases], t),
        Sheet("志愿服务", [C("志愿者类型", 16), C("在册志愿者", 12), C("有服务记录", 12), C("服务记录条数", 12),
                           C("服务时长（小时）", 14)], vols, t, footer_lines=footer_lines(),
              total_rows=[["合计", a.volunteers_total["approved"], "", a.volunteers_total["logs"],
                           exact_hours(a.volunteers_total["minutes"])]]),
        Sheet("数据核对", [C("核对项", 50), C("合计", 10), C("分项之和", 10), C("结果", 10)],
              [[c.name, c.total, c.parts, "一致" if c.ok else "不一致"] for c in a.checks.items], t),
    ]


def _coverage_rows(c: dict) -> list[list[object]]:
    return [["在册儿童", c["children"]], ["有效监护的儿童", c["effective"]],
            ["有效监护率", Percent(_pct_value(c["effective"], c["children"]))],
            ["重点对象中有效监护", c["priority_effective"]],
            ["重点对象有效监护率", Percent(_pct_value(c["priority_effective"], c["priority"]))],
            ["有结对关爱人的儿童", c["with_carer"]],
            ["结对覆盖率", Percent(_pct_value(c["with_carer"], c["children"]))],
            ["重点对象", c["priority"]],
            ["已覆盖重点对象", c["priority_covered"]],
            ["重点对象覆盖率", Percent(_pct_value(c["priority_covered"], c["priority"]))]]


def _pct_value(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None
