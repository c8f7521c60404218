"""Codes and their Chinese labels for care activities, protection cases and school events.

Labels are marked with ``N_`` and translated where they are shown (``_(label)``).
"""
from __future__ import annotations

from app.core.i18n import N_

LOG_KINDS = {"talk": N_("谈心"), "visit": N_("入户看望"), "holiday": N_("节日活动")}

#: how a talk happened (谈心 / 亲情电话 / 视频)
TALK_MODES = {"in_person": N_("当面谈心"), "phone": N_("电话"), "video": N_("视频通话")}

PARTICIPANTS = {"child": N_("儿童本人"), "guardian": N_("监护人"), "parents": N_("父母")}

MOODS = {
    "happy": N_("开心"),
    "calm": N_("平稳"),
    "lonely": N_("孤单"),
    "sad": N_("难过"),
    "anxious": N_("焦虑紧张"),
    "angry": N_("烦躁易怒"),
}

#: the home-visit safety check (入户安全检查)
SAFETY_ITEMS = {
    "wiring": N_("用电线路"),
    "doors": N_("门窗门锁"),
    "water": N_("饮水安全"),
    "food": N_("食物储备"),
}
SAFETY_RESULTS = {"ok": N_("正常"), "problem": N_("有隐患")}

#: holiday activities (节日活动)
OCCASIONS = {
    "childrens_day": N_("六一儿童节"),
    "mid_autumn": N_("中秋节"),
    "spring_festival": N_("春节"),
    "winter_holiday": N_("寒假"),
    "summer_holiday": N_("暑假"),
    "birthday": N_("生日"),
    "other": N_("其他"),
}

#: 强制报告 — the situations the law obliges anyone working with children to report at once
CONCERNS = {
    "alone": N_("儿童独自居住或无人照料"),
    "missing": N_("儿童失踪、走失或下落不明"),
    "guardian_incapable": N_("监护人丧失监护能力或不履行监护职责"),
    "violence": N_("疑似遭受家庭暴力"),
    "abuse": N_("疑似遭受虐待、遗弃"),
    "sexual_harm": N_("疑似遭受性侵害"),
    "injury": N_("身体有不明原因的伤害"),
    "self_harm": N_("有自伤、自残行为或倾向"),
    "bullying": N_("遭受校园欺凌"),
    "trafficking": N_("疑似被拐卖或被组织乞讨"),
    "other_danger": N_("其他严重危险情况"),
}

#: to whom a mandatory report was made
AGENCIES = {"police": N_("公安机关（110）"), "civil_affairs": N_("民政部门"), "education": N_("教育部门")}

#: the protection-case workflow, in order
CASE_STATUSES = {
    "reported": N_("已报告"),
    "emergency": N_("应急处置"),
    "assessment": N_("评估帮扶"),
    "intervention": N_("监护干预"),
    "closed": N_("已结案"),
}
CASE_ORDER = tuple(CASE_STATUSES)

EVENT_KINDS = {
    "tutoring": N_("四点半课堂"),
    "class_meeting": N_("主题班会"),
    "care_theme": N_("主题关爱教育活动"),  # the school's one each term (seed 003 岚皋)
    "parents_meeting": N_("返乡家长会"),
    "family_education": N_("家庭教育讲座"),
    "holiday": N_("节日活动（暑期七彩课堂、六一等）"),
    "safety_law": N_("安全和法治教育"),
    "summer_camp": N_("夏令营"),
    "other": N_("其他活动"),
}

#: how attendance was taken
ATTENDANCE_METHODS = {"list": N_("签到表"), "code": N_("签到码")}

#: cadence options (see app.activities.cadence)
TALK_PERIODS = {"week": N_("每周至少1次"), "month": N_("每月至少1次"), "none": N_("不要求")}
VISIT_PERIODS = {"month": N_("每月至少1次"), "quarter": N_("每季度至少1次"), "term": N_("每学期至少1次"),
                 "none": N_("不要求")}

#: names of the due items the cadence engine returns
DUE_KINDS = {
    "talk": N_("谈心"),
    "visit": N_("入户看望"),
    "first_visit": N_("首次入户看望"),
    "holiday": N_("节日关爱"),
}
DUE_STATUSES = {
    "overdue": N_("已逾期"),
    "due_this_week": N_("本周到期"),
    "due_later": N_("待完成"),
    "done": N_("已完成"),
}
