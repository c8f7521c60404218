"""Duties by role (包保与检查): cadence rules aimed at roles and assignments, not volunteers.

* the village cadre (儿童主任 / 村干部) checks each urgent, key and 困境 child of the village
  weekly (seed 001: 村委会每周检查监护人照料情况);
* the township supervisor (儿童督导员) samples a number of the township's priority children each
  month (抽查);
* a cadre or staff member holding an assignment — 包片 (an area), 包组 (a village group, 村民小组)
  or 联系户 (named households) — checks every child it covers monthly.

Each person sees what is due and overdue; compliance is counted per person and in total.
"""
