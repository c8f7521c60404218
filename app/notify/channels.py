"""Outbound channels. Each ``send_*`` sends one message or raises :class:`DeliveryError` with a
reason that is stored on the delivery and shown to administrators.

- e-mail: plain SMTP (``smtplib``), optionally SMTPS or STARTTLS with a login;
- SMS: the Alibaba Cloud SMS API (dysmsapi ``SendSms``, RPC style, HMAC-SHA1 signature v1.0) —
  the request format the mainland provider expects; ``SMS_ENDPOINT`` points elsewhere in tests;
- Web Push: VAPID-signed, encrypted (aes128gcm) via ``pywebpush``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from flask_babel import gettext


class DeliveryError(Exception):
    """A message could not be sent; ``reason`` is short and safe to store. ``permanent``: do not retry."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason[:255]
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    title: str
    url: str  # absolute


def configured(config, channel: str) -> bool:
    """Whether the deployment has the channel set up at all."""
    if channel == "email":
        return bool(config.get("MAIL_SERVER"))
    if channel == "sms":
        return config.get("SMS_PROVIDER") == "aliyun" and bool(
            config.get("SMS_ACCESS_KEY_ID") and config.get("SMS_ACCESS_KEY_SECRET") and config.get("SMS_TEMPLATE_CODE"))
    if channel == "push":
        return bool(config.get("VAPID_PRIVATE_KEY") and config.get("VAPID_PUBLIC_KEY"))
    return False


# ------------------------------------------------------------------------------------- e-mail

def send_email(config, to: str, message: Message) -> str:
    msg = EmailMessage()
    msg["Subject"] = f"【相伴】{message.title}"
    msg["From"] = formataddr(("相伴 Xiangban", config["MAIL_FROM"]))
    msg["To"] = to
    msg_id = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or "localhost")
    msg["Message-ID"] = msg_id
    # the caller has set the recipient's language (jobs._send)
    msg.set_content(f"{message.title}\n\n{gettext('请登录相伴查看并处理：%(url)s', url=message.url)}\n\n"
                    f"{gettext('（本邮件由系统自动发送，请勿直接回复。）')}\n")
    server, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    try:
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(server, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(server, port, timeout=timeout)
        with smtp:
            if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"SMTP recipient refused: {exc.recipients}", permanent=True) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP: {type(exc).__name__}: {exc}") from None
    return msg_id.strip("<>")[:64]


# ------------------------------------------------------------------------------------- SMS

def _percent(value: str) -> str:
    """Alibaba Cloud's percent-encoding (RFC 3986 unreserved characters kept)."""
    return urllib.parse.quote(value, safe="~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    """The RPC signature (SignatureVersion 1.0, HMAC-SHA1) of ``params`` without ``Signature``."""
    canonical = "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{_percent('/')}&{_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def aliyun_sms_params(config, phone: str, message: Message, now: datetime | None = None,
                      nonce: str | None = None) -> dict[str, str]:
    """The signed form of a SendSms request. Template variables: ``title`` (at most 35 characters,
    the provider's limit for a variable) and ``url``."""
    now = now or datetime.now(timezone.utc)
    params = {
        "AccessKeyId": config["SMS_ACCESS_KEY_ID"],
        "Action": "SendSms",
        "Format": "JSON",
        "PhoneNumbers": phone,
        "RegionId": config.get("SMS_REGION") or "cn-hangzhou",
        "SignName": config["SMS_SIGN_NAME"],
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce or uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "TemplateCode": config["SMS_TEMPLATE_CODE"],
        "TemplateParam": json.dumps({"title": message.title[:35], "url": message.url}, ensure_ascii=False,
                                    separators=(",", ":")),
        "Timestamp": now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
    }
    params["Signature"] = aliyun_signature(params, config["SMS_ACCESS_KEY_SECRET"])
    return params


# The provider's codes that will not get better by retrying.
SMS_PERMANENT = {"isv.MOBILE_NUMBER_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL",
                 "isv.TEMPLATE_MISSING_PARAMETERS", "InvalidAccessKeyId.NotFound", "SignatureDoesNotMatch",
                 "isv.BLACK_KEY_CONTROL_LIMIT"}


def send_sms(config, phone: str, message: Message) -> str:
    body = urllib.parse.urlencode(aliyun_sms_params(config, phone, message)).encode()
    request = urllib.request.Request(config["SMS_ENDPOINT"], data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=config.get("SMS_TIMEOUT", 10)) as response:  # nosec B310 - the configured SMS provider endpoint, not user input
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        answer = _json_or_none(exc)
        if answer is None:
            raise DeliveryError(f"SMS HTTP {exc.code}", permanent=400 <= exc.code < 500 and exc.code != 429) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DeliveryError(f"SMS: {type(exc).__name__}: {exc}") from None
    code = str(answer.get("Code"))
    if code != "OK":
        raise DeliveryError(f"SMS {code}: {answer.get('Message', '')}", permanent=code in SMS_PERMANENT)
    return str(answer.get("BizId") or answer.get("RequestId") or "")[:64]


def _json_or_none(exc: urllib.error.HTTPError):
    try:
        return json.loads(exc.read().decode("utf-8"))
    except (ValueError, OSError):
        return None


# ------------------------------------------------------------------------------------- Web Push

def send_push(config, subscription: dict, message: Message) -> str:
    try:
        from pywebpush import WebPushException, webpush
    except ImportError:  # pragma: no cover - pinned in requirements.txt
        raise DeliveryError("pywebpush is not installed", permanent=True) from None
    endpoint = subscription["endpoint"]
    audience = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(endpoint))
    try:
        response = webpush(subscription_info=subscription,
                           data=json.dumps({"title": message.title, "url": message.url}, ensure_ascii=False),
                           vapid_private_key=config["VAPID_PRIVATE_KEY"],
                           vapid_claims={"sub": config["VAPID_SUBJECT"], "aud": audience}, ttl=86400,
                           timeout=10)
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        # 404/410: the subscription is gone (app uninstalled); do not retry it
        raise DeliveryError(f"Push: {status or ''} {exc.message}"[:255], permanent=status in (404, 410)) from None
    except Exception as exc:  # noqa: BLE001 - network errors of requests; retried
        raise DeliveryError(f"Push: {type(exc).__name__}: {exc}") from None
    return str(getattr(response, "status_code", ""))
