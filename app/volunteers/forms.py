from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, DecimalField, IntegerField, PasswordField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField, widgets)
from wtforms.widgets import PasswordInput
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional

from app.auth.forms import PasswordPolicy
from app.core.validators import IdNumber, Phone
from app.volunteers.models import SKILLS, VOLUNTEER_KINDS


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _optional_int(value):
    """A select's value: None for the blank "please choose" option."""
    if value in (None, "") or isinstance(value, int):
        return value or None
    return int(value)


def _choices(mapping):
    return [(code, _l(label)) for code, label in mapping.items()]


class RegistrationForm(FlaskForm):
    kind = RadioField(_l("志愿者类型"), choices=_choices(VOLUNTEER_KINDS),
                      validators=[InputRequired(_l("请选择志愿者类型"))])
    # No default: a pre-selected organisation or village is a silent wrong answer (the county has
    # several 鱼塘村, and the village drives matching distances). The service checks the choice.
    organisation_id = SelectField(_l("加入的组织"), coerce=_optional_int, validate_choice=False,
                                  validators=[InputRequired(_l("请选择组织"))])
    name = StringField(_l("真实姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=32)])
    id_number = StringField(_l("身份证号码"), validators=[DataRequired(_l("请填写身份证号码")), IdNumber()])
    sex = RadioField(_l("性别"), choices=[("female", _l("女")), ("male", _l("男"))],
                     validators=[InputRequired(_l("请选择性别"))])
    phone = StringField(_l("手机号码（登录用）"), validators=[DataRequired(_l("请填写手机号码")), Phone()])
    # typed passwords come back after a refused submit (the form is sent over HTTPS only)
    password = PasswordField(_l("设置密码"), widget=PasswordInput(hide_value=False),
                             validators=[DataRequired(_l("请设置密码")), Length(max=128), PasswordPolicy()])
    password2 = PasswordField(_l("再次输入密码"), widget=PasswordInput(hide_value=False),
                              validators=[EqualTo("password", _l("两次输入的密码不一致"))])
    division_id = SelectField(_l("居住的村（社区）"), coerce=_optional_int, validate_choice=False,
                              validators=[InputRequired(_l("请选择居住的村（社区）"))])
    capacity = IntegerField(_l("可以结对的儿童人数"), default=1,
                            validators=[InputRequired(_l("请填写人数")), NumberRange(1, 10, _l("人数应在1到10之间"))])
    max_km = DecimalField(_l("愿意前往的最远距离（公里）"), default=10, places=1,
                          validators=[InputRequired(_l("请填写距离")), NumberRange(1, 100, _l("距离应在1到100公里之间"))])
    skills = MultiCheckboxField(_l("特长（可多选）"), choices=_choices(SKILLS))
    prefer_gender = SelectField(_l("希望结对儿童的性别"), choices=[("", _l("不限")), ("female", _l("女孩")), ("male", _l("男孩"))])
    prefer_age_band = SelectField(_l("希望结对儿童的年龄段"),
                                  choices=[("", _l("不限")), ("0-5", _l("0–5岁")), ("6-13", _l("6–13岁")), ("14-16", _l("14–16岁")),
                                           ("17+", _l("17岁及以上"))])
    availability = StringField(_l("方便的时间"), validators=[Optional(), Length(max=200)],
                               description=_l("例如：周末、每周三下午"))
    accept_conduct = BooleanField(_l("我已阅读并遵守《志愿者行为守则》，同意接受入职查询（违法犯罪记录查询）"),
                                  validators=[DataRequired(_l("需要同意行为守则和入职查询才能报名"))])


class ScreeningForm(FlaskForm):
    background_check_date = DateField(_l("入职查询日期"), validators=[Optional()])
    background_check_result = SelectField(_l("查询结果"), choices=[("", _l("尚未查询")), ("clear", _l("无违法犯罪记录")),
                                                               ("found", _l("有相关记录"))])
    training_completed_at = DateField(_l("完成培训日期"), validators=[Optional()])
    interview_notes = TextAreaField(_l("面谈记录"), validators=[Optional(), Length(max=2000)])
    decision = RadioField(_l("审核结论"), choices=[("save", _l("仅保存")), ("approve", _l("通过")), ("reject", _l("不通过"))],
                          default="save")
    reason = StringField(_l("理由"), validators=[Optional(), Length(max=200)])


class StatusForm(FlaskForm):
    action = SelectField(_l("操作"), choices=[("pause", _l("暂停服务")), ("resume", _l("恢复服务")), ("exit", _l("退出/结束服务"))])
    reason = StringField(_l("原因"), validators=[Optional(), Length(max=200)])


class CapacityForm(FlaskForm):
    capacity = IntegerField(_l("可以结对的儿童人数"), validators=[InputRequired(), NumberRange(0, 10, _l("人数应在0到10之间"))])


class TeacherImportForm(FlaskForm):
    school_id = SelectField(_l("学校"), coerce=int, validate_choice=False)
    file = FileField(_l("教师名单（.xlsx）"), validators=[FileRequired(_l("请选择要导入的Excel文件"))])
    choice = RadioField(_l("有错误行时"), default="all_or_nothing",
                        choices=[("all_or_nothing", _l("全部无误才导入（有错误则一行都不保存）")),
                                 ("good_only", _l("只导入无误的行，错误行列出原因"))])


class ConductForm(FlaskForm):
    accept = BooleanField(_l("我已阅读并承诺遵守《志愿者行为守则》"),
                          validators=[DataRequired(_l("请勾选确认行为守则"))])


class PaperConductForm(FlaskForm):
    """A code of conduct signed on paper, recorded by a coordinator (applicants without an account)."""
    signed_on = DateField(_l("签署日期"), validators=[InputRequired(_l("请填写签署日期"))])
    scan = FileField(_l("签字页扫描件或照片"), validators=[FileRequired(_l("请上传签字页的扫描件或照片"))],
                     description=_l("PDF、JPEG 或 PNG，8 MB 以内"))
