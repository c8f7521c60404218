"""Xiangban (相伴): care for rural left-behind children and children in difficulty.

The package root stays import-light on purpose: ``python -m app.matching`` must not
pay for Flask, SQLAlchemy and WeasyPrint. The application factory lives in
:mod:`app.factory` and is imported only when an app is created.
"""


def create_app(config=None, *, routes=True):
    """Create the Flask application (see :func:`app.factory.create_app`)."""
    from app.factory import create_app as _create_app

    return _create_app(config, routes=routes)
