"""The child form (一人一档), grouped like the official 登记表, and the small action forms.

WTForms only parses here (text, dates, ticks); the rules of :mod:`app.children.rules` validate
the record as a whole, so the web form and the roster import give the same Chinese messages.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, DecimalField, FieldList, Form, FormField, SelectField,
                     SelectMultipleField, StringField, TelField, TextAreaField, widgets)
from wtforms.validators import Length, NumberRange, Optional

from app.children import display, rules, vocab
from app.core.idcard import normalize_id_number
from app.core.phone import PhoneError, normalize_phone


class Marked:
    """Marks a field as required in the page (the rules say what is missing)."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        pass


class DayField(DateField):
    """A date input whose parse error is the rules' Chinese ``bad_date`` message."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = date.fromisoformat(valuelist[0].strip())
        except ValueError:
            self.data = None
            issue = rules.make_issue("bad_date", self.name, detail=valuelist[0][:20])
            raise ValueError(issue.message_en if display.english() else issue.message) from None


class MonthField(DayField):
    """A month (``<input type=month>``, ``YYYY-MM``; a full date is accepted too), stored as the
    month's first day: the departure month of the parents."""

    widget = widgets.MonthInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%Y-%m") if self.data else ""

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        if len(text) == 7:
            text += "-01"
        super().process_formdata([text])
        if self.data is not None:
            self.data = self.data.replace(day=1)


