"""HTTP transport of the online adapters: session, deadlines, size cap, retries, rate limit.

An online adapter derives from :class:`HTTPGeocoder` and asks for a reply with
:meth:`HTTPGeocoder._get_json`; everything about the wire is here:

- **A total deadline per request** (``timeout``): connection, headers and body together.
  A server that drips a few bytes at a time cannot hold a request longer: when the time
  is up, the request's socket is shut down, whatever phase it is in.
- **A deadline per run** (``run_timeout``), started by :meth:`HTTPGeocoder.start_run`:
  when it is spent, nothing more is sent and no retry waits past it.
- **A cap on the size of a reply** (``max_reply_bytes``, 1 MiB): a longer one is refused,
  unread, as that request's failure.
- **Replies decoded defensively**: not UTF-8, not JSON, ``NaN``, or nested too deeply to
  decode is a bad reply (:class:`~geomap.errors.GeocoderParseError`), never a crash.
- **Retries** after a connection error, HTTP 5xx or 429, with doubling backoff and the
  service's ``Retry-After``; **a rate limit** (:class:`RateLimiter`) on every request.

Failures are raised as :mod:`geomap.errors` ``Geocoder*`` errors carrying a message key;
the adapter turns them into the failed row's ``error``.
"""

from __future__ import annotations

import json
import logging
import math
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache

from .._version import __version__
from ..errors import (
    GeocoderParseError,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
    UsageError,
)
from .base import Geocoder

log = logging.getLogger("geomap.geocoders")

#: Default cap on the size of one reply, in bytes (after any Content-Encoding is undone).
MAX_REPLY_BYTES = 1024 * 1024
_CHUNK = 16 * 1024
#: With ``run_timeout=None``, a run may take this long plus, per request, the rate limit's
#: interval and one full ``timeout``: more than a healthy run ever needs.
RUN_SLACK = 60.0


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def decode_json(body: bytes):
    """``body`` as JSON, or :class:`~geomap.errors.GeocoderParseError` (key ``geocoder_bad_reply``).

    Not UTF-8, not JSON, the non-standard ``NaN``/``Infinity``, and nesting too deep for
    the decoder (RecursionError) are all a bad reply.
    """

    def refuse(name):
        raise ValueError(f"{name} is not JSON")

    try:
        return json.loads(body.decode("utf-8-sig"), parse_constant=refuse)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise GeocoderParseError(
            f"the reply is not JSON ({type(exc).__name__})", key="geocoder_bad_reply"
        ) from None


class RateLimiter:
    """At most one call per ``min_interval`` seconds: call :meth:`wait` before each request.

    ``clock`` (default :func:`time.monotonic`) and ``sleep`` (default :func:`time.sleep`)
    can be replaced, so tests run without waiting.
    """

    def __init__(
        self,
        min_interval: float,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ):
        self.min_interval = float(min_interval)
        self.clock = clock or time.monotonic
        self.sleep = sleep or time.sleep
        self._last: float | None = None

    def wait(self) -> float:
        """Sleep until the next call is allowed; return the seconds slept."""
        slept = 0.0
        now = self.clock()
        if self._last is not None:
            slept = self._last + self.min_interval - now
            if slept > 0:
                self.sleep(slept)
                now = self.clock()
            else:
                slept = 0.0
        self._last = now
        return slept


# -- the total deadline of one request ---------------------------------------------------

_current = threading.local()


def _shut(connection) -> None:
    """Shut a connection's socket down, so a read blocked on it returns at once."""
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's, under any TLS layer
    except (OSError, ValueError, TypeError):
        pass


