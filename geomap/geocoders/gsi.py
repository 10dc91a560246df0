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
from collections.abc import Sequence
from urllib.parse import urlsplit

import pandas as pd

from ..errors import GeocoderParseError, GeocoderRateLimited, GeocoderServiceError, UsageError
from .base import ERROR_COLUMN, HTTPGeocoder, empty_result, register
from .cache import GeocodeCache, cache_key, cache_path

log = logging.getLogger("geomap.geocoders")

DEFAULT_URL = "https://msearch.gsi.go.jp/address-search/AddressSearch"
SOURCE = "gsi"

#: Message key put in the ``error`` column of rows not sent because the service kept failing.
NOT_SENT = "geocoder_not_sent"


def parse_features(data) -> list[list]:
    """The service's reply as ``[[lat, lon, title], ...]``.

    Raises
    ------
    geomap.errors.GeocoderParseError
        If ``data`` is not a list of features with numeric coordinates and a title.
    """
    if not isinstance(data, list):
        raise GeocoderParseError(
            f"gsi: expected a JSON array, got {type(data).__name__}", key="geocoder_bad_reply", service=SOURCE
        )
    out = []
    for feature in data:
        try:
            lon, lat = feature["geometry"]["coordinates"][:2]  # GeoJSON is lon, lat; we keep lat, lon
            lat, lon = float(lat), float(lon)
            title = feature["properties"]["title"]
        except (KeyError, TypeError, ValueError) as exc:
            raise GeocoderParseError(
                f"gsi: a feature without coordinates or title: {feature!r:.200}",
                key="geocoder_bad_reply",
                service=SOURCE,
            ) from exc
        if not isinstance(title, str) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise GeocoderParseError(
                f"gsi: a feature with a bad title or coordinates: {feature!r:.200}",
                key="geocoder_bad_reply",
                service=SOURCE,
            )
        out.append([lat, lon, title])
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


