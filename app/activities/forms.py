"""Log, case, rule and event forms. Few required fields, sensible defaults, big text areas that
work with the phone keyboard's voice input."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DateTimeLocalField, HiddenField, IntegerField, MultipleFileField,
                     RadioField, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField, widgets)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.activities import vocab
from app.core.dates import CHINA, today_cn


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _choices(mapping):
    return [(code, _l(label)) for code, label in mapping.items()]


def _now_minutes():
    return datetime.now(CHINA).replace(second=0, microsecond=0)


def _text(label, description=None):
    return TextAreaField(label, validators=[Optional(), Length(max=4000)], description=description,
                         render_kw={"rows": 3})


class _LogBase(FlaskForm):
    client_uuid = HiddenField()
    occurred_on = DateField(_l("日期"), default=today_cn, validators=[InputRequired(_l("请填写日期"))])
    duration_minutes = IntegerField(_l("时长（分钟）"), default=30,
                                    validators=[Optional(), NumberRange(1, 720, _l("时长应在1到720分钟之间"))],
                                    render_kw={"inputmode": "numeric"})
    participants = MultiCheckboxField(_l("在场的人"), choices=_choices(vocab.PARTICIPANTS), default=["child"])
    photos = MultipleFileField(_l("照片（可不传）"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    lat = HiddenField()
    lon = HiddenField()
    for_pair = BooleanField(_l("这是结对志愿者的纸质记录，由我代为录入"))
    reason = StringField(_l("修改原因"), validators=[Optional(), Length(max=200)])


class _ConcernsMixin:
    concerns = MultiCheckboxField(_l("发现以下情况"), choices=_choices(vocab.CONCERNS))
    concern_note = _text(_l("情况说明（看到、听到了什么）"))


class TalkForm(_ConcernsMixin, _LogBase):
    mode = RadioField(_l("方式"), choices=_choices(vocab.TALK_MODES), default="in_person")
    content = TextAreaField(_l("谈了什么"), validators=[DataRequired(_l("请填写谈话内容")), Length(max=4000)],
                            description=_l("可以点手机键盘上的话筒，直接说话输入"), render_kw={"rows": 5})
    mood = RadioField(_l("孩子的情绪"), choices=_choices(vocab.MOODS), validators=[Optional()])
    needs = _text(_l("孩子的需求"))
    follow_up = _text(_l("后续跟进"))


class VisitForm(_ConcernsMixin, _LogBase):
    start_time = TimeField(_l("时间"), default=_now_minutes, validators=[Optional()])
    guardian_present = RadioField(_l("监护人是否在家"), choices=[("yes", _l("在家")), ("no", _l("不在家"))],
                                  default="yes")
    safety_wiring = RadioField(_l("用电线路"), choices=_choices(vocab.SAFETY_RESULTS), default="ok")
    safety_doors = RadioField(_l("门窗门锁"), choices=_choices(vocab.SAFETY_RESULTS), default="ok")
    safety_water = RadioField(_l("饮水安全"), choices=_choices(vocab.SAFETY_RESULTS), default="ok")
    safety_food = RadioField(_l("食物储备"), choices=_choices(vocab.SAFETY_RESULTS), default="ok")
    living_conditions = _text(_l("居住条件"), _l("住房、卫生、取暖、有无隐患"))
    study = _text(_l("学习情况"))
    health = _text(_l("身体情况"))
    emotions = _text(_l("情绪状况"))
    needs = _text(_l("孩子和家庭的需求"))
    help_given = _text(_l("本次提供的帮助"))
    follow_up = _text(_l("后续跟进"))
    guardian_confirmed_by = StringField(_l("监护人确认（可选，请监护人写下姓名）"),
                                        validators=[Optional(), Length(max=64)])


class HolidayForm(_LogBase):
    mode = RadioField(_l("节日"), choices=_choices(vocab.OCCASIONS), default="other")
    place = StringField(_l("地点"), validators=[Optional(), Length(max=128)])
    content = TextAreaField(_l("活动内容"), validators=[DataRequired(_l("请填写活动内容")), Length(max=4000)],
                            description=_l("可以点手机键盘上的话筒，直接说话输入"), render_kw={"rows": 4})


class ReportForm(FlaskForm):
    agencies = MultiCheckboxField(_l("已报告给"), choices=_choices(vocab.AGENCIES), default=["police"])
    reported_at = DateTimeLocalField(_l("报告时间"), default=_now_minutes, format="%Y-%m-%dT%H:%M",
                                     validators=[InputRequired(_l("请填写报告时间"))])
    reference = StringField(_l("报警回执号或受理编号（如有）"), validators=[Optional(), Length(max=64)])


class StepForm(FlaskForm):
    status = SelectField(_l("阶段"), choices=_choices(vocab.CASE_STATUSES))
    on_date = DateField(_l("日期"), default=today_cn, validators=[InputRequired(_l("请填写日期"))])
    person = StringField(_l("经办人"), validators=[DataRequired(_l("请填写经办人")), Length(max=64)])
    notes = _text(_l("处置情况"))


class RuleForm(FlaskForm):
    talk_every = SelectField(_l("谈心"), choices=_choices(vocab.TALK_PERIODS))
    talk_term_only = BooleanField(_l("只在学期中要求（寒暑假不计）"))
    visit_every = SelectField(_l("入户看望"), choices=_choices(vocab.VISIT_PERIODS))
    first_visit_days = IntegerField(_l("重点儿童结对后首次看望期限（工作日，0为不要求）"), default=5,
                                    validators=[InputRequired(), NumberRange(0, 30, _l("应在0到30之间"))])
    holiday_reminders = BooleanField(_l("提醒节日关爱（六一、中秋、春节、寒暑假、生日）"))


class EventForm(FlaskForm):
    kind = RadioField(_l("活动类型"), choices=_choices(vocab.EVENT_KINDS), default="tutoring")
    title = StringField(_l("活动名称"), validators=[DataRequired(_l("请填写活动名称")), Length(max=128)])
    day = DateField(_l("日期"), default=today_cn, validators=[InputRequired(_l("请填写日期"))])
    start = TimeField(_l("开始时间"), default=lambda: datetime(2000, 1, 1, 16, 30).time(),
                      validators=[InputRequired(_l("请填写开始时间"))])
    duration_minutes = IntegerField(_l("时长（分钟）"), default=90,
                                    validators=[InputRequired(), NumberRange(10, 1440, _l("时长应在10分钟到24小时之间"))])
    weeks = IntegerField(_l("每周一次，共几次"), default=1,
                         validators=[InputRequired(), NumberRange(1, 30, _l("重复次数应在1到30之间"))])
    place = StringField(_l("地点"), validators=[Optional(), Length(max=128)])
    organiser = StringField(_l("组织者"), validators=[Optional(), Length(max=64)])
    class_name = StringField(_l("班级（可不填）"), validators=[Optional(), Length(max=32, message=_l("班级名称最多32个字"))],
                             render_kw={"list": "class-names", "autocomplete": "off"})
    # the service keeps only the school's pupils and the volunteers in scope
    children = MultiCheckboxField(_l("邀请的学生"), coerce=int, choices=[], validate_choice=False)
    volunteers = MultiCheckboxField(_l("邀请的志愿者"), coerce=int, choices=[], validate_choice=False)


class AttendanceForm(FlaskForm):
    children = MultiCheckboxField(_l("到场的学生"), coerce=int, choices=[])
    volunteers = MultiCheckboxField(_l("到场的志愿者"), coerce=int, choices=[])


class SummaryForm(FlaskForm):
    summary = TextAreaField(_l("活动小结"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 5})
    photos = MultipleFileField(_l("照片（可不传）"), render_kw={"accept": "image/jpeg,image/png,image/webp"})


class CheckinForm(FlaskForm):
    code = StringField(_l("签到码"), validators=[DataRequired(_l("请输入签到码")), Length(max=8)],
                       render_kw={"inputmode": "numeric", "autocomplete": "off"})