class Deadline:
    """The time one request may take in all; its connections are shut when it is up.

    Used as a context manager around a request made through a session from
    :func:`make_session`: the connections that request opens or reuses register
    themselves, and a timer shuts their sockets down when ``seconds`` have passed. A
    blocked read then ends with an error, which the caller sees as :attr:`expired`.
    """

    def __init__(self, seconds: float):
        self.seconds = float(seconds)
        self.end = time.monotonic() + self.seconds
        self.expired = False
        self._connections: list = []
        self._lock = threading.Lock()
        self._done = False
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._previous = None

    def left(self) -> float:
        return self.end - time.monotonic()

    def watch(self, connection) -> None:
        with self._lock:
            if not self._done:
                self._connections.append(connection)
            expired = self.expired
        if expired:
            _shut(connection)

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)

    def __enter__(self) -> "Deadline":
        self._previous = getattr(_current, "deadline", None)
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()
        _current.deadline = self._previous


@lru_cache(maxsize=1)
def _deadline_adapter_class():
    """An ``HTTPAdapter`` whose connections join the current :class:`Deadline` (built once, on first use)."""
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Watched:
        def connect(self):
            deadline = getattr(_current, "deadline", None)
            if deadline is not None:
                deadline.watch(self)
            return super().connect()

        def request(self, *args, **kwargs):
            deadline = getattr(_current, "deadline", None)
            if deadline is not None:
                deadline.watch(self)
            return super().request(*args, **kwargs)

    class WatchedHTTPConnection(Watched, HTTPConnection):
        pass

    class WatchedHTTPSConnection(Watched, HTTPSConnection):
        pass

    class WatchedHTTPPool(HTTPConnectionPool):
        ConnectionCls = WatchedHTTPConnection

    class WatchedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = WatchedHTTPSConnection

    pools = {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}

    class DeadlineAdapter(HTTPAdapter):
        """Connections (direct or through an HTTP proxy) that a :class:`Deadline` can shut."""

        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

        def proxy_manager_for(self, proxy, **proxy_kwargs):
            manager = super().proxy_manager_for(proxy, **proxy_kwargs)
            if manager.pool_classes_by_scheme.get("http") is HTTPConnectionPool:  # not SOCKS
                manager.pool_classes_by_scheme = pools
            return manager

    return DeadlineAdapter


def make_session():
    """A ``requests.Session`` whose requests a :class:`Deadline` can cut short in any phase."""
    import requests

    session = requests.Session()
    adapter = _deadline_adapter_class()()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# -- the base of online adapters ---------------------------------------------------------