@register
class GsiGeocoder(HTTPGeocoder):
    """国土地理院 address search. Sends addresses to ``url``: use only when asked for by name.

    Parameters
    ----------
    url : str
        The endpoint (CLI ``--gsi-url``), e.g. a local server in tests.
    use_cache : bool
        Read and store answers in the cache (CLI ``--no-cache`` turns it off).
    cache_dir : path, optional
        Where the cache lives; see :func:`geomap.geocoders.cache.cache_dir`.
    give_up_after : int
        After this many rows in a row fail, the rest of the list is not sent (error
        ``geocoder_not_sent``); a 429 that outlasts the retries stops sending at once.
    default_pref, default_city : str, optional
        Context for lists that omit the start, as in :func:`geomap.geocode`: used to read
        the answers, and written before an address that names neither its prefecture
        nor its municipality when it is sent.
    **options
        Transport options of :class:`~geomap.geocoders.base.HTTPGeocoder`: ``timeout``,
        ``session``, ``requests_per_second``, ``max_retries``, ``backoff``,
        ``max_retry_after``, ``clock``, ``sleep``, ``user_agent``.

    Notes
    -----
    The result has the columns of :data:`~geomap.geocoders.base.RESULT_COLUMNS` and
    ``error``. ``matched`` is the service's title; ``rest`` is what followed geomap's own
    match in the query; ``ambiguous`` lists the titles when equally good answers disagree
    (the level is then what they share).
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
        default_pref: str | None = None,
        default_city: str | None = None,
        **options,
    ):
        super().__init__(**options)
        if not str(url).startswith(("http://", "https://")):
            raise UsageError(f"gsi url must start with http:// or https://, not {url!r}", key="invalid_url", url=url)
        if give_up_after < 1:
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
        self.default_pref = default_pref
        self.default_city = default_city

    # -- what would be sent ------------------------------------------------------------
    def _context(self) -> str:
        """What ``default_pref``/``default_city`` stand for, written before a bare address."""
        if not (self.default_pref or self.default_city):
            return ""
        from .offline import Context, Matcher
        from .index import town_index

        index = town_index()
        context = Context(Matcher(index), self.default_pref, self.default_city)
        cities = {index.municipalities[c].city for c in context.codes}
        if len(cities) > 1:  # a designated city given without a ward: its name
            cities = {index.municipalities[c].designated for c in context.codes}
        return context.pref + (next(iter(cities)) if len(cities) == 1 else "")

    def _queries(self, addresses: Sequence) -> tuple[list[str | None], dict[str, str]]:
        """Per row its cache key (None for blank rows), and the text to send per key.

        An address that names neither its prefecture nor its municipality is sent with
        the context the user gave (--pref/--city), so the service reads 東陽4-11-28 of a
        江東区 list as 東京都江東区東陽4-11-28 rather than any 東陽 of Japan.
        """
        from .offline import OfflineGeocoder

        values = [value.strip() if isinstance(value, str) else "" for value in addresses]
        prefix = self._context()
        if prefix:
            bare = OfflineGeocoder().geocode([v for v in values if v])
            unplaced = {v for v, level in zip((v for v in values if v), bare["level"]) if level == 0}
            values = [prefix + v if v in unplaced else v for v in values]
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
        return GeocodeCache(cache_path(self.cache_dir)) if self.use_cache else None

    def count_to_send(self, addresses: Sequence) -> dict[str, int]:
        """``{"gsi": n}``: distinct addresses not answered by the cache, which would be sent."""
        _, texts = self._queries(addresses)
        cache = self._cache()
        if cache is not None:
            try:
                cached = cache.get_many(self.url, texts)
            finally:
                cache.close()
            texts = {k: t for k, t in texts.items() if k not in cached}
        return {self.name: len(texts)}

    def endpoints(self) -> dict[str, str]:
        """``{"gsi": url}``: where addresses go."""
        return {self.name: self.url}

    # -- sending -----------------------------------------------------------------------
    def fetch(self, text: str) -> list[list]:
        """Ask the service about one address: ``[[lat, lon, title], ...]``."""
        return parse_features(self._get_json(self.url, {"q": text}))

    def _fetch_all(self, texts: dict[str, str], cache: GeocodeCache | None):
        replies: dict[str, list] = {}
        errors: dict[str, str] = {}
        failures = 0
        stopped = False
        for k, text in texts.items():
            if stopped:
                errors[k] = NOT_SENT
                continue
            try:
                reply = self.fetch(text)
            except GeocoderServiceError as exc:
                errors[k] = exc.key or "geocoder_failed"
                failures += 1
                if isinstance(exc, GeocoderRateLimited) or failures >= self.give_up_after:
                    log.warning("%s: %s; not sending the remaining addresses", self.name, exc)
                    stopped = True
                continue
            failures = 0
            replies[k] = reply
            if cache is not None:
                cache.put(self.url, k, reply)
        return replies, errors

    def geocode(self, addresses: Sequence) -> pd.DataFrame:
        """Geocode ``addresses`` (sending those not cached); see the class notes for columns."""
        values = list(addresses)
        keys, texts = self._queries(values)
        cache = self._cache()
        try:
            replies = cache.get_many(self.url, texts) if cache is not None else {}
            todo = {k: t for k, t in texts.items() if k not in replies}
            if todo:  # how many and where, never which
                log.info("%s: sending %d addresses to %s", self.name, len(todo), urlsplit(self.url).netloc)
            fetched, errors = self._fetch_all(todo, cache)
        finally:
            if cache is not None:
                cache.close()
        replies.update(fetched)
        return self._result(values, keys, texts, replies, errors)

    # -- reading the answers -----------------------------------------------------------
    def _result(self, values, keys, texts, replies, errors) -> pd.DataFrame:
        from .offline import OfflineGeocoder

        out = empty_result(len(values), SOURCE)
        out[ERROR_COLUMN] = [errors.get(k, "") if k else "" for k in keys]
        answered = [k for k in texts if replies.get(k)]
        if not answered:
            return out
        parser = OfflineGeocoder(default_pref=self.default_pref, default_city=self.default_city)
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


__all__ = ["DEFAULT_URL", "GsiGeocoder", "agreed_level", "parse_features"]
