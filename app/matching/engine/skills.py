"""The skill vocabulary alone, without numpy: the volunteers' records name their skills with it,
and every app start loads those models, so this module must stay import-light (the rest of
:mod:`.rules` needs numpy)."""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark a label for the app's message catalogue (the engine itself loads no Flask or Babel)."""
    return text


#: The one list of skill codes (a child's needs, a volunteer's skills) and their labels: Chinese
#: source text, translated where the app shows them (``_(SKILL_LABELS[code])``).
SKILL_LABELS = {
    "tutor_primary": N_("小学辅导"),
    "tutor_secondary": N_("中学辅导"),
    "psych": N_("情感陪伴/心理疏导"),
    "disability_care": N_("残疾照护"),
    "health": N_("健康照护"),
    "legal_hukou": N_("户籍与证件办理"),
    "guardianship": N_("监护督导"),
    "dropout_return": N_("劝返复学"),
}
