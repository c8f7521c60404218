"""``flask --app wsgi notify retry|digest|worker|vapid-keys``: the delivery jobs run from cron, the
queue worker, and a new pair of Web Push keys."""
from __future__ import annotations

import base64

import click
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask.cli import AppGroup

from app.extensions import db
from app.notify.digest import send_weekly
from app.notify.jobs import retry_due, run_worker

notify = AppGroup("notify", help="Notifications: retries, the weekly digest, the queue worker, Web Push keys.")


@notify.command("retry")
def retry_command():
    """Send the deliveries whose retry time has come (run from cron, e.g. every minute)."""
    click.echo(f"handed over {retry_due()} deliveries")


@notify.command("digest")
def digest_command():
    """Send this week's care digest to the volunteers who chose it (run from cron on Mondays)."""
    sent = send_weekly()
    db.session.commit()
    click.echo(f"digest sent to {sent} volunteers")


@notify.command("worker")
def worker_command():
    """Run an RQ worker for the notify queue (needs REDIS_URL)."""
    run_worker()


@notify.command("vapid-keys")
def vapid_keys_command():
    """Print a new pair of Web Push (VAPID) keys as environment lines."""
    def b64url(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    click.echo(f"VAPID_PUBLIC_KEY={b64url(public)}")
    click.echo(f"VAPID_PRIVATE_KEY={b64url(key.private_numbers().private_value.to_bytes(32, 'big'))}")


#: the commands the app factory adds to ``flask``
COMMANDS = (notify,)
