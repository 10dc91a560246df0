"""The geocoder adapter contract and the name → class table.

An adapter takes a sequence of addresses and returns a DataFrame with one row per input,
in the same order, with :data:`RESULT_COLUMNS`. A row never disappears: an address that
cannot be placed gets ``level`` 0 and NaN coordinates.

Levels: 0 nothing, 1 prefecture, 2 municipality (a ward of a designated city counts as a
municipality), 3 town (大字・町丁目), 4 小字 or finer.

Online adapters (``online = True``) derive from :class:`HTTPGeocoder`, which owns the
transport, the timeout, retries, the rate limit and the mapping of HTTP statuses to
:mod:`geomap.errors`; the adapter module only builds a request and reads the reply. Their
results carry one more column, :data:`ERROR_COLUMN` (``error``): empty when the service
answered, else the message key of what went wrong for that row (the row is then unplaced
or keeps what an earlier adapter found). Nothing is sent unless an online adapter is asked
for by name; :meth:`Geocoder.count_to_send` says beforehand how many addresses will go.
"""

from __future__ import annotations

import inspect
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import (
    GeocoderParseError,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
    UsageError,
)

log = logging.getLogger("geomap.geocoders")

RESULT_COLUMNS = [
    "lat",
    "lon",
    "level",
    "pref",
    "city",
    "town",
    "code",
    "matched",
    "rest",
    "ambiguous",
    "note",
    "source",
]

#: Extra column of online adapters: "" or the message key of the row's failure.
ERROR_COLUMN = "error"

LEVEL_NAMES = {
    "ja": {0: "未特定", 1: "都道府県", 2: "市区町村", 3: "町丁目・大字", 4: "小字・番地"},
    "en": {0: "not placed", 1: "prefecture", 2: "municipality", 3: "town", 4: "koaza or finer"},
}

GEOCODERS: dict[str, type["Geocoder"]] = {}


def register(cls: type["Geocoder"]) -> type["Geocoder"]:
    """Class decorator: add an adapter to :data:`GEOCODERS` under ``cls.name``.

    Names are lower-case words without ``+`` (which joins names into a combined geocoder).
    """
    name = cls.name
    if not name or "+" in name or name != name.strip().lower():
        raise UsageError(f"bad geocoder name {name!r}", key="bad_geocoder_name", name=name)
    if GEOCODERS.get(name, cls) is not cls:
        raise UsageError(f"geocoder name {name!r} is taken", key="bad_geocoder_name", name=name)
    GEOCODERS[name] = cls
    return cls


class Geocoder(ABC):
    """Base of every adapter.

    Subclasses set ``name`` and ``online`` (True when addresses leave the machine)
    and implement :meth:`geocode`.
    """

    name: str = ""
    online: bool = False

    @abstractmethod
    def geocode(self, addresses: Sequence) -> pd.DataFrame:
        """Geocode ``addresses``; one row per input, same order, :data:`RESULT_COLUMNS`."""

    def count_to_send(self, addresses: Sequence) -> dict[str, int]:
        """How many addresses :meth:`geocode` would send out, per online service name.

        The CLI prints this in one line before geocoding. Offline adapters send nothing
        and answer ``{}``.
        """
        return {}

    def endpoints(self) -> dict[str, str]:
        """Where each online service of this adapter sends addresses (name → URL); ``{}`` offline."""
        return {}


def empty_result(n: int, source: str = "") -> pd.DataFrame:
    """A result frame of ``n`` unplaced rows (level 0), to be filled in by an adapter."""
    return pd.DataFrame(
        {
            "lat": np.full(n, np.nan),
            "lon": np.full(n, np.nan),
            "level": np.zeros(n, dtype="int8"),
            "pref": [""] * n,
            "city": [""] * n,
            "town": [""] * n,
            "code": [""] * n,
            "matched": [""] * n,
            "rest": [""] * n,
            "ambiguous": [""] * n,
            "note": [""] * n,
            "source": [source] * n,
        },
        columns=RESULT_COLUMNS,
    )


def _lookup(name: str) -> type[Geocoder]:
    try:
        return GEOCODERS[name]
    except KeyError:
        raise UsageError(
            f"unknown geocoder {name!r}; expected one of {sorted(GEOCODERS)}",
            key="unknown_geocoder",
            name=name,
            choices=", ".join(sorted(GEOCODERS)),
        ) from None


