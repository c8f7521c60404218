from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.auth.accounts import password_problem


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=256)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码")), Length(max=256)])
    new = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码")), Length(max=256)])
    confirm = PasswordField(_l("再次输入新密码"), validators=[DataRequired(_l("请再次输入新密码")),
                                                         EqualTo("new", _l("两次输入的新密码不一致"))])


class RoleForm(FlaskForm):
    role = SelectField(_l("角色"), choices=[])
    division = StringField(_l("负责区划代码（12位）"), validators=[Length(max=12)])
    organisation = SelectField(_l("所属组织"), coerce=int, choices=[], validate_choice=False)


class PasswordPolicy:
    """At least 10 characters and not a common password (see :func:`app.auth.accounts.password_problem`)."""

    def __call__(self, form, field):
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(gettext(problem))
