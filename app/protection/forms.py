"""Forms of the tracked duties: progress, closing, opening by hand, case measures, reporting."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.activities import vocab as activity_vocab
from app.activities.forms import MultiCheckboxField
from app.core.dates import today_cn
from app.protection import vocab


def _choices(mapping):
    return [(code, _l(label)) for code, label in mapping.items()]


def _text(label, required_message=None):
    validators = [DataRequired(required_message)] if required_message else [Optional()]
    return TextAreaField(label, validators=validators + [Length(max=4000)], render_kw={"rows": 3})


def _date(label):
    return DateField(label, default=today_cn, validators=[InputRequired(_l("请填写日期"))])


class StepForm(FlaskForm):
    action = SelectField(_l("步骤"), choices=_choices(vocab.STEP_ACTIONS))
    on_date = _date(_l("日期"))
    person = StringField(_l("经办人"), validators=[DataRequired(_l("请填写经办人")), Length(max=64)])
    result = SelectField(_l("劝返结果"), choices=[("", "—")] + _choices(vocab.ATTEMPT_RESULTS),
                         validators=[Optional()])
    notes = _text(_l("情况说明"))

    def limit_to(self, kind: str) -> StepForm:
        self.action.choices = [(c, _l(vocab.STEP_ACTIONS[c])) for c in vocab.KIND_ACTIONS[kind]]
        return self


class CloseGapForm(FlaskForm):
    means = RadioField(_l("落实监护的方式"), choices=_choices(vocab.GAP_MEANS),
                       validators=[InputRequired(_l("请选择落实监护的方式"))])
    placement = RadioField(_l("临时监护由谁提供"), choices=_choices(vocab.PLACEMENTS), validators=[Optional()])
    guardian_name = StringField(_l("监护人（或临时监护机构）"),
                                validators=[DataRequired(_l("请填写落实后的监护人（或临时监护机构）名称")),
                                            Length(max=64)])
    guardian_relation = StringField(_l("与儿童关系"), validators=[DataRequired(_l("请填写监护人与儿童的关系")),
                                                                 Length(max=32)])
    guardian_phone = StringField(_l("监护人电话"), validators=[Optional(), Length(max=32)],
                                 render_kw={"inputmode": "tel"})
    guardianship_type = RadioField(_l("核实后的监护情况"), choices=_choices(vocab.CAPABLE_TYPES), default="fair")
    outcome_on = _date(_l("落实日期"))
    confirmed = BooleanField(_l("我已当面核实：该监护人具备监护能力，愿意履行监护职责"))
    note = _text(_l("说明"))


class CloseItemForm(FlaskForm):
    outcome = RadioField(_l("办结结果"), validators=[InputRequired(_l("请选择办结结果"))])
    outcome_on = _date(_l("办结日期"))
    note = _text(_l("办理情况"), _l("请写明办理情况（例如返校的学校和年级、户口登记的派出所、整改措施）"))
    #: a dropout's closing only: written to the child's record
    schooling = SelectField(_l("返校后的就学阶段"), choices=[("", "—")] + _choices(vocab.RETURN_SCHOOLING),
                            validators=[Optional()])
    school_name = StringField(_l("就读学校"), validators=[Optional(), Length(max=128)])
    grade = StringField(_l("年级"), validators=[Optional(), Length(max=32)])

    def limit_to(self, kind: str) -> CloseItemForm:
        self.outcome.choices = _choices(vocab.OUTCOMES[kind])
        return self


class OpenItemForm(FlaskForm):
    kind = RadioField(_l("事项类型"), validators=[InputRequired(_l("请选择事项类型"))])
    reason = SelectField(_l("发现的情况"), choices=[("", "—")] + _choices(vocab.FINDING_KINDS),
                         validators=[Optional()])
    summary = _text(_l("情况说明"), _l("请写明发现了什么情况"))
    deadline = DateField(_l("整改或办结期限"), validators=[Optional()])

    def limit_to(self, kinds) -> OpenItemForm:
        self.kind.choices = [(k, _l(vocab.KINDS[k])) for k in kinds]
        return self


class MeasureForm(FlaskForm):
    kind = SelectField(_l("措施"), choices=[(code, _l(label)) for code, (_stage, label) in vocab.MEASURES.items()])
    status = SelectField(_l("状态"), choices=_choices(vocab.MEASURE_STATUSES), default="done")
    on_date = _date(_l("日期"))
    due_on = DateField(_l("计划完成（或跟踪查访）日期"), validators=[Optional()])
    placement = SelectField(_l("临时监护照料机构"), choices=[("", "—")] + _choices(vocab.PLACEMENTS),
                            validators=[Optional()])
    notes = _text(_l("说明"))


class MeasureStatusForm(FlaskForm):
    status = SelectField(_l("状态"), choices=_choices(vocab.MEASURE_STATUSES))
    notes = _text(_l("说明"))


class ReportForm(FlaskForm):
    concerns = MultiCheckboxField(_l("发现以下情况"), choices=_choices(activity_vocab.CONCERNS))
    note = _text(_l("情况说明（看到、听到了什么）"))


class AgreementForm(FlaskForm):
    """A signed 委托监护责任确认书 (a new one, or the renewal of the one in force)."""

    entrusted_by = RadioField(_l("委托人"), choices=_choices(vocab.ENTRUSTED_BY),
                              validators=[InputRequired(_l("请选择委托人（父母哪一方）"))])
    parent_names = StringField(_l("委托人（父母）姓名"),
                               validators=[DataRequired(_l("请填写委托人（父母）姓名")), Length(max=128)])
    guardian_name = StringField(_l("受委托监护人姓名"),
                                validators=[DataRequired(_l("请填写受委托监护人姓名")), Length(max=64)])
    guardian_relation = StringField(_l("与儿童关系"),
                                    validators=[DataRequired(_l("请填写受委托监护人与儿童的关系")), Length(max=32)])
    guardian_phone = StringField(_l("受委托监护人电话"), validators=[Optional(), Length(max=32)],
                                 render_kw={"inputmode": "tel"})
    signed_on = _date(_l("签订日期"))
    valid_until = DateField(_l("有效期至"), validators=[Optional()])
    scan = FileField(_l("确认书扫描件或照片（可选）"), render_kw={"accept": "application/pdf,image/jpeg,image/png"})
    note = _text(_l("说明"))


class AgreementEndForm(FlaskForm):
    reason = RadioField(_l("终止原因"), choices=[(k, _l(vocab.AGREEMENT_END_REASONS[k]))
                                              for k in ("parent_returned", "withdrawn")],
                        validators=[InputRequired(_l("请选择终止原因"))])
    on_date = _date(_l("终止日期"))
