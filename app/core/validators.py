"""WTForms validators for the domain's identifiers, with messages in the user's language."""
from __future__ import annotations

from flask_babel import get_locale
from wtforms.validators import ValidationError

from app.core.dates import today_cn
from app.core.idcard import IdNumberError, parse_id_number
from app.core.phone import PhoneError, normalize_phone


def _msg(error) -> str:
    return error.message_en if str(get_locale()).startswith("en") else error.message


class IdNumber:
    """Validate and normalise a resident ID number (full-width digits, lowercase x accepted)."""

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            info = parse_id_number(field.data, today=today_cn())
        except IdNumberError as exc:
            raise ValidationError(_msg(exc)) from None
        field.data = info.number
        field.id_info = info


class Phone:
    """Validate and normalise a mainland mobile or landline number."""

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = normalize_phone(field.data)
        except PhoneError as exc:
            raise ValidationError(_msg(exc)) from None


class PasswordPolicy:
    """At least 10 characters and not a common password (see :func:`app.auth.accounts.password_problem`)."""

    def __call__(self, form, field):
        from flask_babel import gettext

        from app.auth.accounts import password_problem

        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(gettext(problem))
