"""Codes and labels of the tracked duties (Chinese, marked for translation)."""
from __future__ import annotations

from app.activities.vocab import CASE_STATUSES
from app.core.i18n import N_

#: the kinds of tracked item
KINDS = {
    "gap": N_("监护待落实"),
    "dropout": N_("控辍保学"),
    "hukou": N_("户口登记"),
    "finding": N_("走访发现"),
}
#: days from opening to the deadline, per kind (a child with no guardian at all: one week)
DEADLINE_DAYS = {"gap": 30, "gap_none": 7, "dropout": 30, "hukou": 60, "finding": 14}

#: why a guardianship gap was opened
GAP_REASONS = {
    "none": N_("无人监护"),
    "parent_incapable": N_("父母一方外出、另一方无监护能力，且无有能力的受委托监护人"),
    "entrusted_weak": N_("受委托监护人监护能力不足（监护差）"),
}
#: how effective guardianship was achieved (seed 004 counts these apart)
GAP_MEANS = {
    "parent_returned": N_("父母一方返乡监护"),
    "entrusted": N_("指定受委托监护人"),
    "temporary": N_("临时监护"),
}
#: where a child in temporary guardianship lives
PLACEMENTS = {
    "relatives": N_("其他近亲属"),
    "village_committee": N_("村（居）民委员会"),
    "rescue_station": N_("救助管理机构"),
    "welfare_institution": N_("儿童福利机构"),
}
#: the guardianship a closing records (only capable guardianship closes a gap)
CAPABLE_TYPES = {"good": N_("监护情况较好"), "fair": N_("监护情况一般")}

#: what a finding from a visit is about
FINDING_KINDS = {
    "hazard": N_("安全隐患"),
    "need": N_("需求"),
    "follow_up": N_("需跟进事项"),
}

#: the ways an item ends, per kind
OUTCOMES = {
    "gap": GAP_MEANS,
    "dropout": {"returned": N_("已返校复学"), "transferred": N_("已转学、入读职校"),
                "exempt": N_("依法办理缓学、休学")},
    "hukou": {"registered": N_("已登记常住户口")},
    "finding": {"resolved": N_("已整改、已解决"), "referred": N_("已转介有关部门"),
                "not_needed": N_("核实后无需处理")},
}

#: the steps recorded on an item's history
STEP_ACTIONS = {
    "opened": N_("登记"),
    "attempt": N_("劝返"),
    "written_report": N_("劝返无效，书面报告"),
    "applied": N_("提交户口登记申请"),
    "note": N_("进展"),
    "closed": N_("办结"),
}
#: which actions each kind offers on its progress form
KIND_ACTIONS = {
    "gap": ("note",),
    "dropout": ("attempt", "written_report", "note"),
    "hukou": ("applied", "note"),
    "finding": ("note",),
}
#: the schooling a returned (or transferred) dropout is recorded with on the child's record
RETURN_SCHOOLING = {"primary": N_("小学"), "junior": N_("初中"), "senior": N_("高中"), "vocational": N_("中职")}
#: a dropout item's outcome → whether the child is back at school (缓学/休学: 不在学)
DROPOUT_BACK_AT_SCHOOL = {"returned": True, "transferred": True, "exempt": False}

ATTEMPT_RESULTS = {"agreed": N_("同意返校"), "refused": N_("拒绝返校"), "absent": N_("未见到本人"),
                   "pending": N_("考虑中")}

#: measures recorded on a protection case, by stage (G4-G6, D6 and accountability): the case's own
#: stages (labels from the case workflow, defined once there) and the parents' accountability
MEASURE_STAGES = {**{stage: CASE_STATUSES[stage] for stage in ("emergency", "assessment", "intervention")},
                  "accountability": N_("追究失职父母责任")}
MEASURES = {
    "parents_ordered_home": ("emergency", N_("责令父母返回")),
    "entrusted_guardian": ("emergency", N_("确定受委托监护人")),
    "placement": ("emergency", N_("护送临时监护照料")),
    "admonition": ("emergency", N_("对父母训诫")),
    "assessment_safety": ("assessment", N_("安全处境评估")),
    "assessment_guardianship": ("assessment", N_("监护情况评估")),
    "assessment_health": ("assessment", N_("身心健康评估")),
    "referral_medical": ("assessment", N_("转介：医疗救治")),
    "referral_psych": ("assessment", N_("转介：心理疏导")),
    "referral_legal": ("assessment", N_("转介：法律援助")),
    "referral_social": ("assessment", N_("转介：社会救助")),
    "warning_letter": ("intervention", N_("告诫书")),
    "protection_order": ("intervention", N_("人身安全保护令")),
    "follow_up_visit": ("intervention", N_("入户跟踪查访")),
    "revocation": ("intervention", N_("申请撤销监护人资格")),
    "criticism": ("accountability", N_("批评教育")),
    "public_security_penalty": ("accountability", N_("治安管理处罚")),
    "criminal_liability": ("accountability", N_("追究刑事责任")),
}
MEASURE_STATUSES = {
    "planned": N_("待办"),
    "in_progress": N_("进行中"),
    "done": N_("已完成"),
    "granted": N_("法院已判决撤销"),
    "rejected": N_("法院驳回"),
}
#: a warning letter or a protection order makes the village follow up at home (G6)
FOLLOW_UP_AFTER = {"warning_letter", "protection_order"}
FOLLOW_UP_DAYS = 14

#: who signs a 委托监护责任确认书 as the entrusting parent(s)
ENTRUSTED_BY = {"both": N_("父母双方"), "father": N_("父亲"), "mother": N_("母亲")}
#: why a 确认书 stopped being in force (a renewal records the new one; the others need none)
AGREEMENT_END_REASONS = {
    "renewed": N_("已重新签订（更换受委托监护人或续签）"),
    "guardian_changed": N_("档案中的监护人已变更，需重新签订"),
    "parent_returned": N_("父母返回，不再委托监护"),
    "withdrawn": N_("登记有误，作废"),
}
#: a 确认书 that lapses within this many days is shown as due for renewal
AGREEMENT_RENEW_DAYS = 30
