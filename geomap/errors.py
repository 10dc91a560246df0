"""One exception root for geomap.

Every error the user can cause carries a message key and its arguments, so the CLI can
say what went wrong and what to do in Japanese (default) or English, with no traceback.
"""

from __future__ import annotations


class GeomapError(Exception):
    """Root of all geomap errors.

    Parameters
    ----------
    message : str
        English text, used when the error is printed as a plain exception.
    key : str, optional
        Message key in :mod:`geomap.messages` for the translated, user-facing text.
    **params
        Values substituted into the message.
    """

    exit_code = 1

    def __init__(self, message: str = "", *, key: str | None = None, **params):
        super().__init__(message or key or self.__class__.__name__)
        self.key = key
        self.params = params


class InputError(GeomapError, ValueError):
    """The user's data cannot be used as it is (exit code 1)."""


class UsageError(GeomapError, ValueError):
    """An option or argument is wrong (exit code 2)."""

    exit_code = 2


class OutputError(GeomapError, OSError):
    """An output cannot be written (exit code 1)."""


class DataError(GeomapError, RuntimeError):
    """The embedded data is missing or damaged (reinstall geomap)."""


class GeocoderServiceError(GeomapError, RuntimeError):
    """An online geocoding service failed."""


class GeocoderTimedOut(GeocoderServiceError, TimeoutError):
    """An online geocoding service did not answer in time."""


class GeocoderUnavailable(GeocoderServiceError, ConnectionError):
    """An online geocoding service could not be reached or kept failing (5xx)."""


class GeocoderRateLimited(GeocoderServiceError):
    """An online geocoding service asked us to slow down (HTTP 429).

    ``retry_after`` is the number of seconds the service asked for, or None.
    """

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class GeocoderParseError(GeocoderServiceError, ValueError):
    """An online geocoding service answered something that is not the expected JSON."""
