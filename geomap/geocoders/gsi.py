"""The 国土地理院 address search (GSI), an online adapter used only when asked for by name.

``GET {url}?q=<address>`` answers a bare JSON array of GeoJSON-like features,
``{"geometry": {"coordinates": [lon, lat]}, "properties": {"title": "東京都…"}}``; an empty
array means no match. Each address in the list is sent as written (trimmed), once per
distinct normalized form, and answers are cached (:mod:`geomap.geocoders.cache`).

The service does not say how precise its answer is, so the level is judged by geomap's own
parse: the offline geocoder reads the answer's title and the query, and the answer counts
only as far as both agree (prefecture → municipality → town). A title that goes beyond the
town (a block number or 小字) gives level 4.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from urllib.parse import urlsplit

import pandas as pd

from ..errors import GeocoderParseError, GeocoderRateLimited, GeocoderServiceError, UsageError
from ..messages import message, row_error, service_name
from .base import ERROR_COLUMN, context_keywords, empty_result
from .cache import GeocodeCache, cache_key, cache_path
from .http import HTTPGeocoder
from .offline import OfflineGeocoder

log = logging.getLogger("geomap.geocoders")

DEFAULT_URL = "https://msearch.gsi.go.jp/address-search/AddressSearch"
SOURCE = "gsi"

#: Message key put in the ``error`` column of rows not sent because the service kept failing.
NOT_SENT = "geocoder_not_sent"
#: Message key of rows not sent because the run's time limit was spent.
OUT_OF_TIME = "geocoder_out_of_time"

#: Japan, with its farthest islands (沖ノ鳥島 20.4°N, 南鳥島 154.0°E, 与那国島 122.9°E,
#: 択捉島 45.6°N), as (south, north) and (west, east): an answer outside is not a place in Japan.
JAPAN_LAT = (20.0, 46.0)
JAPAN_LON = (122.0, 154.0)


def _bad(detail: str) -> GeocoderParseError:
    return GeocoderParseError(f"gsi: {detail}", key="geocoder_bad_reply", service=SOURCE)


def _point(lat, lon) -> tuple[float, float] | None:
    """``(lat, lon)`` when both are real numbers (not text, not booleans) inside Japan."""
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
        return None
    lat, lon = float(lat), float(lon)
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (JAPAN_LAT[0] <= lat <= JAPAN_LAT[1] and JAPAN_LON[0] <= lon <= JAPAN_LON[1]):
        return None
    return lat, lon


def _title(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def parse_features(data) -> list[list]:
    """The service's reply as ``[[lat, lon, title], ...]``.

    Every feature must have ``geometry.coordinates`` as a list ``[lon, lat]`` of numbers
    inside Japan (:data:`JAPAN_LAT`, :data:`JAPAN_LON`) and a non-empty text
    ``properties.title``; a string such as ``"12"`` is not coordinates.

    Raises
    ------
    geomap.errors.GeocoderParseError
        If ``data`` is not a list of such features (the row's ``error`` is then
        ``geocoder_bad_reply``).
    """
    if not isinstance(data, list):
        raise _bad(f"expected a JSON array, got {type(data).__name__}")
    out = []
    for feature in data:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        properties = feature.get("properties") if isinstance(feature, dict) else None
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not isinstance(coordinates, list) or len(coordinates) not in (2, 3):
            raise _bad("a feature without a [lon, lat] pair")
        point = _point(coordinates[1], coordinates[0])  # GeoJSON is lon, lat; we keep lat, lon
        title = _title(properties.get("title")) if isinstance(properties, dict) else None
        if point is None or title is None:
            raise _bad("a feature with a bad title or coordinates outside Japan")
        out.append([point[0], point[1], title])
    return out


def check_cached(value) -> list[list]:
    """A cached reply (``[[lat, lon, title], ...]``) as it was stored, or ``ValueError``.

    What is read back from the cache file is checked like a reply from the service: a
    cache written by something else, or damaged, must not place a row anywhere.
    """
    if not isinstance(value, list):
        raise ValueError("a cached reply is a list")
    out = []
    for item in value:
        if not isinstance(item, list) or len(item) != 3:
            raise ValueError("a cached answer is [lat, lon, title]")
        point, title = _point(item[0], item[1]), _title(item[2])
        if point is None or title is None:
            raise ValueError("a cached answer with a bad title or coordinates")
        out.append([point[0], point[1], title])
    return out


def agreed_level(query: pd.Series, title: pd.Series) -> int:
    """How far the parse of an answer's ``title`` stands, given the parse of the ``query``.

    The title's own level, cut back to the first of prefecture, municipality, town where
    both parses name a place and the places differ; 4 when the title goes beyond its town.
    """
    level = int(title["level"])
    for depth, column in ((1, "pref"), (2, "city"), (3, "town")):
        if depth > level:
            break
        if query[column] and title[column] and query[column] != title[column]:
            return depth - 1
    if level == 3 and str(title["rest"]).strip():
        return 4
    return level


class GsiGeocoder(HTTPGeocoder):
    """国土地理院 address search. Sends addresses to ``url``: use only when asked for by name.

    Parameters
    ----------
    url : str
        The endpoint (CLI ``--gsi-url``), e.g. a local server in tests.
    use_cache : bool
        Read and store answers in the cache (CLI ``--no-cache`` turns it off). A cache
        that cannot be read or written is passed over with one warning; the run goes on.
    cache_dir : path, optional
        Where the cache lives; see :func:`geomap.geocoders.cache.cache_dir`.
    give_up_after : int
        After this many addresses in a row fail, the rest of the list is not sent (error
        ``geocoder_not_sent``); a 429 that outlasts the retries stops sending at once.
    pref, city : str, optional
        Context for lists that omit the start, as in :func:`geomap.geocode`: used to read
        the answers, and written before an address that names neither its prefecture
        nor its municipality when it is sent
        (:meth:`~geomap.geocoders.offline.OfflineGeocoder.apply_context`).
    lang : {"ja", "en"}
        Language of the warnings (the service gave up, the cache is passed over).
    **options
        Transport options of :class:`~geomap.geocoders.http.HTTPGeocoder`: ``timeout``,
        ``session``, ``requests_per_second``, ``max_retries``, ``backoff``,
        ``max_retry_after``, ``max_reply_bytes``, ``run_timeout``, ``clock``, ``sleep``,
        ``user_agent``.

    Notes
    -----
    The result has the columns of :data:`~geomap.geocoders.base.RESULT_COLUMNS` and
    ``error``. ``matched`` is the service's title; ``rest`` is what followed geomap's own
    match in the query; ``ambiguous`` lists the titles when equally good answers disagree
    (the level is then what they share). A reply that is not what the service promises
    (not a list of features, coordinates that are not numbers inside Japan, over the size
    cap, too late) is that row's ``error``, never the end of the run.
    """

    name = "gsi"
    online = True

    def __init__(
        self,
        *,
        url: str = DEFAULT_URL,
        use_cache: bool = True,
        cache_dir=None,
        give_up_after: int = 3,
        pref: str | None = None,
        city: str | None = None,
        lang: str = "ja",
        default_pref: str | None = None,
        default_city: str | None = None,
        **options,
    ):
        super().__init__(**options)
        if not str(url).startswith(("http://", "https://")):
            raise UsageError(f"gsi url must start with http:// or https://, not {url!r}", key="invalid_url", url=url)
        if isinstance(give_up_after, bool) or not isinstance(give_up_after, int) or give_up_after < 1:
            raise UsageError(
                f"give_up_after must be at least 1, not {give_up_after!r}",
                key="invalid_option",
                option="give_up_after",
                value=give_up_after,
            )
        self.url = str(url)
        self.use_cache = bool(use_cache)
        self.cache_dir = cache_dir
        self.give_up_after = int(give_up_after)
        self.pref, self.city = context_keywords(pref, city, default_pref, default_city)
        self.lang = lang
        self._cache_problem: str | None = None
        self._counts: dict[str, dict[str, int]] = {}

    # -- what would be sent ------------------------------------------------------------
    def _queries(self, addresses: Sequence) -> tuple[list[str | None], dict[str, str]]:
        """Per row its cache key (None for blank rows), and the text to send per key.

        An address that names neither its prefecture nor its municipality is sent with
        the context the user gave (--pref/--city), so the service reads 東陽4-11-28 of a
        江東区 list as 東京都江東区東陽4-11-28 rather than any 東陽 of Japan.
        """
        values = [value.strip() if isinstance(value, str) else "" for value in addresses]
        values = OfflineGeocoder(pref=self.pref, city=self.city).apply_context(values)
        keys: list[str | None] = []
        texts: dict[str, str] = {}
        for text in values:
            k = cache_key(text) if text else ""
            if not k:
                keys.append(None)
                continue
            keys.append(k)
            texts.setdefault(k, text)
        return keys, texts

    def _cache(self) -> GeocodeCache | None:
        if not self.use_cache or self._cache_problem:
            return None
        return GeocodeCache(cache_path(self.cache_dir))

    def _check_cache(self, cache: GeocodeCache | None) -> None:
        """Say once, in one line, that the cache is passed over from now on."""
        if cache is None or not cache.problem or self._cache_problem:
            return
        self._cache_problem = cache.problem
        reason = message(f"cache_problem_{cache.problem}", self.lang)
        log.warning(message("cache_skipped", self.lang, path=str(cache.path), reason=reason))

    def _cached(self, cache: GeocodeCache | None, texts: dict[str, str]) -> dict[str, list]:
        if cache is None:
            return {}
        found = cache.get_many(self.url, texts, check=check_cached)
        self._check_cache(cache)
        return found

    def count_to_send(self, addresses: Sequence) -> dict[str, int]:
        """``{"gsi": n}``: distinct addresses not answered by the cache, which would be sent."""
        _, texts = self._queries(addresses)
        cache = self._cache()
        try:
            cached = self._cached(cache, texts)
        finally:
            if cache is not None:
                cache.close()
        return {self.name: sum(1 for k in texts if k not in cached)}

    def endpoints(self) -> dict[str, str]:
        """``{"gsi": url}``: where addresses go."""
        return {self.name: self.url}

    def service_counts(self) -> dict[str, dict[str, int]]:
        """Rows asked, answered and failed in the last :meth:`geocode` call (see the base class)."""
        return {name: dict(counts) for name, counts in self._counts.items()}

    # -- sending -----------------------------------------------------------------------
    def fetch(self, text: str) -> list[list]:
        """Ask the service about one address: ``[[lat, lon, title], ...]``."""
        return parse_features(self._get_json(self.url, {"q": text}))

    def _fetch_all(self, texts: dict[str, str], cache: GeocodeCache | None):
        replies: dict[str, list] = {}
        errors: dict[str, str] = {}
        failures = 0
        stop: str | None = None  # the key given to the addresses not sent
        for done, (k, text) in enumerate(texts.items()):
            if stop is not None:
                errors[k] = stop
                continue
            rate_limited = False
            try:
                reply = self.fetch(text)
            except GeocoderServiceError as exc:
                key = exc.key or "geocoder_failed"
                rate_limited = isinstance(exc, GeocoderRateLimited)
            except Exception as exc:  # noqa: BLE001 - whatever a reply does, it is that row's failure
                log.debug("%s: unexpected failure for one address", self.name, exc_info=exc)
                key = "geocoder_failed"
            else:
                failures = 0
                replies[k] = reply
                if cache is not None:
                    cache.put(self.url, k, reply)
                    self._check_cache(cache)
                    if cache.problem:
                        cache = None
                continue
            errors[k] = key
            failures += 1
            left = len(texts) - done - 1
            if key == OUT_OF_TIME:
                stop = OUT_OF_TIME
                log.warning(message("geocoder_run_out_of_time", self.lang,
                                    service=service_name(self.name, self.lang), count=f"{left + 1:,}"))
            elif rate_limited or failures >= self.give_up_after:
                stop = NOT_SENT
                if left:
                    log.warning(message("geocoder_giving_up", self.lang, service=service_name(self.name, self.lang),
                                        count=f"{left:,}", detail=row_error(key, [self.name], self.lang)))
        return replies, errors

    def geocode(self, addresses: Sequence) -> pd.DataFrame:
        """Geocode ``addresses`` (sending those not cached); see the class notes for columns."""
        values = list(addresses)
        keys, texts = self._queries(values)
        cache = self._cache()
        try:
            replies = self._cached(cache, texts)
            if cache is not None and cache.problem:
                cache = None
            todo = {k: t for k, t in texts.items() if k not in replies}
            if todo:  # how many and where, never which
                log.info("%s: sending %d addresses to %s", self.name, len(todo), urlsplit(self.url).netloc)
            self.start_run(len(todo))
            fetched, errors = self._fetch_all(todo, cache)
        finally:
            if cache is not None:
                cache.close()
        replies.update(fetched)
        rows = [k for k in keys if k]
        self._counts = {
            self.name: {
                "asked": len(rows),
                "answered": sum(1 for k in rows if k in replies),
                "failed": sum(1 for k in rows if k in errors),
            }
        }
        return self._result(values, keys, texts, replies, errors)

    # -- reading the answers -----------------------------------------------------------
    def _result(self, values, keys, texts, replies, errors) -> pd.DataFrame:
        out = empty_result(len(values), SOURCE)
        out[ERROR_COLUMN] = [errors.get(k, "") if k else "" for k in keys]
        answered = [k for k in texts if replies.get(k)]
        if not answered:
            return out
        parser = OfflineGeocoder(pref=self.pref, city=self.city)
        queries = parser.geocode([texts[k] for k in answered])
        titles = sorted({title for k in answered for _, _, title in replies[k]})
        title_parse = OfflineGeocoder().geocode(titles)
        title_rows = {title: title_parse.iloc[i] for i, title in enumerate(titles)}
        judged = {k: self._judge(queries.iloc[i], replies[k], title_rows) for i, k in enumerate(answered)}
        for row, k in enumerate(keys):
            if k in judged:
                for column, value in judged[k].items():
                    out.at[row, column] = value
        return out

    @staticmethod
    def _judge(query: pd.Series, reply: list[list], titles: dict[str, pd.Series]) -> dict:
        levels = [agreed_level(query, titles[title]) for _, _, title in reply]
        best = max(levels)
        tied = [i for i, level in enumerate(levels) if level == best]
        lat, lon, title = reply[tied[0]]
        names = list(dict.fromkeys(reply[i][2] for i in tied))
        ambiguous = ""
        if len(names) > 1:
            # Equally good answers for different places: keep only what they share.
            parses = [titles[name] for name in names]
            shared = 0
            for depth, column in ((1, "pref"), (2, "city"), (3, "town")):
                if depth > best or len({p[column] for p in parses}) > 1:
                    break
                shared = depth
            if shared < best:
                best = shared
                ambiguous = "・".join(names)
        parsed = titles[title]
        row = {
            "level": best,
            "matched": title,
            "rest": query["rest"],
            "ambiguous": ambiguous,
        }
        if best == 0:
            return row
        row.update(
            lat=lat,
            lon=lon,
            pref=parsed["pref"],
            city=parsed["city"] if best >= 2 else "",
            town=parsed["town"] if best >= 3 else "",
            code=parsed["code"] if best >= 2 else "",
        )
        return row


__all__ = ["DEFAULT_URL", "JAPAN_LAT", "JAPAN_LON", "GsiGeocoder", "agreed_level", "check_cached", "parse_features"]
