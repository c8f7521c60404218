"""Pinyin keys for searching names, with the surname readings that differ from the common one."""
from __future__ import annotations

#: surnames read differently from the character's common reading (单 shàn, not dān, …)
SURNAME_READINGS = {
    "单": ["shan", "dan"], "曾": ["zeng", "ceng"], "仇": ["qiu", "chou"], "解": ["xie", "jie"],
    "查": ["zha", "cha"], "区": ["ou", "qu"], "朴": ["piao", "pu"], "尉": ["yu", "wei"], "乐": ["yue", "le"],
    "召": ["shao", "zhao"], "覃": ["qin", "tan"], "员": ["yun", "yuan"], "盖": ["ge", "gai"],
    "缪": ["miao", "mou"], "翟": ["zhai", "di"], "冼": ["xian"], "万": ["wan", "mo"], "宿": ["su", "xiu"],
    "种": ["chong", "zhong"], "秘": ["bi", "mi"], "折": ["she", "zhe"], "黑": ["he", "hei"], "繁": ["po", "fan"],
    "长": ["chang", "zhang"], "重": ["chong", "zhong"], "柏": ["bai", "bo"], "任": ["ren"], "沈": ["shen"],
}


def name_keys(name: str) -> tuple[str, str]:
    """Return (full pinyin keys, initials keys) for ``name``, alternatives separated by spaces.

    ``name_keys('单小明')`` → ``('shanxiaoming danxiaoming', 'sxm dxm')``.
    """
    name = (name or "").strip()
    if not name:
        return "", ""
    # imported here: its phrase dictionary takes a quarter of a second to load, which every
    # command-line start (a roster import among them) would pay without ever spelling a name
    from pypinyin import Style, lazy_pinyin

    rest = lazy_pinyin(name[1:], style=Style.NORMAL, errors="ignore")
    firsts = SURNAME_READINGS.get(name[0]) or lazy_pinyin(name[0], style=Style.NORMAL, errors="ignore") or [""]
    fulls, initials = [], []
    for first in firsts:
        syllables = [first, *rest]
        fulls.append("".join(syllables).lower())
        initials.append("".join(s[:1] for s in syllables if s).lower())
    dedup = lambda xs: " ".join(dict.fromkeys(xs))  # noqa: E731
    return dedup(fulls), dedup(initials)
