"""儿童之家 as managed sites: one per village (or a school's care room), its "8有" checklist with
evidence photos (seed 003 篇二), its activities and attendance, service counts and the 运营评估
report behind the running subsidy (seed 003 篇四), and coverage per township."""
