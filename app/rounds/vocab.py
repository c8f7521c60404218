"""Codes and their Chinese labels (N_-marked; templates translate them)."""
from app.core.i18n import N_

#: the duties a role or an assignment carries
DUTIES = {
    "cadre": N_("村干部每周检查"),
    "sample": N_("督导员抽查"),
    "contact": N_("包保联系"),
}
#: who carries each duty: a role, or whoever holds an assignment
DUTY_ROLES = {"cadre": ("village_director",), "sample": ("township_supervisor",)}
EVERY = {"week": N_("每周"), "month": N_("每月"), "quarter": N_("每季度")}
ASSIGNMENT_KINDS = {"area": N_("包片"), "group": N_("包组"), "household": N_("联系户")}
METHODS = {"home_visit": N_("入户查看"), "phone": N_("电话或视频"), "at_school": N_("到校了解"),
           "records": N_("查阅记录")}
FINDINGS = {"ok": N_("照料正常"), "concern": N_("发现问题")}
STATUS = {"overdue": N_("已逾期"), "due_this_week": N_("本周到期"), "due_later": N_("待完成"), "done": N_("已完成")}
#: built-in rules, used where no region has set its own
DEFAULT_EVERY = {"cadre": "week", "sample": "month", "contact": "month"}
DEFAULT_SAMPLE = 5  # children a supervisor checks per period
