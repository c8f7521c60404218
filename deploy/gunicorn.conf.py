"""Gunicorn settings for Xiangban behind a reverse proxy (see deploy/nginx/xiangban.conf).

Read by ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``; every value can be changed through the
environment named beside it, so the systemd unit and deploy/check.py share this one file.
"""
import multiprocessing
import os

bind = os.environ.get("XIANGBAN_BIND", "127.0.0.1:8000")
# PDF and Excel reports are built in the request below the background threshold: a few
# processes, not many (each holds WeasyPrint and a database pool).
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow for ever.
max_requests = 1000
max_requests_jitter = 100
# Only the local proxy may speak for the client; the app applies ProxyFix with PROXY_COUNT.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access log without query strings (they may hold search words) and with the request id the
# error pages show, so that a report from a user finds its line.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
access_log_format = '%({x-forwarded-for}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'
limit_request_line = 8190
proc_name = "xiangban"
