"""Geocoder adapters behind one contract (see :mod:`geomap.geocoders.base`)."""

from .base import GEOCODERS, RESULT_COLUMNS, Geocoder, get_geocoder, register

__all__ = ["GEOCODERS", "RESULT_COLUMNS", "Geocoder", "get_geocoder", "register"]
