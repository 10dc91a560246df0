"""``geomap cache``: look at and delete the cache of online geocoding answers.

Attach with ``main.add_command(cache)``. The cache holds addresses that were sent to an
online service (``--geocoder gsi``); the offline default never writes it.
"""

from __future__ import annotations

import json

import click

from .errors import GeomapError
from .geocoders.cache import cache_info, cache_path, clear_cache
from .messages import LANGS, error_message, message

_lang = click.option("--lang", type=click.Choice(LANGS), default="ja", show_default=True)
_cache_dir = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="キャッシュの場所（既定: 環境変数 GEOMAP_CACHE_DIR か利用者のキャッシュフォルダー） / cache folder",
)


@click.group()
def cache():
    """オンライン検索の回答キャッシュ / the cache of online geocoding answers."""


@cache.command()
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する / print one JSON object")
@_cache_dir
@_lang
def info(as_json, cache_dir, lang):
    """キャッシュの場所・件数・大きさを表示します / show the cache's path, count and size.

    キャッシュが壊れていても失敗せず、そのことを表示します / a damaged cache is reported, not an error.
    """
    data = cache_info(cache_dir)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(message("cache_path", lang, path=data["path"]))
    if not data["exists"]:
        click.echo(message("cache_none", lang))
        return
    if data["problem"]:
        reason = message(f"cache_problem_{data['problem']}", lang)
        click.echo(message("cache_unreadable", lang, reason=reason))
    else:
        click.echo(message("cache_count", lang, count=f"{data['count']:,}"))
    click.echo(message("cache_size", lang, size=_size(data["size"])))


@cache.command()
@_cache_dir
@_lang
def clear(cache_dir, lang):
    """キャッシュを削除します（送信した住所を手元に残さない） / delete the cache.

    中身が壊れていても、ファイルの代わりにフォルダーがあっても削除します / whatever it holds.
    """
    path = cache_path(cache_dir)
    try:
        count = clear_cache(cache_dir)
    except GeomapError as exc:
        raise click.ClickException(error_message(exc, lang)) from exc
    if count is None:
        click.echo(message("cache_cleared_unreadable", lang, path=str(path)))
    else:
        click.echo(message("cache_cleared", lang, count=f"{count:,}", path=str(path)))


def _size(size: int) -> str:
    if size < 1024:
        return f"{size:,} B"
    if size < 1024**2:
        return f"{size / 1024:,.1f} KB"
    return f"{size / 1024**2:,.1f} MB"


__all__ = ["cache"]
