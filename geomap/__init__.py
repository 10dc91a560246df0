"""geomap: Japanese address lists to maps, offline.

The public API is re-exported here; implementation lives in private modules.
"""

import logging

__version__ = "0.1.0"

from .errors import GeomapError  # noqa: E402
from .geocoding import geocode, geocode_frame  # noqa: E402
from .sources import attribution, info, sources  # noqa: E402

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["GeomapError", "attribution", "geocode", "geocode_frame", "info", "sources", "__version__"]
