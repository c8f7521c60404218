"""Notifications: the in-app centre and outbound delivery (e-mail, SMS, Web Push), the escalation
chain of mandatory-report cases, and the volunteers' weekly digest.

A notification is created inside the caller's transaction (:func:`app.notify.services.notify`);
its outbound deliveries are handed to the job queue only once that transaction commits, so a
rolled-back case never sends a message.
"""
