"""What a map is asked to show: one frozen :class:`MapOptions`, checked once.

This module is the only home of the options' allowed values (:data:`BY`, :data:`AGG`,
:data:`TILES`, :data:`CLASSIFICATIONS`, :data:`POPUP_ADDRESS`; the languages are :data:`geomap.messages.LANGS`)
and of the rules between them, with their error keys. :func:`geomap.maps.make_map`,
:func:`geomap.maps.save_image`, :func:`geomap.render` and ``geomap render`` all build a
``MapOptions`` (from a ``MapOptions``, from keywords, or both) and so all refuse the same
things with the same keys: ``bad_choice``, ``bad_k``, ``bad_breaks``, ``breaks_required``,
``min_count_invalid``, ``nothing_to_draw``, ``value_required``.

It imports nothing heavy, so the command line can read the allowed values without loading
the map libraries.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import numbers
from dataclasses import dataclass, field

from ..errors import UsageError
from ..messages import LANGS

#: Area levels of the embedded boundaries (:func:`geomap.aggregate`'s ``by``).
AREA_LEVELS = ("prefecture", "municipality", "town")
#: ``by``: areas to colour; ``auto`` decides from the data, ``none`` draws points only.
BY = ("auto", *AREA_LEVELS, "none")
#: ``agg``: the measure per area.
AGG = ("count", "sum", "mean")
#: ``tiles``: the base layer shown first in the HTML map (a PNG/PDF never has tiles).
TILES = ("gsi", "gsi-pale", "osm", "none")
#: ``classification``: how the choropleth's classes are cut (``user``: the given ``breaks``).
CLASSIFICATIONS = ("quantiles", "natural_breaks", "equal_interval", "user")
#: ``k``: the smallest and largest number of classes.
K_RANGE = (2, 9)
#: ``popup_address``: how much of the address a point's popup shows (``town``: down to the
#: 大字・町丁目 the row was placed at; ``full``: the address as written, with 番地).
POPUP_ADDRESS = ("town", "full")
#: ``min_count`` a list of persons gets when none is given (see :func:`geomap.columns.personal_columns`).
PERSONAL_MIN_COUNT = 3


def check_choice(option: str, value, choices) -> None:
    """Refuse ``value`` unless it is one of ``choices`` (``bad_choice``, naming ``option``).

    The one check of an option with a fixed list of values, for the whole package.
    """
    if value in choices:
        return
    raise UsageError(
        f"{option}={value!r}; expected one of {list(choices)!r}",
        key="bad_choice",
        option=option,
        value=str(value),
        choices=", ".join(choices),
    )


def _whole(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


@dataclass(frozen=True)
class MapOptions:
    """The options of one map, checked when made; the same for HTML, PNG and PDF.

    Every field is a keyword of :func:`geomap.maps.make_map`, which documents it. Make one
    with keywords (``MapOptions(by="town", min_count=3)``) and change one with
    :meth:`replace`; both check the result, raising :class:`~geomap.errors.UsageError`
    (keys listed in :mod:`geomap.maps.options`). ``breaks`` become sorted floats and
    imply ``classification="user"``; ``address`` becomes a tuple of column names.
    ``tiles`` and ``cluster`` only concern the HTML map. ``points`` and ``min_count`` left
    as None are decided from the list when the map is built: a list whose headers look
    personal (:func:`geomap.columns.personal_columns`) gets no points and
    ``min_count=3``; any other list gets points and no minimum.

    Examples
    --------
    >>> from geomap.maps import MapOptions
    >>> options = MapOptions(by="town", min_count=3, breaks=[10, 5])
    >>> options.classification, options.breaks
    ('user', (5.0, 10.0))
    >>> options.replace(lang="en").lang
    'en'
    """

    by: str = "auto"
    value: str | None = None
    agg: str = "count"
    category: str | None = None
    name: str | None = None
    address: str | tuple | None = None
    title: str | None = None
    tiles: str = "gsi"
    boundaries: object = field(default=None, compare=False)
    boundary_key: str | None = None
    boundary_name: str | None = None
    min_count: int | None = None
    points: bool | None = None
    popup_address: str = "town"
    classification: str = "quantiles"
    k: int = 5
    breaks: tuple | None = None
    lang: str = "ja"
    unit: str | None = None
    cluster: bool | None = None
    lat: str = "lat"
    lon: str = "lon"

    def __post_init__(self):
        check_choice("by", self.by, BY)
        check_choice("agg", self.agg, AGG)
        check_choice("tiles", self.tiles, TILES)
        if self.breaks is not None:
            object.__setattr__(self, "classification", "user")
        check_choice("classification", self.classification, CLASSIFICATIONS)
        check_choice("lang", self.lang, LANGS)
        check_choice("popup_address", self.popup_address, POPUP_ADDRESS)
        if self.points is not None and not isinstance(self.points, bool):
            object.__setattr__(self, "points", bool(self.points))
        if self.classification == "user" and not self.breaks:
            raise UsageError("classification='user' needs breaks", key="breaks_required")
        if self.breaks is not None:
            object.__setattr__(self, "breaks", _breaks(self.breaks))
        if not _whole(self.k) or not K_RANGE[0] <= self.k <= K_RANGE[1]:
            raise UsageError(f"k must be an integer from 2 to 9, got {self.k!r}", key="bad_k", value=str(self.k))
        object.__setattr__(self, "k", int(self.k))
        if self.min_count is not None:
            if not _whole(self.min_count) or self.min_count < 1:
                raise UsageError(f"min_count must be a whole number >= 1, not {self.min_count!r}",
                                 key="min_count_invalid", value=str(self.min_count))
            object.__setattr__(self, "min_count", int(self.min_count))
        if self.by == "none" and self.points is False:
            raise UsageError("by='none' with points=False leaves nothing to draw", key="nothing_to_draw")
        if self.agg != "count" and self.value is None:
            raise UsageError(f"agg={self.agg!r} needs a value column", key="value_required", agg=self.agg)
        if self.address is not None and not isinstance(self.address, str):
            object.__setattr__(self, "address", tuple(self.address) or None)

    def replace(self, **changes) -> MapOptions:
        """A copy with ``changes``, checked like a new one."""
        return dataclasses.replace(self, **changes) if changes else self

    @property
    def address_columns(self) -> list:
        """The address column(s) named, as a list (empty when none is)."""
        if self.address is None:
            return []
        return [self.address] if isinstance(self.address, str) else list(self.address)


def _breaks(breaks) -> tuple[float, ...]:
    """Class breaks as sorted finite floats; text, inf and NaN are refused (``bad_breaks``)."""
    try:
        values = [float(b) for b in breaks]
    except (TypeError, ValueError):
        values = []
    if not values or not all(math.isfinite(v) for v in values):
        shown = ",".join(map(str, breaks)) if isinstance(breaks, (list, tuple)) else str(breaks)
        raise UsageError(f"breaks must be finite numbers, got {breaks!r}", key="bad_breaks", value=shown)
    return tuple(sorted(values))


FIELDS = tuple(f.name for f in dataclasses.fields(MapOptions))


def map_options(options: MapOptions | None = None, /, **keywords) -> MapOptions:
    """``options`` with ``keywords`` in place of its values (``MapOptions(**keywords)`` without).

    What every map function does with its ``options`` argument and its keywords. A keyword
    that is not an option is a ``TypeError``, as for any Python function.
    """
    if options is None:
        return MapOptions(**keywords)
    if not isinstance(options, MapOptions):
        raise TypeError(f"options must be a MapOptions, not {type(options).__name__}")
    return options.replace(**keywords)


def option_keywords(func):
    """Show the fields of :class:`MapOptions` as keyword parameters in ``func``'s signature.

    For a function taking ``options=None, **keywords``: ``help()``, editors and notebooks
    then list every option with its default, and only those (see :func:`map_options`).
    """
    signature = inspect.signature(func)
    own = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    taken = {p.name for p in own}
    extra = [
        inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default)
        for f in dataclasses.fields(MapOptions)
        if f.name not in taken
    ]
    func.__signature__ = signature.replace(parameters=own + extra)
    return func


__all__ = ["AGG", "AREA_LEVELS", "BY", "CLASSIFICATIONS", "FIELDS", "K_RANGE", "MapOptions", "PERSONAL_MIN_COUNT",
           "POPUP_ADDRESS", "TILES", "check_choice", "map_options", "option_keywords"]
