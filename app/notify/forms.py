"""The person's notification settings."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, widgets
from wtforms.validators import Length, Optional, Regexp

from app.notify.models import CHANNELS


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SettingsForm(FlaskForm):
    email = StringField(_l("电子邮箱"), validators=[Optional(), Length(max=254),
                                                   Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                                         message=_l("邮箱地址格式不正确，例如 name@example.com"))])
    channels = MultiCheckboxField(_l("一般通知通过以下方式发给我"),
                                  choices=[(k, _l(v)) for k, v in CHANNELS.items()])
    weekly_digest = BooleanField(_l("每周一收到本周关爱待办汇总"))
