"""Care activities: talks, home visits and holiday activities logged from a phone, the cadence
engine that says what is due, the mandatory report (强制报告) and protection cases, and school
events with attendance.

The blueprint is in :mod:`app.activities.blueprint`, its routes in ``views_<topic>.py`` (all
imported by :mod:`app.activities.views`); this package imports nothing on its own, so the pure
modules (:mod:`~app.activities.cadence`, :mod:`~app.activities.periods`) load without Flask.
"""
