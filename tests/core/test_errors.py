"""One user-facing error base class, shown one way on a form and one way in the API."""
from __future__ import annotations

import ast
from pathlib import Path

from flask_wtf import FlaskForm
from wtforms import StringField

from app.core.errors import UserError, show_on_form, user_error_body

APP = Path(__file__).resolve().parents[2] / "app"
#: errors that are not about what a person typed: a delivery that failed (stored for the log),
#: a backup the operator runs, and the pure matching engine's own (it may not import Flask)
NOT_USER_FACING = {"DeliveryError", "BackupError", "ProblemError", "MatchingError"}


def error_classes():
    for path in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name.endswith("Error"):
                yield path, node


def test_every_user_facing_error_derives_from_the_base_class():
    import importlib

    offenders = []
    for path, node in error_classes():
        if node.name in NOT_USER_FACING or node.name == "UserError":
            continue
        module = importlib.import_module(".".join(path.relative_to(APP.parent).with_suffix("").parts))
        if not issubclass(getattr(module, node.name), UserError):
            offenders.append(f"{path.relative_to(APP.parent)}: {node.name}")
    assert not offenders, "derive these from app.core.errors.UserError:\n" + "\n".join(offenders)


class _Form(FlaskForm):
    name = StringField()
    phone = StringField()


def test_a_form_shows_the_error_under_its_field_else_the_default_else_at_the_top(app):
    from flask import get_flashed_messages

    from app.activities.errors import ActivityError
    from app.auth.accounts import AccountError

    with app.test_request_context("/", method="POST", data={"name": "张三", "phone": "123"}):
        form = _Form(meta={"csrf": False})
        form.validate()
        show_on_form(form, ActivityError("phone", "联系电话格式错误"), "name")
        show_on_form(form, AccountError("密码至少需要10个字符"), "name")
        show_on_form(form, ActivityError("nothing_here", "强制报告情形无效"))
        assert form.phone.errors == ["联系电话格式错误"]
        assert form.name.errors == ["密码至少需要10个字符"]
        assert form.name.data == "张三"  # what was typed is kept
        assert get_flashed_messages(with_categories=True) == [("error", "强制报告情形无效")]


def test_the_message_follows_the_language_and_the_api_sends_both(app):
    from flask_babel import force_locale

    from app.core.idcard import IdNumberError
    from app.volunteers.teachers import TeacherFileError

    with app.test_request_context("/"):
        person = UserError("请填写经办人", field="person", code="invalid")
        with force_locale("en"):
            english = person.translated()
        assert english == "Please give who handled it" and english == person.english()
        body = user_error_body(person)
        assert body["status"] == 422 and body["code"] == "invalid"
        assert body["message"] == "请填写经办人" and body["message_en"] == english
        assert body["fields"] == {"person": "请填写经办人"}
        id_error = IdNumberError("bad_length")  # messages from its own table, not the catalogue
        assert user_error_body(id_error)["message_en"] == id_error.message_en != id_error.message
        limit = TeacherFileError("文件超过 %(n)s 行", n=500)
        assert limit.chinese() == "文件超过 500 行" and limit.field == "file"
