"""WTForms validators for the domain's identifiers, with messages in the user's language."""
from __future__ import annotations

from flask_babel import get_locale, gettext
from wtforms.validators import ValidationError

from app.core.dates import today_cn
from app.core.i18n import N_
from app.core.idcard import IdNumberError, parse_id_number
from app.core.phone import PhoneError, normalize_phone


def _msg(error) -> str:
    return error.message_en if str(get_locale()).startswith("en") else error.message


#: What a person typing into a web form is told: plain words that say what to do. (The roster
#: import keeps the official wording of app.core.idcard, which its sample files expect.)
PLAIN_ID_MESSAGES = {
    "empty": N_("请填写身份证号"),
    "bad_length": N_("身份证号应为18位，您填了%(n)s位"),
    "bad_chars": N_("身份证号只能是数字，最后一位可以是X"),
    "bad_birth_date": N_("身份证号里的出生日期（第7到14位）不对，请核对"),
    "bad_check_digit": N_("身份证号最后一位不对，请核对"),
}
PLAIN_PHONE_MESSAGE = N_("手机号应为11位数字；座机请加区号，如 0855-3571234")


class IdNumber:
    """Validate and normalise a resident ID number (full-width digits, lowercase x accepted)."""

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            info = parse_id_number(field.data, today=today_cn())
        except IdNumberError as exc:
            text = PLAIN_ID_MESSAGES.get(exc.code)
            if text is None:
                raise ValidationError(_msg(exc)) from None
            typed = "".join(ch for ch in str(field.data) if not ch.isspace())
            raise ValidationError(gettext(text, n=len(typed))) from None
        field.data = info.number
        field.id_info = info


class Phone:
    """Validate and normalise a mainland mobile or landline number."""

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = normalize_phone(field.data)
        except PhoneError:
            raise ValidationError(gettext(PLAIN_PHONE_MESSAGE)) from None
