"""URLs given by outside systems: refuse those that carry credentials, and redact them when shown."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

CREDENTIAL_WORDS = ("token", "key", "secret", "password", "passwd", "pwd", "auth", "sig", "signature", "code")


def credential_in(url: str) -> str | None:
    """Return why a URL carries a credential (user info, or a query parameter named like one), or None."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        return "the URL carries a user name or password"
    for name, _value in parse_qsl(parts.query, keep_blank_values=True):
        if any(word in name.lower() for word in CREDENTIAL_WORDS):
            return f"the URL's query parameter {name!r} looks like a credential"
    return None


def redacted(url: str) -> str:
    """Return a URL fit for logs and screens: no user info, every query value replaced by ***."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    query = urlencode([(name, "***") for name, _ in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def scrubbed(text: str, url: str) -> str:
    """Return a message (an HTTP client's error) with the URL, its path and query redacted."""
    parts = urlsplit(url)
    clean = urlsplit(redacted(url))
    for secret, shown in (
        (url, redacted(url)),
        (f"{parts.path}?{parts.query}", f"{clean.path}?{clean.query}"),
        (parts.query, clean.query),
    ):
        if secret and secret != shown:
            text = text.replace(secret, shown)
    return text
