"""``flask children import``: the report, the rejected rows file and the exit status."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import url_for
from openpyxl import load_workbook
from werkzeug.routing import BuildError

from app import create_app
from app.children import roster
from app.children.models import Child


def _count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Child))


def test_dry_run_reports_and_writes_the_rejected_rows(app, db, sample_county, sample_path, truth, tmp_path):
    report = tmp_path / "rejected.xlsx"
    before = _count(db)
    result = app.test_cli_runner().invoke(args=["children", "import", str(sample_path), "--dry-run",
                                                "--report", str(report), "--division", "522626000000"])
    assert result.exit_code == 1, result.output
    assert f"未通过校验 {len(truth['bad'])}" in result.output
    assert "第55行：身份证号码与本表另一行重复(与第53行重复)" in result.output
    assert "试运行：未保存任何记录" in result.output
    assert _count(db) == before
    sheet = load_workbook(report).active
    rows = list(sheet.values)
    parsed = roster.parse_roster(sample_path)
    assert rows[0][:2] == ("行号", "原因")
    assert list(rows[0][2:]) == [c.header or c.letter for c in parsed.columns]  # all original columns
    assert [r[0] for r in rows[1:]] == [row.row_number for row in parsed.bad_rows]
    assert all(r[1] for r in rows[1:])


def test_import_saves_the_good_rows_and_exits_1(app, db, sample_county, sample_path, truth):
    before = _count(db)
    result = app.test_cli_runner().invoke(args=["children", "import", str(sample_path)])
    assert result.exit_code == 1, result.output
    db.session.expire_all()
    assert _count(db) == before + truth["rows"] - len(truth["bad"])
    again = app.test_cli_runner().invoke(args=["children", "import", str(sample_path)])
    assert "新增 0，需更新 0，无变化 51" in again.output
    assert _count(db) == before + truth["rows"] - len(truth["bad"])


def test_clean_file_exits_0_and_file_errors_exit_2(app, db, world, tmp_path):
    from tests.children.test_import_views import _record, _roster

    clean = tmp_path / "clean.xlsx"
    clean.write_bytes(_roster([_record(0), _record(1)]))
    result = app.test_cli_runner().invoke(args=["children", "import", str(clean), "--division", "522626000000"])
    assert result.exit_code == 0, result.output
    assert "已新增 2 名儿童" in result.output
    bad = tmp_path / "roster.xlsx"
    bad.write_text("姓名,身份证\n张三,1\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["children", "import", str(bad)])
    assert result.exit_code == 2 and "CSV" in result.output
    result = app.test_cli_runner().invoke(args=["children", "import", str(clean), "--division", "999999000000"])
    assert result.exit_code == 2


def test_a_routeless_app_imports_a_roster_and_refuses_to_build_urls(database_url, tmp_path, db, sample_county,
                                                                      sample_path, truth):
    """The app ``flask children import`` runs in has no pages: the import needs none."""
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Child))
    db.session.commit()
    app = create_app({"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                      "UPLOAD_DIR": str(tmp_path / "uploads")}, routes=False)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["children", "import", str(sample_path)])
        assert result.exit_code == 1, result.output
        assert f"已新增 {truth['rows'] - len(truth['bad'])} 名儿童" in result.output
        with app.test_request_context(), pytest.raises(BuildError):
            url_for("children.index")
        db.session.remove()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Child)) == before + truth["rows"] - len(
        truth["bad"])
