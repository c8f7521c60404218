"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``.

A ``flask --app wsgi`` command marked routeless (a roster import) gets an app without the
pages: importing every view cost each such command about a third of its start.
"""
import sys

from app import create_app
from app.factory import cli_needs_routes

app = create_app(routes=cli_needs_routes(sys.argv))
