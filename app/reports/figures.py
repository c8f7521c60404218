"""The key figures of each report kind: the few totals an assessor compares paper against on
the public verification page. No names or personal details: the page is open to anyone holding
the report's code. Each function takes the report's context and gives (label, value) pairs."""
from __future__ import annotations

from app.reports.common import duration_text, pct, pct_text


def ledger(c) -> list[tuple[str, object]]:
    return [("活动次数", len(c.rows)), ("参与人次", c.total_count), ("志愿服务时长", duration_text(c.total_minutes))]


def visits(c) -> list[tuple[str, object]]:
    return [("走访次数", len(c.visits)), ("涉及儿童", c.children), ("走访时长", duration_text(c.total_minutes))]


def assessment(c) -> list[tuple[str, object]]:
    return [("在册儿童", c.coverage["children"]), ("有关爱人的儿童", c.coverage["with_carer"]),
            ("覆盖率", c.coverage["pct"]), ("学校活动场次", c.events_total["sessions"]),
            ("强制报告", c.case_summary["count"]), ("在册志愿者", c.volunteers_total["approved"]),
            ("志愿服务时长", duration_text(c.volunteers_total["minutes"]))]


def roster_stats(c) -> list[tuple[str, object]]:
    t = c.total
    return [("村(社区)", len(c.rows)), ("儿童总数", t["total"]), ("男", t["male"]), ("女", t["female"]),
            ("已落实关爱人", t["with_carer"]), ("关爱覆盖率", pct_text(pct(t["with_carer"], t["total"])))]


def roster(c) -> list[tuple[str, object]]:
    return [("村(社区)", len(c.villages)), ("在册儿童", c.total), ("名单截至", c.as_of)]


def certificate(c) -> list[tuple[str, object]]:
    return [("服务次数", len(c.rows)), ("累计志愿服务时长", duration_text(c.total_minutes))]


def records(c) -> list[tuple[str, object]]:
    """Kinds without totals of their own (a child's file, the bulletin): how many records it lists."""
    return [("服务记录", len(getattr(c, "logs", []) or []))]
