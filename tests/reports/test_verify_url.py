"""Verification on paper: an absolute URL from SITE_URL and a QR code of it on every PDF."""
import base64

import pytest

from app.core.dates import today_cn
from tests.reports.conftest import issue, pdf_text


def _quarter():
    d = today_cn()
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def test_reports_print_an_absolute_verification_url_and_its_qr_code(world, activity, app, tmp_path, monkeypatch):
    from app.reports import pdf as pdf_module

    app.config["SITE_URL"] = "https://xiangban.example.gov.cn/"
    served = []
    original = pdf_module.render_html

    def spy(html, policy):
        result = original(html, policy)
        served.extend(result.served)
        return result

    monkeypatch.setattr(pdf_module, "render_html", spy)
    coordinator = world.user("coordinator")
    cases = [("ledger", {"division_id": world.a.county.id, "period": _quarter()}),
             ("assessment", {"division_id": world.a.county.id, "period": _quarter()}),
             ("roster_stats", {"division_id": world.a.county.id, "period": _quarter()}),
             ("visits", {"division_id": world.a.village.id, "period": _quarter()}),
             ("child_file", {"child_id": world.a.child.id}),
             ("certificate", {"volunteer_id": world.a.volunteer.id})]
    for kind, params in cases:
        served.clear()
        row, data = issue(kind, coordinator if kind != "certificate" else world.user("volunteer"), **params)
        text = pdf_text(data, tmp_path).replace("\n", " ")
        url = f"https://xiangban.example.gov.cn/reports/verify/{row.verification_code}"
        assert url in text, kind
        assert "data:" in served, kind  # the QR code image was drawn
    from app.reports.service import qr_data_url

    svg = base64.b64decode(qr_data_url("https://xiangban.example.gov.cn/reports/verify/ABC").split(",", 1)[1])
    assert svg.startswith(b"<svg") and b"path" in svg


def test_production_refuses_to_issue_reports_without_site_url(world, activity, app):
    from app.reports.common import ParameterError

    app.config["SITE_URL"] = None
    app.config["NAME"] = "production"
    try:
        with pytest.raises(ParameterError, match="SITE_URL"):
            issue("ledger", world.user("coordinator"), division_id=world.a.county.id, period=_quarter())
    finally:
        app.config["NAME"] = "testing"
