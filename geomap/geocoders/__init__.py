"""Geocoder adapters behind one contract (see :mod:`geomap.geocoders.base`).

``offline`` (the default) sends nothing; ``gsi`` sends addresses to the 国土地理院 address
search and runs only when asked for by name; ``offline+gsi`` sends only what the embedded
index cannot place at town level.
"""

from .base import (
    ERROR_COLUMN,
    GEOCODERS,
    RESULT_COLUMNS,
    Geocoder,
    HTTPGeocoder,
    RateLimiter,
    get_geocoder,
    register,
)
from .cache import cache_info, clear_cache
from .combined import CombinedGeocoder
from .gsi import GsiGeocoder
from .offline import OfflineGeocoder

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
    "get_geocoder",
    "register",
]
