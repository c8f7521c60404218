"""What a report kind declares, and what a request for one carries.

A leaf module (it imports no report and no feature): a feature package that adds a report kind
declares it here-shaped in its own module, and :mod:`app.reports.registry` lists it. Nothing
outside the registry's table says what a kind does — no ``if kind == ...`` anywhere.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Callable

from app.reports.common import Period, ReportMeta


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


@dataclass
class Prepared:
    """A checked request: the kind, its subject (child, volunteer or region) and the period."""

    request: ReportRequest
    kind: Kind
    subject: Any
    period: Period | None
    division_id: int | None
    organisation: str


#: ``build(prepared, user) -> context``: the plain-data context that feeds the PDF and the workbook
Builder = Callable[[Prepared, Any], Any]
#: ``pdf(kind, context, meta, progress, pool) -> (bytes, pages)``: a kind's own PDF renderer (``pool``:
#: renderer processes already started, or None)
PdfRenderer = Callable[["Kind", Any, ReportMeta, Any, Any], "tuple[bytes, int]"]
#: ``sheets(context, meta) -> [Sheet, ...]``: the kind's workbook, in the official column order
ExcelWriter = Callable[[Any, ReportMeta], list]
#: ``figures(context) -> [(label, value), ...]``: the totals shown on the public verify page
Figures = Callable[[Any], list]
#: ``audit(prepared, issued_row, context, user)``: what the kind records beyond ``report.issue``
IssueAudit = Callable[[Prepared, Any, Any, Any], None]
#: ``audit(issued_row)``: what the kind records when its stored file is downloaded again
DownloadAudit = Callable[[Any], None]


def no_figures(context: Any) -> list:
    """Kinds with no key totals of their own (a child's file): the verify page shows the period."""
    return []


@dataclass(frozen=True)
class Kind:
    """One report kind: who may issue it, what it is about, how it is built and rendered."""

    code: str
    title: str  # Chinese, N_-marked for the UI
    permission: str
    formats: tuple[str, ...]
    subject: str  # child | volunteer | region
    build: Builder
    template: str = ""  # the PDF's Jinja template (templates/reports/pdf/...)
    doc_title: str = ""  # the title printed on the document
    excel: ExcelWriter | None = None  # required when "xlsx" is in formats
    pdf: PdfRenderer | None = None  # default: the template rendered as one document
    pdf_context: Callable[[], dict] | None = None  # extra template variables
    figures: Figures = no_figures
    endpoint: str = ""  # the form's endpoint; default ``reports.<code>`` (made for region kinds)
    landscape: bool = False
    background: bool = False  # may be large: run in the background above the row threshold
    #: ``early_render() -> rows``: above that many rows (the service's estimate, a lower bound) its
    #: PDF is surely rendered in parts, and the renderer processes start before the data is gathered
    early_render: Callable[[], int] | None = None
    levels: tuple[str, ...] = ("county", "township", "village")
    schools: bool = False
    period_required: bool = True
    by_volunteer: bool = False  # a region kind that may instead be asked for one volunteer
    ranges_refused: str = ""  # when set: quarters and years only, and this says why
    counts_children: bool = False  # its size grows with the children as well as the activities
    issuer: Callable[[Any], str] | None = None  # the issuing organisation, from the subject
    audit_issue: IssueAudit | None = None
    audit_download: DownloadAudit | None = None

    def __post_init__(self):
        if not self.endpoint:
            object.__setattr__(self, "endpoint", f"reports.{self.code}")
        if "xlsx" in self.formats and self.excel is None:
            raise ValueError(f"report kind {self.code} offers Excel but declares no Excel writer")

    @property
    def ranges(self) -> bool:
        """Whether any date range may be asked for (else quarters and years)."""
        return not self.ranges_refused

    @property
    def path(self) -> str:
        """The form's URL under /reports (``roster_stats`` → ``roster-stats``)."""
        return self.code.replace("_", "-")
