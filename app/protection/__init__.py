"""The special action's six responsibilities (合力监护、相伴成长) as tracked work: guardianship gaps,
dropout and hukou trackers, findings from visits, the structured measures of protection cases,
and the progress bulletin that counts them."""
