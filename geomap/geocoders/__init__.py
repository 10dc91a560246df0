"""Geocoder adapters behind one contract, and the table of their names.

``offline`` (the default) sends nothing; ``gsi`` sends addresses to the 国土地理院 address
search and runs only when asked for by name; ``offline+gsi`` sends only what the embedded
index cannot place at town level.

The package is layered, without an import cycle:

- :mod:`~geomap.geocoders.base`: the adapter contract (:class:`Geocoder`, result columns);
- :mod:`~geomap.geocoders.http`: the transport of online adapters (session, deadlines,
  size cap, retries, ``Retry-After``, rate limit);
- :mod:`~geomap.geocoders.index`, :mod:`~geomap.geocoders.offline`: the embedded index and
  its matcher; :mod:`~geomap.geocoders.cache`: the answers of online services;
- :mod:`~geomap.geocoders.gsi`, :mod:`~geomap.geocoders.combined`: the online adapter and
  the chain;
- this module: the name table :data:`GEOCODERS` and :func:`get_geocoder`.
"""

from __future__ import annotations

import inspect

from ..errors import UsageError
from .base import ERROR_COLUMN, RESULT_COLUMNS, Geocoder, empty_result
from .cache import cache_info, clear_cache
from .combined import CombinedGeocoder
from .gsi import GsiGeocoder
from .http import HTTPGeocoder, RateLimiter
from .offline import OfflineGeocoder

#: Adapter name → class; names joined by ``+`` make a chain (:func:`get_geocoder`).
GEOCODERS: dict[str, type[Geocoder]] = {
    "offline": OfflineGeocoder,
    "gsi": GsiGeocoder,
}


def register(cls: type[Geocoder]) -> type[Geocoder]:
    """Add an adapter to :data:`GEOCODERS` under ``cls.name`` (usable as a class decorator).

    Names are lower-case words without ``+`` (which joins names into a combined geocoder),
    and a name already taken by another class is refused.
    """
    name = cls.name
    if not name or "+" in name or name != name.strip().lower():
        raise UsageError(f"bad geocoder name {name!r}", key="bad_geocoder_name", name=name)
    if GEOCODERS.get(name, cls) is not cls:
        raise UsageError(f"geocoder name {name!r} is taken", key="bad_geocoder_name", name=name)
    GEOCODERS[name] = cls
    return cls


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


__all__ = [
    "ERROR_COLUMN",
    "GEOCODERS",
    "RESULT_COLUMNS",
    "CombinedGeocoder",
    "Geocoder",
    "GsiGeocoder",
    "HTTPGeocoder",
    "OfflineGeocoder",
    "RateLimiter",
    "cache_info",
    "clear_cache",
    "empty_result",
    "get_geocoder",
    "register",
]
