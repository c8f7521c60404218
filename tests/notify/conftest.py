"""Real local servers for the outbound channels: an SMTP server (aiosmtpd) and an HTTP endpoint
that checks each SMS request the way the provider's API does (signature, parameters)."""
from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from app.notify.channels import aliyun_signature
from tests.conftest import Browser

SMS_KEY_ID, SMS_SECRET = "LTAI-test-key", "test-secret-value"


@pytest.fixture
def login(app, world):
    def _login(role: str, region: str = "a") -> Browser:
        browser = Browser(app.test_client())
        username = "admin" if role == "admin" else world.user(role, region).username
        assert browser.login(username).status_code == 302
        return browser

    return _login


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on a free local port; the app's mail settings point at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="noreply@xiangban.test",
                      MAIL_TIMEOUT=5)
    inbox.port = controller.port
    yield inbox
    controller.stop()


REQUIRED = {"AccessKeyId", "Action", "Format", "PhoneNumbers", "RegionId", "SignName", "SignatureMethod",
            "SignatureNonce", "SignatureVersion", "TemplateCode", "TemplateParam", "Timestamp", "Version", "Signature"}


class SmsEndpoint:
    """Answers like the SendSms API: checks the parameters and the HMAC-SHA1 signature."""

    def __init__(self):
        self.requests: list[dict] = []
        self.fail_next: list[dict] = []  # answers to give before succeeding

    def answer(self, params: dict) -> tuple[int, dict]:
        missing = REQUIRED - set(params)
        if missing:
            return 400, {"Code": "MissingParameter", "Message": ",".join(sorted(missing))}
        unsigned = {k: v for k, v in params.items() if k != "Signature"}
        if params["AccessKeyId"] != SMS_KEY_ID:
            return 404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
        if aliyun_signature(unsigned, SMS_SECRET) != params["Signature"]:
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."}
        if (params["Action"], params["Version"], params["SignatureMethod"], params["SignatureVersion"]) != (
                "SendSms", "2017-05-25", "HMAC-SHA1", "1.0"):
            return 400, {"Code": "InvalidParameter", "Message": "bad action"}
        if not (params["PhoneNumbers"].isdigit() and len(params["PhoneNumbers"]) == 11):
            return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "invalid mobile"}
        json.loads(params["TemplateParam"])  # must be JSON
        if self.fail_next:
            return 200, self.fail_next.pop(0)
        self.requests.append(params)
        return 200, {"Code": "OK", "Message": "OK", "BizId": f"biz{len(self.requests)}", "RequestId": "req"}


@pytest.fixture
def sms_endpoint(app):
    endpoint = SmsEndpoint()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            status, body = endpoint.answer(params)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(SMS_PROVIDER="aliyun", SMS_ENDPOINT=f"http://127.0.0.1:{server.server_port}/",
                      SMS_ACCESS_KEY_ID=SMS_KEY_ID, SMS_ACCESS_KEY_SECRET=SMS_SECRET, SMS_SIGN_NAME="相伴",
                      SMS_TEMPLATE_CODE="SMS_123456789", SMS_TIMEOUT=5)
    yield endpoint
    server.shutdown()
    server.server_close()
