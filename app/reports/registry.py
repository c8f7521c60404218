"""The report kinds: what each takes, who may issue it, and how it is built and rendered."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Callable

from app.core.i18n import N_


@dataclass
class ReportRequest:
    """What was asked for; stored as the issued report's parameters (JSON)."""

    kind: str
    file_format: str = "pdf"
    division_id: int | None = None
    organisation_id: int | None = None
    child_id: int | None = None
    volunteer_id: int | None = None
    period: str | None = None
    reveal: bool = False

    def as_params(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, False)}

    @classmethod
    def from_params(cls, params: dict) -> ReportRequest:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in params.items() if k in names})


@dataclass(frozen=True)
class Kind:
    code: str
    title: str  # Chinese, printed on the report (N_-marked for the UI)
    permission: str
    formats: tuple[str, ...]
    subject: str  # child | volunteer | region
    endpoint: str
    landscape: bool = False
    background: bool = False  # may be large: run in the background above the row threshold
    levels: tuple[str, ...] = ("county", "township", "village")
    schools: bool = False
    period_required: bool = True
    doc_title: str = ""  # the title printed on the document


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("child_file", N_("一人一档"), "children.export", ("pdf",), "child", "reports.child_file",
         period_required=False, doc_title="农村留守儿童一人一档"),
    Kind("certificate", N_("志愿服务记录证明"), "reports.certificate", ("pdf",), "volunteer",
         "reports.certificate", period_required=False, doc_title="志愿服务记录证明"),
    Kind("ledger", N_("活动台账"), "reports.view", ("pdf", "xlsx"), "region", "reports.ledger", landscape=True,
         background=True, schools=True, doc_title="关爱服务活动台账"),
    Kind("visits", N_("走访记录"), "reports.view", ("pdf", "xlsx"), "region", "reports.visits", background=True,
         levels=("village",), doc_title="入户走访记录"),
    Kind("assessment", N_("考核汇总"), "reports.assess", ("pdf", "xlsx"), "region", "reports.assessment",
         background=True, levels=("county", "township"), doc_title="关爱服务工作考核汇总表"),
    Kind("roster", N_("花名册"), "reports.assess", ("pdf", "xlsx"), "region", "reports.roster", landscape=True,
         background=True, doc_title="农村留守儿童和困境儿童花名册"),
    Kind("roster_stats", N_("花名册季度统计"), "reports.assess", ("pdf", "xlsx"), "region", "reports.roster_stats",
         landscape=True, background=True, doc_title="农村留守儿童花名册季度统计表"),
    Kind("home_assessment", N_("儿童之家运营评估"), "homes.view", ("pdf", "xlsx"), "region",
         "reports.home_assessment", landscape=True, doc_title="儿童之家运营评估表"),
    Kind("bulletin", N_("专项行动进展通报"), "reports.assess", ("pdf", "xlsx"), "region", "reports.bulletin",
         doc_title="农村留守儿童关爱保护专项行动进展通报"),
)}


def kind_of(code: str) -> Kind:
    """:raise KeyError: for an unknown kind."""
    return KINDS[code]


Builder = Callable[..., Any]
