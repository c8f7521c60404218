"""Families: parents' contact with their left-behind child (weekly calls or video, seed 003 三明/嵐皋:
"每周與留守兒童電話、視頻聯系至少1次"), parents coming home (寒暑假返鄉), a configurable rule
that flags children whose parents have gone silent, and the reach of family-education events
(家长家教知识普及率, target 85 %, seed 002 篇8) per village."""
