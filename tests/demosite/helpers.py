"""Small HTTP helpers for the replica's tests (no redirects followed unless asked)."""

from __future__ import annotations

import http.client
from urllib.parse import urljoin, urlsplit


def fetch(url: str, headers: dict[str, str] | None = None,
          follow: bool = False) -> tuple[int, dict[str, str], bytes, str]:
    """(status, lower-cased headers, body, final URL)."""
    for _ in range(5):
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", target, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
        conn.close()
        if follow and resp.status in (301, 302) and "location" in hdrs:
            url = urljoin(url, hdrs["location"])
            continue
        return resp.status, hdrs, body, url
    raise AssertionError(f"too many redirects from {url}")
