"""Web Push through pywebpush against a local push endpoint that checks the VAPID header and
decrypts the aes128gcm payload with the subscriber's keys, as a browser's push service would."""
import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app.notify import services
from app.notify.models import Delivery, PushSubscription


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def point(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


@pytest.fixture
def push_service(app):
    vapid = ec.generate_private_key(ec.SECP256R1())
    vapid_public = b64url(point(vapid))
    app.config.update(VAPID_PRIVATE_KEY=b64url(vapid.private_numbers().private_value.to_bytes(32, "big")),
                      VAPID_PUBLIC_KEY=vapid_public, VAPID_SUBJECT="mailto:ops@xiangban.test")
    client_key = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    state = {"received": [], "answer": 201, "errors": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                scheme, _, params = self.headers["Authorization"].partition(" ")
                fields = dict(p.strip().split("=", 1) for p in params.split(","))
                assert scheme == "vapid" and fields["k"] == vapid_public
                claims = json.loads(unb64url(fields["t"].split(".")[1]))
                assert claims["aud"] == f"http://127.0.0.1:{server.server_port}"
                assert claims["sub"] == "mailto:ops@xiangban.test"
                assert self.headers["Content-Encoding"] == "aes128gcm" and int(self.headers["TTL"]) > 0
                plain = http_ece.decrypt(body, private_key=client_key, auth_secret=auth, version="aes128gcm")
                state["received"].append(json.loads(plain))
            except Exception as exc:  # noqa: BLE001 - reported to the test
                state["errors"].append(repr(exc))
                self.send_response(400)
            else:
                self.send_response(state["answer"])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["subscription"] = {"endpoint": f"http://127.0.0.1:{server.server_port}/push/abc",
                             "p256dh": b64url(point(client_key)), "auth": b64url(auth)}
    yield state
    server.shutdown()
    server.server_close()


def subscribe(db, user, sub):
    db.session.add(PushSubscription(user_id=user.id, endpoint=sub["endpoint"], p256dh=sub["p256dh"], auth=sub["auth"]))
    db.session.commit()


def test_a_case_reaches_the_phone_by_push(world, db, push_service):
    director = world.user("village_director")
    subscribe(db, director, push_service["subscription"])
    services.notify([director], "case.escalate", "强制报告 #7（a县a镇a村）已超过4小时无人确认", "/activities/cases/7",
                   mandatory=True)
    db.session.commit()
    assert push_service["errors"] == []
    assert push_service["received"] == [{"title": "强制报告 #7（a县a镇a村）已超过4小时无人确认",
                                         "url": "http://localhost:5000/activities/cases/7"}]
    assert db.session.scalar(sa.select(Delivery.status)) == "sent"


def test_a_dropped_subscription_fails_once_and_is_forgotten(world, db, push_service):
    director = world.user("village_director")
    subscribe(db, director, push_service["subscription"])
    push_service["answer"] = 410
    services.notify([director], "test", "测试", "/")
    db.session.commit()
    db.session.expire_all()
    row = db.session.scalar(sa.select(Delivery))
    assert row.status == "failed" and "410" in row.last_error
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 0


def test_vapid_keys_command_makes_keys_pywebpush_accepts(app):
    from py_vapid import Vapid02

    out = app.test_cli_runner().invoke(args=["notify", "vapid-keys"]).output
    values = dict(line.split("=", 1) for line in out.split())
    assert len(unb64url(values["VAPID_PUBLIC_KEY"])) == 65
    key = Vapid02.from_string(values["VAPID_PRIVATE_KEY"])
    assert b64url(point(key.private_key)) == values["VAPID_PUBLIC_KEY"]