class TriStateField(SelectField):
    """Yes / no / not known (a ``bool`` or ``None``): for facts a director may not know yet."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, choices=[("", _l("未填")), ("yes", _l("是")), ("no", _l("否"))],
                         validate_choice=False, **kwargs)

    def process_data(self, value):
        self.data = value if isinstance(value, bool) else None

    def process_formdata(self, valuelist):
        text = valuelist[0] if valuelist else ""
        self.data = True if text == "yes" else False if text == "no" else None

    def _value(self):
        return "yes" if self.data is True else "no" if self.data is False else ""

    def iter_choices(self):
        current = self._value()
        for value, label in self.choices:
            yield (value, label, value == current, {})


class AssistanceRowForm(Form):
    """One assistance record: programme, monthly amount, start and end."""

    programme = SelectField(_l("救助项目"), validate_choice=False)
    amount = DecimalField(_l("金额（元/月）"), places=2, validators=[Optional(), NumberRange(min=0, max=100000)])
    start_date = DayField(_l("开始日期"))
    end_date = DayField(_l("结束日期"))
    note = StringField(_l("说明"), validators=[Length(max=128)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme.choices = [("", _l("（不填）"))] + [
            c for c in display.choices("assistance") if c[0] not in ("none",)]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _select(**kw) -> SelectField:
    return SelectField(validate_choice=False, **kw)


def _id_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return -1  # not one of the choices: refused by the view's scope check


#: Form sections in page order: (title, fields).
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (_l("基本信息"), ("name", "sex", "ethnicity", "birth_date", "id_number", "has_hukou", "urban_hukou",
                  "no_id_reason", "division_id", "village_group", "household_id", "registered_address",
                  "current_address")),
    (_l("儿童类别"), ("child_category", "difficulty_types", "is_orphan", "orphan_care", "needs")),
    (_l("健康"), ("health", "disability", "has_disability_certificate", "disability_category", "disability_grade",
                "illness", "chronic_illness", "immunisation_up_to_date", "immunisation_checked_on")),
    (_l("就学"), ("schooling", "school_id", "school_name", "grade", "boarding")),
    (_l("家庭"), ("father_name", "father_birth_date", "father_id_number", "father_work_place", "father_phone",
               "mother_name", "mother_birth_date", "mother_id_number", "mother_work_place", "mother_phone")),
    (_l("监护"), ("both_parents_away", "one_parent_away_other_incapable", "parents_away_since", "incapable_parent",
               "incapacity_reason", "father_status", "mother_status", "guardianship_type", "guardian_name", "guardian_relation", "guardian_phone",
               "guardian_id_number", "guardian_address")),
    (_l("经济与救助"), ("income_sources", "assistance_rows")),
    (_l("联系人"), ("village_contact_name", "village_contact_phone")),
    (_l("同意书"), ("consent_guardian_name", "consent_date", "consent_file")),
)

_TEXT = {"max": 100}


class ChildForm(FlaskForm):
    """Every field of the child's record; labels of official fields come from the vocabulary."""

    name = StringField(validators=[Marked(), Length(max=50)])
    sex = _select(validators=[Marked()])
    ethnicity = StringField(validators=[Length(max=20)])
    birth_date = DayField(validators=[Marked()])
    id_number = StringField(validators=[Length(max=40)])
    has_hukou = BooleanField(default=True)
    # ticked for the exception, so that a form without the box (and old forms) means rural
    urban_hukou = BooleanField(_l("非农村户籍（城镇户口）"))
    village_group = StringField(validators=[Length(max=30)])
    household_id = SelectField(_l("户（同户的兄弟姐妹）"), validate_choice=False)
    child_category = _select(validators=[Marked()])
    difficulty_types = MultiCheckboxField(validate_choice=False)
    orphan_care = _select()
    has_disability_certificate = TriStateField()
    disability_category = _select()
    disability_grade = _select()
    chronic_illness = TriStateField()
    immunisation_up_to_date = TriStateField()
    immunisation_checked_on = DayField()
    parents_away_since = MonthField()
    incapacity_reason = _select()
    father_status = _select()
    mother_status = _select()
    assistance_rows = FieldList(FormField(AssistanceRowForm), label=_l("救助帮扶（项目、金额、起止日期）"),
                                min_entries=1, max_entries=12)
    no_id_reason = StringField(validators=[Length(max=200)])
    division_id = SelectField(_l("村(社区)"), coerce=_id_or_none, validate_choice=False, validators=[Marked()])
    registered_address = StringField(validators=[Length(max=200)])
    current_address = StringField(validators=[Length(max=200)])
    health = _select()
    disability = StringField(validators=[Length(**_TEXT)])
    illness = StringField(validators=[Length(**_TEXT)])
    schooling = _select()
    school_id = SelectField(_l("学校"), coerce=_id_or_none, validate_choice=False)
    school_name = StringField(validators=[Length(**_TEXT)])
    grade = StringField(validators=[Length(max=20)])
    boarding = BooleanField()
    father_name = StringField(validators=[Length(max=50)])
    father_birth_date = DayField()
    father_id_number = StringField(validators=[Length(max=40)])
    father_work_place = StringField(validators=[Length(**_TEXT)])
    father_phone = TelField(validators=[Length(max=32)])
    mother_name = StringField(validators=[Length(max=50)])
    mother_birth_date = DayField()
    mother_id_number = StringField(validators=[Length(max=40)])
    mother_work_place = StringField(validators=[Length(**_TEXT)])
    mother_phone = TelField(validators=[Length(max=32)])
    both_parents_away = BooleanField()
    one_parent_away_other_incapable = BooleanField()
    incapable_parent = _select(label=_l("无监护能力的一方"), choices=[
        ("", _l("（不适用）")), ("father", _l("父亲")), ("mother", _l("母亲"))])
    guardianship_type = _select()
    guardian_name = StringField(validators=[Length(max=50)])
    guardian_relation = StringField(validators=[Length(max=20)])
    guardian_phone = TelField(validators=[Length(max=32)])
    guardian_id_number = StringField(validators=[Length(max=40)])
    guardian_address = StringField(validators=[Length(max=200)])
    income_sources = MultiCheckboxField(validate_choice=False)
    is_orphan = BooleanField()
    needs = MultiCheckboxField(_l("需要的帮助"), validate_choice=False)
    village_contact_name = StringField(validators=[Length(max=50)])
    village_contact_phone = TelField(validators=[Length(max=32)])
    consent_guardian_name = StringField(_l("签署同意书的监护人"), validators=[Length(max=50)])
    consent_date = DayField(_l("签署日期"))
    consent_file = FileField(_l("同意书扫描件"))
    review = StringField(validators=[Optional()])  # "1": saving also completes this quarter's review

    def __init__(self, *args, villages=(), schools=(), households=(), needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self._fields.items():
            if name in vocab.FIELD_LABELS:
                field.label.text = display.label(name)
        blank = [("", _l("请选择"))]
        for name in ("sex", "health", "schooling", "guardianship_type", "orphan_care", "disability_category",
                     "disability_grade", "incapacity_reason", "father_status", "mother_status"):
            self[name].choices = blank + display.choices(name)
        self.child_category.choices = display.choices("child_category")
        self.difficulty_types.choices = display.choices("difficulty_types")
        self.income_sources.choices = display.choices("income_sources")
        self.household_id.choices = [("", _l("不登记户")), ("new", _l("新建一户（以本儿童的监护人和住址）"))] + [
            (str(h.id), household_label(h)) for h in households]
        if not self.is_submitted() and (not self.assistance_rows.entries
                                        or self.assistance_rows.entries[-1].programme.data):
            self.assistance_rows.append_entry()  # one empty row to add a programme
        self.division_id.choices = ([("", _l("请选择村（社区）"))] if len(villages) != 1 else []) + [
            (v.id, f"{v.parent.name if v.parent else ''} {v.name}".strip()) for v in villages]
        self.school_id.choices = [("", _l("其他学校或未上学（在下面填写名称）"))] + [(s.id, s.name) for s in schools]
        self.needs.choices = list(needs)

    def sections(self):
        """(title, [fields]) in page order."""
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _id_text(value: str | None) -> str | None:
    value = _text(value)
    return normalize_id_number(value) if value else None


def _phone_text(value: str | None) -> str | None:
    value = _text(value)
    if value is None:
        return None
    try:
        return normalize_phone(value)
    except PhoneError:
        return value  # left as typed: the rules report it


def record_and_values(form: ChildForm, village, school) -> tuple[dict[str, Any], dict[str, Any]]:
    """The rules' record and the model values of a submitted form.

    ``village`` is the chosen :class:`Division` (or ``None``), ``school`` the chosen school.
    """
    values: dict[str, Any] = {}
    for name in vocab.RECORD_FIELDS:
        # 登记日期 comes only from a roster file: a new child is registered on the day it is saved
        if name in ("seq", "township", "village", "assistance", "rural_hukou", "registered_on"):
            continue
        data = form[name].data
        if name in vocab.ID_FIELDS:
            data = _id_text(data)
        elif name in vocab.PHONE_FIELDS:
            data = _phone_text(data)
        elif name in vocab.MULTI_FIELDS:
            data = [code for code in data or [] if code]
        elif isinstance(data, str):
            data = _text(data)
        values[name] = data
    if school is not None:
        values["school_name"] = school.name
    values["rural_hukou"] = not form.urban_hukou.data
    rows = assistance_rows(form)
    values["assistance"] = list(dict.fromkeys(row["programme"] for row in rows))
    record = {"seq": None, **values,
              "village": village.name if village else None,
              "township": village.parent.name if village and village.parent else None}
    incapable = form.incapable_parent.data
    values.update(
        division_id=village.id if village else None,
        school_id=school.id if school else None,
        incapable_parent=incapable if incapable in display.INCAPABLE_PARENT else None,
        assistance_records=rows,
        needs=[c for c in form.needs.data or [] if c in dict(form.needs.choices)],
        consent_guardian_name=_text(form.consent_guardian_name.data),
        consent_date=form.consent_date.data,
    )
    del values["assistance"]  # the records carry it
    return record, values


def household_label(household) -> str:
    """How a household is offered in the form: its guardian, group and address, and its children."""
    names = "、".join(c.name for c in household.children[:4])
    parts = [household.guardian_name or household.head_name or "", household.village_group or "",
             household.address or ""]
    text = " ".join(p for p in parts if p)
    return f"{text}（{names}）" if names else text


def assistance_rows(form: ChildForm) -> list[dict[str, Any]]:
    """The filled assistance rows of the form (a row without a programme is ignored)."""
    rows = []
    for entry in form.assistance_rows.entries:
        programme = entry.programme.data
        if programme in vocab.ASSISTANCE and programme != "none":
            rows.append({"programme": programme, "amount": entry.amount.data,
                         "start_date": entry.start_date.data, "end_date": entry.end_date.data,
                         "note": _text(entry.note.data)})
    return rows


def household_choice(form: ChildForm) -> str | int | None:
    """``"new"``, a household id among the offered ones, or ``None``."""
    value = form.household_id.data or ""
    if value == "new":
        return "new"
    return int(value) if value in {c[0] for c in form.household_id.choices[2:]} else None


#: Rules' record fields that the form shows under another field.
FIELD_OF_ISSUE = {"township": "division_id", "village": "division_id", "rural_hukou": "urban_hukou"}


def attach_issues(form: ChildForm, issues: list[rules.Issue]) -> tuple[bool, dict[str, list[str]]]:
    """Put the rules' errors on their fields; return (any error, {field: [warning texts]})."""
    warnings: dict[str, list[str]] = {}
    has_error = False
    for issue in issues:
        name = FIELD_OF_ISSUE.get(issue.field or "", issue.field or "")
        text = issue.message_en if display.english() else issue.display()
        if issue.is_error:
            has_error = True
            target = form[name] if name in form else form.name
            if text not in target.errors:
                target.errors.append(text)
        else:
            warnings.setdefault(name if name in form else "name", []).append(text)
    return has_error, warnings


class CloseForm(FlaskForm):
    reason = StringField(_l("结案原因"), validators=[Length(max=255)])


class ReviewForm(FlaskForm):
    note = TextAreaField(_l("核实说明（可不填）"), validators=[Length(max=255)])