class HTTPGeocoder(Geocoder):
    """Base of online adapters: transport, deadlines, size cap, retries, rate limit.

    Subclasses build the request and read the reply through :meth:`_get_json`, and call
    :meth:`start_run` before sending the requests of one :meth:`geocode` call.

    Parameters
    ----------
    timeout : float
        Seconds one request may take in all: connecting, the answer's headers and its body
        (each retry gets its own).
    session : requests.Session, optional
        The transport: anything with ``get(url, params=, headers=, timeout=, stream=)``
        that returns a ``requests.Response``. By default one from :func:`make_session`;
        with a session of your own, ``timeout`` is checked between reads of the body only.
    requests_per_second : float
        Upper bound on the request rate, retries included.
    max_retries : int
        Further attempts after a connection error, HTTP 429 or HTTP 5xx.
    backoff : float
        Seconds before the first retry, doubled for each further one; a longer
        ``Retry-After`` from a 429 wins.
    max_retry_after : float
        A 429 asking to wait longer than this is not retried (the row fails as rate-limited).
    max_reply_bytes : int
        A reply longer than this is refused (the row fails with ``geocoder_too_large``).
    run_timeout : float, optional
        Seconds one :meth:`geocode` call may spend on the service; addresses left when it
        is spent are not sent (``geocoder_out_of_time``). By default :data:`RUN_SLACK`
        plus, per address to send, the rate limit's interval and one ``timeout``.
    clock, sleep : callable, optional
        Replace :func:`time.monotonic` and :func:`time.sleep` (tests); the run deadline
        and the waits between requests use them.
    user_agent : str, optional
        Sent as ``User-Agent``; ``geomap/<version>`` by default.
    """

    online = True

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        session=None,
        requests_per_second: float = 1.0,
        max_retries: int = 2,
        backoff: float = 1.0,
        max_retry_after: float = 60.0,
        max_reply_bytes: int = MAX_REPLY_BYTES,
        run_timeout: float | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        user_agent: str | None = None,
    ):
        positive = {"timeout": timeout, "requests_per_second": requests_per_second,
                    "max_reply_bytes": max_reply_bytes, "run_timeout": 1 if run_timeout is None else run_timeout}
        not_negative = {"max_retries": max_retries, "backoff": backoff, "max_retry_after": max_retry_after}
        for option, value in {**positive, **not_negative}.items():
            if not (_positive(value) or (option in not_negative and value == 0)):
                raise UsageError(f"{option} must be a positive number, not {value!r}", key="invalid_option",
                                 option=option, value=value)
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self.backoff = float(backoff)
        self.max_retry_after = float(max_retry_after)
        self.max_reply_bytes = int(max_reply_bytes)
        self.run_timeout = None if run_timeout is None else float(run_timeout)
        self.limiter = RateLimiter(1.0 / requests_per_second, clock=clock, sleep=sleep)
        self.clock = self.limiter.clock
        self.user_agent = user_agent or f"geomap/{__version__}"
        self.session = session if session is not None else make_session()
        self._run_end: float | None = None

    # -- the run's deadline --------------------------------------------------------------
    def start_run(self, requests: int) -> None:
        """Start the deadline of one run that will send up to ``requests`` requests."""
        budget = self.run_timeout
        if budget is None:
            budget = RUN_SLACK + max(0, requests) * (self.limiter.min_interval + self.timeout)
        self._run_end = self.clock() + budget

    def run_left(self) -> float:
        """Seconds left of the run's deadline (infinite before :meth:`start_run`)."""
        return math.inf if self._run_end is None else self._run_end - self.clock()

    # -- errors --------------------------------------------------------------------------
    def _error(self, cls, text: str, key: str, **params) -> GeocoderServiceError:
        return cls(f"{self.name}: {text}", key=key, service=self.name, **params)

    def _timed_out(self, cause: BaseException | None = None) -> GeocoderTimedOut:
        error = self._error(
            GeocoderTimedOut, f"no answer within {self.timeout:g}s", "geocoder_timed_out", timeout=f"{self.timeout:g}"
        )
        error.__cause__ = cause
        return error

    def out_of_time(self) -> GeocoderTimedOut:
        """The error of a request the run's deadline leaves no time for."""
        return self._error(GeocoderTimedOut, "the run's time limit is spent", "geocoder_out_of_time")

    # -- one request ---------------------------------------------------------------------
    def _get_json(self, url: str, params: dict):
        """GET ``url`` and return its decoded JSON, retrying what is worth retrying.

        Raises
        ------
        geomap.errors.GeocoderTimedOut
            No complete answer within ``timeout`` (not retried: a slow service stays slow),
            or the run's deadline is spent (key ``geocoder_out_of_time``).
        geomap.errors.GeocoderUnavailable
            Connection errors or HTTP 5xx, after ``max_retries`` retries.
        geomap.errors.GeocoderRateLimited
            HTTP 429 after the retries, or one asking to wait more than ``max_retry_after``.
        geomap.errors.GeocoderParseError
            The reply is not JSON (``geocoder_bad_reply``) or longer than
            ``max_reply_bytes`` (``geocoder_too_large``).
        geomap.errors.GeocoderServiceError
            Any other HTTP error status.
        """
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        attempt = 0
        while True:
            if self.run_left() <= 0:
                raise self.out_of_time()
            self.limiter.wait()
            reply, error, retry_after = self._attempt(url, params, headers)
            if error is None:
                return reply
            if attempt >= self.max_retries or (retry_after or 0) > self.max_retry_after:
                raise error
            delay = max(self.backoff * 2**attempt, retry_after or 0.0)
            if delay >= self.run_left():
                raise error
            log.debug("%s; retrying in %.1fs", error, delay)  # the error names the service
            self.limiter.sleep(delay)
            attempt += 1

    def _attempt(self, url: str, params: dict, headers: dict):
        """One request: ``(reply, None, None)``, or ``(None, error, retry_after)`` for what may be retried.

        Errors not worth a retry are raised.
        """
        import requests
        from urllib3.exceptions import ReadTimeoutError

        seconds = min(self.timeout, self.run_left())
        if seconds <= 0:
            raise self.out_of_time()
        with Deadline(seconds) as deadline:
            try:
                response = self.session.get(
                    url, params=params, headers=headers, timeout=(seconds, seconds), stream=True
                )
            except requests.exceptions.ConnectTimeout as exc:
                if deadline.expired:
                    raise self._timed_out(exc) from exc
                return None, self._timed_out(exc), None  # retried: the next connection may succeed
            except requests.exceptions.ConnectionError as exc:
                if deadline.expired or (exc.args and isinstance(exc.args[0], ReadTimeoutError)):
                    raise self._timed_out(exc) from exc
                error = self._error(GeocoderUnavailable, f"cannot connect ({type(exc).__name__})", "geocoder_unavailable")
                error.__cause__ = exc
                return None, error, None
            except requests.exceptions.Timeout as exc:
                raise self._timed_out(exc) from exc
            except (requests.exceptions.RequestException, OSError) as exc:
                if deadline.expired:
                    raise self._timed_out(exc) from exc
                raise self._error(GeocoderServiceError, f"request failed ({type(exc).__name__})", "geocoder_failed") from exc
            try:
                return self._read(response, deadline)
            finally:
                response.close()

    def _read(self, response, deadline: Deadline):
        import requests

        status = response.status_code
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            error = self._error(GeocoderRateLimited, "HTTP 429 too many requests", "geocoder_rate_limited",
                                retry_after=retry_after)
            return None, error, retry_after
        if status >= 500:
            return None, self._error(GeocoderUnavailable, f"HTTP {status}", "geocoder_unavailable", status=status), None
        if not 200 <= status < 300:
            raise self._error(GeocoderServiceError, f"HTTP {status}", "geocoder_http_error", status=status)
        try:
            body = self._body(response, deadline)
        except (requests.exceptions.RequestException, OSError) as exc:
            if deadline.expired:
                raise self._timed_out(exc) from exc
            if isinstance(exc, requests.exceptions.ContentDecodingError):
                raise self._error(GeocoderParseError, "the reply cannot be decoded", "geocoder_bad_reply") from exc
            error = self._error(GeocoderUnavailable, f"the reply broke off ({type(exc).__name__})", "geocoder_unavailable")
            error.__cause__ = exc
            return None, error, None
        try:
            return decode_json(body), None, None
        except GeocoderParseError as exc:
            raise self._error(GeocoderParseError, f"HTTP {status} reply is not JSON", "geocoder_bad_reply") from exc

    def _body(self, response, deadline: Deadline) -> bytes:
        """The reply's body, at most ``max_reply_bytes``, read before the deadline."""
        limit = self.max_reply_bytes
        length = str(response.headers.get("Content-Length", "")).strip()
        if length.isdigit() and int(length) > limit:
            raise self._too_large()
        data = bytearray()
        for chunk in response.iter_content(_CHUNK):
            data += chunk
            if len(data) > limit:
                raise self._too_large()
            if deadline.left() <= 0:  # a session of the caller's own cannot be cut short
                raise self._timed_out()
        return bytes(data)

    def _too_large(self) -> GeocoderParseError:
        return self._error(GeocoderParseError, f"the reply is over {self.max_reply_bytes:,} bytes",
                           "geocoder_too_large", limit=_size(self.max_reply_bytes))

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()


def _positive(value) -> bool:
    try:
        return not isinstance(value, bool) and float(value) > 0 and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _size(n: int) -> str:
    return f"{n / 2**20:g} MB" if n >= 2**20 else f"{n:,} B"


__all__ = ["MAX_REPLY_BYTES", "Deadline", "HTTPGeocoder", "RateLimiter", "decode_json", "make_session", "parse_retry_after"]
