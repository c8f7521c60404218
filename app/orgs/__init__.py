"""Organisations (学校, 儿童之家, 关工委, 妇联, 社会组织, …): list, create and edit within one's scope.

儿童之家 are opened from :mod:`app.homes` (one per village, with their checklist), so they are listed
here but created there.
"""
