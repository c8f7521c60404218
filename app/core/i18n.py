"""Translation helpers."""


def N_(text: str) -> str:
    """Mark ``text`` for extraction; it is translated where it is shown (``_(label)``)."""
    return text
