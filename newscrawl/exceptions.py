"""Typed refusals, and the reason of every failed download.

A request the crawl declines raises a :class:`Refusal`, an
:class:`~scrapy.exceptions.IgnoreRequest` that carries a ``reason``: Scrapy hands it to the
request's errback like any ``IgnoreRequest``, and the errback reads the reason from the type,
never from the message. Two families:

* :class:`Refused`: the page is not taken, and an article request becomes a reject with the
  reason (``offsite``, ``offsite_redirect``, ``redirect_loop``, ``trap``,
  ``robots_disallowed``, ``too_large``, ``js_unavailable``);
* :class:`Skipped`: not sent on purpose (the incremental policy: ``skipped``,
  ``not_modified``); no reject, the state keeps the article.

:func:`download_reject` gives the rejects-feed reason of any failed article download:
a refusal's own, ``http_<status>`` for an HTTP error, or the short name of a download exception
(:func:`failure_reason`: ``timeout``, ``connection_lost``, …).

This module imports only Scrapy, Twisted and :mod:`newscrawl.meta`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer, error
from twisted.web.client import ResponseFailed

from newscrawl.meta import DECISION_META


class Refusal(IgnoreRequest):
    """A request declined on purpose; ``reason`` names why, ``detail`` is for a human."""

    reason: ClassVar[str] = "refused"

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{self.reason}: {detail}" if detail else self.reason)
        self.detail = detail


class Refused(Refusal):
    """Not taken: an article request refused this way is a reject with ``reason``."""


class Offsite(Refused):
    """A request to a host (and port) that is not one of the site's."""

    reason = "offsite"


class OffsiteRedirect(Refused):
    """A redirect to a host (and port) that is not one of the site's."""

    reason = "offsite_redirect"


class RedirectLoop(Refused):
    """A redirect back to a URL of its own chain, or past ``REDIRECT_MAX_TIMES``."""

    reason = "redirect_loop"


class Trap(Refused):
    """A URL of an endless space: calendar, search, session parameters, deep paging."""

    reason = "trap"


class RobotsDisallowed(Refused):
    """A URL that robots.txt disallows."""

    reason = "robots_disallowed"


class TooLarge(Refused):
    """A body over ``DOWNLOAD_MAXSIZE``, decompressed."""

    reason = "too_large"


class RenderingUnavailable(Refused):
    """A browser request while the browser cannot be started."""

    reason = "js_unavailable"


class Skipped(Refusal):
    """Not sent on purpose: nothing suggests the article changed. Never a reject."""

    reason = "skipped"


class NotModified(Skipped):
    """A conditional request the server answered 304 Not Modified."""

    reason = "not_modified"


_FAILURE_REASONS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, error.TimeoutError, defer.TimeoutError), "timeout"),
    ((ResponseDataLossError, ResponseFailed, error.ConnectionLost, error.ConnectionDone),
     "connection_lost"),
    ((DownloadConnectionRefusedError, error.ConnectionRefusedError), "connection_refused"),
    ((CannotResolveHostError, error.DNSLookupError), "dns_error"),
    # Scrapy's HTTP handlers raise it for a body over DOWNLOAD_MAXSIZE (declared or received);
    # its other cause, a download cancelled from outside, is nothing this project does.
    ((DownloadCancelledError,), "too_large"),
)


def failure_reason(exception: BaseException) -> str:
    """A short, stable name for a download exception, by its type or the type of what it
    wraps (``timeout``, ``connection_lost``, ``connection_refused``, ``dns_error``,
    ``too_large``; else ``download_error``)."""
    cause: BaseException | None = exception
    for _ in range(5):  # Scrapy wraps Twisted's errors (``raise … from``): look inside
        if cause is None:
            break
        for types, reason in _FAILURE_REASONS:
            if isinstance(cause, types):
                return reason
        cause = cause.__cause__ or cause.__context__
    return "download_error"


def download_reject(exception: BaseException, meta: Mapping[str, Any]) -> tuple[str, str] | None:
    """(reason, detail) of a failed article download for the rejects feed, or None when the
    request was skipped on purpose.

    ``meta`` is the failed request's: a plain ``IgnoreRequest`` of a request the incremental
    policy decided to skip or ask conditionally is taken as that policy's (another component
    may have raised it for that request); any other plain ``IgnoreRequest`` is a reject
    ``ignored``, never a silent loss.
    """
    if isinstance(exception, Skipped):
        return None
    if isinstance(exception, Refusal):
        return exception.reason, exception.detail
    if isinstance(exception, HttpError):
        status = exception.response.status
        return f"http_{status}", f"HTTP {status}"
    if isinstance(exception, IgnoreRequest):
        if meta.get(DECISION_META) in ("skip", "conditional"):
            return None
        return "ignored", f"{type(exception).__name__}: {exception}"
    return failure_reason(exception), f"{type(exception).__name__}: {exception}"