def accepted_options(cls: type) -> set[str]:
    """Keyword names ``cls(...)`` accepts, following ``**kwargs`` up the class tree."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if "__init__" not in vars(klass):
            continue
        params = inspect.signature(klass.__init__).parameters.values()
        names.update(
            p.name for p in params if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        )
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            break
    return names


def get_geocoder(name: str = "offline", **options) -> Geocoder:
    """The adapter registered under ``name`` (``offline`` is the default and sends nothing).

    Names joined by ``+`` (``"offline+gsi"``) give a
    :class:`~geomap.geocoders.combined.CombinedGeocoder`: the first adapter sees every
    address, each later one only the rows still below town level. Each option goes to
    every adapter in the chain that accepts it.

    Raises
    ------
    geomap.errors.UsageError
        If no adapter has that name (the message lists the names there are), a name
        appears twice, or no adapter accepts one of ``options``.
    """
    from . import gsi, offline  # noqa: F401  (register the adapters)
    from .combined import CombinedGeocoder

    names = [part.strip().lower() for part in str(name).split("+")]
    classes = [_lookup(part) for part in names]
    if len(set(names)) != len(names):
        raise UsageError(f"geocoder {name!r} names an adapter twice", key="duplicate_geocoder", name=name)
    accepted = [accepted_options(cls) for cls in classes]
    unknown = sorted(set(options) - set().union(*accepted))
    if unknown:
        raise UsageError(
            f"geocoder {name!r} takes no option {unknown[0]!r}",
            key="unknown_geocoder_option",
            name=name,
            option=unknown[0],
        )
    parts = [cls(**{k: v for k, v in options.items() if k in ok}) for cls, ok in zip(classes, accepted)]
    return parts[0] if len(parts) == 1 else CombinedGeocoder(parts)


# -- online adapters ------------------------------------------------------------------


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


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


class HTTPGeocoder(Geocoder):
    """Base of online adapters: transport, timeout, retries, rate limit, status → error.

    Subclasses build the request and read the reply through :meth:`_get_json`.

    Parameters
    ----------
    timeout : float
        Seconds to wait on every request (for the connection and for each read).
    session : requests.Session, optional
        The transport: anything with ``get(url, params=, headers=, timeout=)`` that returns
        a ``requests.Response``. A new ``requests.Session`` by default.
    requests_per_second : float
        Upper bound on the request rate, retries included.
    max_retries : int
        Further attempts after a connection error, HTTP 429 or HTTP 5xx.
    backoff : float
        Seconds before the first retry, doubled for each further one; a longer
        ``Retry-After`` from a 429 wins.
    max_retry_after : float
        A 429 asking to wait longer than this is not retried (the row fails as rate-limited).
    clock, sleep : callable, optional
        Replace :func:`time.monotonic` and :func:`time.sleep` (tests).
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
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        user_agent: str | None = None,
    ):
        for option, value in (("timeout", timeout), ("requests_per_second", requests_per_second)):
            if not value or value <= 0:
                raise UsageError(
                    f"{option} must be a positive number, not {value!r}",
                    key="invalid_option",
                    option=option,
                    value=value,
                )
        if max_retries < 0 or backoff < 0:
            raise UsageError(
                f"max_retries and backoff must not be negative, not {max_retries!r}, {backoff!r}",
                key="invalid_option",
                option="max_retries" if max_retries < 0 else "backoff",
                value=max_retries if max_retries < 0 else backoff,
            )
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self.backoff = float(backoff)
        self.max_retry_after = float(max_retry_after)
        self.limiter = RateLimiter(1.0 / requests_per_second, clock=clock, sleep=sleep)
        self.user_agent = user_agent or f"geomap/{__version__}"
        if session is None:
            import requests

            session = requests.Session()
        self.session = session

    def _error(self, cls, text: str, key: str, **params) -> GeocoderServiceError:
        return cls(f"{self.name}: {text}", key=key, service=self.name, **params)

    def _timed_out(self, cause: BaseException) -> GeocoderTimedOut:
        error = self._error(GeocoderTimedOut, f"no answer within {self.timeout:g}s", "geocoder_timed_out", timeout=self.timeout)
        error.__cause__ = cause
        return error

    def _get_json(self, url: str, params: dict):
        """GET ``url`` and return its decoded JSON, retrying what is worth retrying.

        Raises
        ------
        geomap.errors.GeocoderTimedOut
            No answer within ``timeout`` (not retried: a slow service stays slow).
        geomap.errors.GeocoderUnavailable
            Connection errors or HTTP 5xx, after ``max_retries`` retries.
        geomap.errors.GeocoderRateLimited
            HTTP 429 after the retries, or one asking to wait more than ``max_retry_after``.
        geomap.errors.GeocoderParseError
            The reply is not JSON.
        geomap.errors.GeocoderServiceError
            Any other HTTP error status.
        """
        import requests
        from urllib3.exceptions import ReadTimeoutError

        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        attempt = 0
        while True:
            self.limiter.wait()
            retry_after = None
            try:
                response = self.session.get(url, params=params, headers=headers, timeout=self.timeout)
            except requests.exceptions.ConnectTimeout as exc:
                error = self._timed_out(exc)  # retried: the next connection may succeed
            except requests.exceptions.ConnectionError as exc:
                if exc.args and isinstance(exc.args[0], ReadTimeoutError):  # the body came too slowly
                    raise self._timed_out(exc) from exc
                error = self._error(GeocoderUnavailable, f"cannot connect ({type(exc).__name__})", "geocoder_unavailable")
                error.__cause__ = exc
            except requests.exceptions.Timeout as exc:
                raise self._timed_out(exc) from exc
            except requests.exceptions.RequestException as exc:
                raise self._error(GeocoderServiceError, f"request failed ({type(exc).__name__})", "geocoder_failed") from exc
            else:
                status = response.status_code
                if 200 <= status < 300:
                    try:
                        return response.json()
                    except ValueError as exc:
                        raise self._error(GeocoderParseError, f"HTTP {status} reply is not JSON", "geocoder_bad_reply") from exc
                if status == 429:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    error = self._error(
                        GeocoderRateLimited, "HTTP 429 too many requests", "geocoder_rate_limited", retry_after=retry_after
                    )
                elif status >= 500:
                    error = self._error(GeocoderUnavailable, f"HTTP {status}", "geocoder_unavailable", status=status)
                else:
                    raise self._error(GeocoderServiceError, f"HTTP {status}", "geocoder_http_error", status=status)
            if attempt >= self.max_retries or (retry_after or 0) > self.max_retry_after:
                raise error
            delay = max(self.backoff * 2**attempt, retry_after or 0.0)
            log.debug("%s: %s; retrying in %.1fs", self.name, error, delay)
            self.limiter.sleep(delay)
            attempt += 1

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()
