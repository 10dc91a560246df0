"""The ``geomap`` command: a thin click layer over the public library.

Commands parse options, call :mod:`geomap.pipeline` and print. Every error the user can
cause reaches :func:`_run` as a :class:`~geomap.errors.GeomapError` and leaves as one
translated line and an exit code (1 data, 2 usage), with no traceback unless ``--debug``.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import sys
import threading

import click

from ._version import __version__
from .cli_cache import cache
from .errors import GeomapError
from .errors import UsageError as GeomapUsageError
from .maps.options import AGG, BY, CLASSIFICATIONS, FIELDS, K_RANGE, POPUP_ADDRESS, TILES
from .messages import LANGS, error_message, message, service_name, terminal_text
from .provenance import info as data_info
from .summary import online_failure, summary_lines
from .textrows import bulk

LARGE_MAP_BYTES = 30 * 2**20  # above this a browser takes long to open the page
_process_ends_after = False  # set by run(): the command is the whole process


class CliError(click.ClickException):
    """A translated one-line error with its exit code."""

    def __init__(self, text: str, exit_code: int = 1, lang: str = "ja"):
        super().__init__(text)
        self.exit_code = exit_code
        self.lang = lang

    def show(self, file=None):
        _echo(message("error_prefix", self.lang) + self.format_message())


def _echo(text: str) -> None:
    """Print one line to stderr. Every message goes through here: it may quote user text
    (headers, sheet and file names), so terminal control characters are taken out."""
    click.echo(terminal_text(text), err=True)


def _lang_from_args(args) -> str:
    args = list(args)
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1] if args[i + 1] in LANGS else "ja"
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1] if arg.split("=", 1)[1] in LANGS else "ja"
    return "ja"


class GeomapCommand(click.Command):
    """A command whose own usage errors (unknown option, missing argument) are framed in the user's language."""

    def parse_args(self, ctx, args):
        lang = _lang_from_args(args)
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise CliError(message("cli_usage", lang, detail=exc.format_message(), command=self.name), 2, lang) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="geomap")
def main():
    """geomap: 住所の一覧から地図を作ります（オフライン）。 Japanese address lists to maps, offline."""


main.add_command(cache)


def run() -> None:
    """The console command ``geomap`` (and ``python -m geomap``): :func:`main`, then a quick exit.

    A command is one short process. When it has finished (its files written and closed) and
    no other thread is left, the exit handlers run and the streams are flushed as at any
    exit, and the process then ends without freeing its objects one by one: that would
    take a third of a second after a national list, for memory the system takes back at
    once. Notebooks and tests call :func:`main` or the library and exit as usual.
    """
    global _process_ends_after
    _process_ends_after = True
    try:
        main(prog_name="geomap")
    except SystemExit as exc:
        code = exc.code
    else:  # pragma: no cover - click's main always exits
        code = 0
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    if threading.active_count() > 1:
        sys.exit(code)
    try:
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: nothing more can be said there
                pass
    except KeyboardInterrupt:  # Ctrl-C after the work: the files are written, the exit says it was stopped
        code = 130
    os._exit(code or 0)


def _collector_paused():
    """The cyclic collector held for one geocode or render command (:func:`geomap.textrows.bulk`);
    left off when the command is the whole process (:func:`run`), which ends right after."""
    return bulk(restore=not _process_ends_after)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する / print one JSON object")
@click.option("--lang", type=click.Choice(LANGS), default="ja", show_default=True)
def info(as_json, lang):
    """埋め込みデータの出典・件数を表示します / show the embedded data's sources and counts."""
    data = data_info()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    en = lang == "en"
    click.echo(f"geomap {__version__}")
    click.echo(message("info_towns", lang, count=f"{data['towns']:,}"))
    click.echo(message("info_municipalities", lang, count=f"{data['municipalities']:,}"))
    click.echo(message("info_prefectures", lang, count=f"{data['prefectures']}"))
    click.echo(message("info_sources", lang))
    for s in data["sources"]:
        name = s["name_en"] if en else s["name_ja"]
        attribution = s["attribution_en"] if en else s["attribution_ja"]
        date = f" ({s.get('release') or s['date']})" if s.get("release") or s.get("date") else ""
        click.echo(f"- {name}{date}, {s['license']}: {s['url']}")
        click.echo(f"  {attribution}")
    click.echo(message("info_old_names", lang, count=f"{data['old_names']:,}"))
    click.echo(message("info_postal", lang, count=f"{data['postal_codes']:,}", release=data["postal_release"]))


# -- shared options -------------------------------------------------------------------


def _input_options(f):
    options = [
        click.argument("input", metavar="INPUT", type=click.Path(dir_okay=True)),
        click.option("--sheet", default=None, help="Excel のシート名か番号（1 から）/ .xlsx sheet name or number"),
        click.option("--encoding", default=None, help="文字コード（自動判別できないとき）/ text encoding, if detection fails"),
        click.option("--header-row", type=int, default=None,
                     help="見出し（列名）の行の番号、1 から（既定: 自動）/ the header's row number, from 1"),
        click.option("--address-column", default=None, help="住所の列名 / the address column"),
        click.option("--pref", default=None, help="都道府県を省いた一覧の都道府県 / prefecture the list leaves out"),
        click.option("--city", default=None, help="市区町村を省いた一覧の市区町村 / municipality the list leaves out"),
        click.option("--geocoder", default="offline", show_default=True,
                     help="offline（送信しない）, gsi, offline+gsi（外部に送信）/ offline sends nothing"),
        click.option("--gsi-url", default=None, help="国土地理院住所検索の URL / GSI address search URL"),
        click.option("--no-cache", is_flag=True, help="オンライン検索の回答を保存しない / do not cache online answers"),
        click.option("--jobs", default="auto", show_default=True,
                     help="オフライン検索のプロセス数: N, 0（コア数）, auto（5 万件未満は 1）"
                          " / offline geocoding processes: N, 0 (one per core), auto (1 below 50,000 rows)"),
        click.option("--lang", default="ja", show_default=True, help="ja | en（メッセージと地図の言語）"),
        click.option("-q", "--quiet", is_flag=True, help="要約を表示しない / no summary"),
        click.option("-v", "--verbose", count=True, help="詳しく表示 / more detail"),
        click.option("--debug", is_flag=True, help="エラー時にトレースバックを表示 / show tracebacks"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _common(kw: dict) -> dict:
    """The library arguments shared by render and geocode."""
    options = {}
    if kw["gsi_url"]:
        options["url"] = kw["gsi_url"]
    if kw["no_cache"]:
        options["use_cache"] = False
    lang = kw["lang"]
    quiet = kw["quiet"]

    def notify(counts: dict, partial: bool) -> None:
        for service, count in counts.items():
            name = service_name(service, lang)
            key = "sending_rest" if partial else "sending"
            _echo(message(key, lang, count=f"{count:,}", service=name))

    return dict(
        sheet=kw["sheet"],
        encoding=kw["encoding"],
        header_row=kw["header_row"],
        address_column=kw["address_column"],
        pref=kw["pref"],
        city=kw["city"],
        geocoder=kw["geocoder"],
        geocoder_options=options,
        lang=lang,
        progress=not quiet and _stderr_is_terminal(),
        notify=notify,
        jobs=kw["jobs"],
    )


def _breaks(text: str | None) -> list[float] | None:
    """``--breaks 10,20,50`` as numbers (full-width digits and 、 are fine)."""
    if text is None:
        return None
    import math
    import unicodedata

    parts = [p.strip() for p in unicodedata.normalize("NFKC", text).replace("、", ",").split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if not values or not all(math.isfinite(v) for v in values):  # inf, nan: not a class boundary
        raise GeomapUsageError(f"--breaks must be numbers, got {text!r}", key="bad_breaks", value=text)
    return values


def _map_options(f):
    """The options that say what a map shows; each is named after its MapOptions field."""
    schemes = " | ".join(c for c in CLASSIFICATIONS if c != "user")  # user: given with --breaks
    options = [
        click.option("--by", default="auto", show_default=True, help=f"{' | '.join(BY)}（色分けする区域）"),
        click.option("--value", default=None, help="集計する数値の列 / numeric column to aggregate"),
        click.option("--agg", default="count", show_default=True, help=" | ".join(AGG)),
        click.option("--category", default=None, help="マーカーの色分けの列 / column for marker colours"),
        click.option("--name", default=None, help="マーカーの名前の列 / column for marker labels"),
        click.option("--title", default=None, help="地図の題名（既定: ファイル名）/ map title"),
        click.option("--tiles", default="gsi", show_default=True, help=f"{' | '.join(TILES)}（背景地図）"),
        click.option("--boundaries", default=None, help="区域の境界ファイル（shp, GeoJSON, GeoPackage）/ your own areas"),
        click.option("--boundary-key", default=None, help="境界ファイルの区域を示す列 / the areas' key column"),
        click.option("--boundary-name", default=None,
                     help="境界ファイルの区域の名前の列（例: S_NAME）/ the areas' name column"),
        click.option("--min-count", type=int, default=None,
                     help="1〜K-1 件の区域は「K未満」と表示（個人の一覧の既定は 3）/ hide counts below K (3 for personal lists)"),
        click.option("--scheme", "classification", default="quantiles", show_default=True,
                     help=f"{schemes}（色分けの区切り方）/ how classes are cut"),
        click.option("--classes", "k", type=int, default=5, show_default=True,
                     help=f"色の段階数 {K_RANGE[0]}〜{K_RANGE[1]} / number of classes"),
        click.option("--breaks", default=None, help="区切り値（例: 10,20,50）/ your own class breaks, e.g. 10,20,50"),
        click.option("--points/--no-points", default=None,
                     help="マーカーを表示する（既定: 表示。個人の一覧では表示しない）/ draw markers (default: yes, but not for personal lists)"),
        click.option("--popup-address", default="town", show_default=True,
                     help=f"{' | '.join(POPUP_ADDRESS)}（ポップアップの住所: 町丁目まで / 番地まで）/ address in popups"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _map_options_from(kw: dict):
    """The :class:`~geomap.maps.MapOptions` of the command's options (``--lang`` included).

    Its errors name the flags the user typed (``--scheme``, not ``classification``).
    """
    from .maps.options import MapOptions

    flags = {p.name: p.opts[0] for p in click.get_current_context().command.params if p.opts}
    given = {name: kw[name] for name in FIELDS if name in flags}
    given["breaks"] = _breaks(given.get("breaks"))
    try:
        return MapOptions(**given)
    except GeomapUsageError as exc:
        if exc.params.get("option") in flags:
            exc.params["option"] = flags[exc.params["option"]]
        raise


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _TerminalFormatter(logging.Formatter):
    """Log lines with terminal control characters taken out (they may quote user text)."""

    def __init__(self, fmt: str, *, keep_lines: bool):
        super().__init__(fmt)
        self.keep_lines = keep_lines

    def format(self, record: logging.LogRecord) -> str:
        return terminal_text(super().format(record), keep_lines=self.keep_lines)


def _run(kw: dict, body):
    """Run ``body()`` with logging set from -q/-v and errors turned into one line."""
    lang = kw.get("lang") if kw.get("lang") in LANGS else "ja"
    debug = kw.get("debug", False)
    logger = logging.getLogger("geomap")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_TerminalFormatter("%(levelname)s %(name)s: %(message)s" if debug else "%(message)s",
                                            keep_lines=debug))
    level = logging.DEBUG if debug or kw.get("verbose", 0) > 1 else logging.INFO if kw.get("verbose") else (
        logging.ERROR if kw.get("quiet") else logging.WARNING)
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        return body(lang)
    except GeomapError as exc:
        if debug:
            raise
        raise CliError(error_message(exc, lang), getattr(exc, "exit_code", 1), lang) from None
    except KeyboardInterrupt:
        if debug:
            raise
        raise CliError(message("interrupted", lang), 130, lang) from None
    except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        raise
    except Exception as exc:  # a bug: still one line, with a way to get the details
        if debug:
            raise
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        raise CliError(message("unexpected", lang, kind=type(exc).__name__, detail=detail), 1, lang) from None
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def _summary(result, lang: str, *, input_path, kind: str) -> None:
    for line in summary_lines(result, lang, input_path=input_path, kind=kind):
        _echo(line)


def _check_online(result, lang: str) -> None:
    """Exit non-zero (after the results are written) when an online service answered no row."""
    for service, counts in getattr(result, "online", {}).items():
        if counts.get("failed") and not counts.get("answered"):
            raise GeomapError(
                f"{service} answered none of the {counts['failed']} rows it was asked",
                key="online_none_answered", service=service_name(service, lang),
                count=f"{counts['failed']:,}", detail=online_failure(result, lang),
            )


# -- commands -------------------------------------------------------------------------


@main.command(cls=GeomapCommand)
@_input_options
@click.option("-o", "--output", default=None, help="地図の HTML（既定: 入力と同じ場所・同じ名前の .html）/ map file")
@_map_options
@click.option("--png", is_flag=True, help="PNG 画像も作る / also write a PNG")
@click.option("--pdf", is_flag=True, help="PDF も作る / also write a PDF")
@click.option("--force", is_flag=True,
              help="30 MB を超える HTML の地図も書き出す（開くのに時間がかかります）/ write a map over 30 MB anyway")
def render(**kw):
    """住所の一覧（CSV・TSV・テキスト・Excel）から地図 (HTML) を作ります / make a map from an address list.

    入力ファイルは変更しません。置けなかった行は <名前>_unmatched.csv に理由つきで書き出します。
    """
    from .pipeline import render as render_map

    def body(lang):
        result = render_map(kw["input"], kw["output"], options=_map_options_from(kw), png=kw["png"], pdf=kw["pdf"],
                            force=kw["force"], **_common(kw))
        if not kw["quiet"]:
            _summary(result, lang, input_path=kw["input"], kind="map")
            _echo(message("summary_map", lang, path=str(result.html)))
            size = result.html.stat().st_size
            if size > LARGE_MAP_BYTES:
                _echo(message("large_map", lang, size=f"{size / 2**20:,.0f}"))
            for path in result.images:
                _echo(message("summary_image", lang, path=str(path)))
        _check_online(result, lang)
        return result

    with _collector_paused():
        _run(kw, body)


@main.command(cls=GeomapCommand)
@_input_options
@click.option("-o", "--output", default=None,
              help="結果のファイル: .csv（既定, UTF-8 BOM）, .tsv, .xlsx, .geojson, .gpkg / result file")
def geocode(**kw):
    """住所の一覧に緯度経度と一致レベルの列を加えます / add lat, lon, level … columns to an address list.

    既定の出力は <名前>_geocoded.csv（Excel で開ける UTF-8 BOM）。入力ファイルは変更しません。
    """
    from .pipeline import geocode_file

    def body(lang):
        result = geocode_file(kw["input"], kw["output"], **_common(kw))
        if not kw["quiet"]:
            _summary(result, lang, input_path=kw["input"], kind="table")
            if result.cleaned:  # an .xlsx output holds those cells without some characters: say so
                _echo(message("summary_xlsx_cleaned", lang, count=f"{result.cleaned:,}"))
            _echo(message("summary_table", lang, path=str(result.output)))
        _check_online(result, lang)
        return result

    with _collector_paused():
        _run(kw, body)


@main.command(cls=GeomapCommand)
@click.option("--port", type=int, default=0, help="ポート番号（既定: 空いているもの）/ port (default: a free one)")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="待ち受けるアドレス。127.0.0.1 以外では警告 / address to listen on; others print a warning")
@click.option("--no-browser", is_flag=True, help="ブラウザを開かない / do not open a browser")
@click.option("--max-upload", type=float, default=50, show_default=True,
              help="受け付けるファイルの大きさの上限 (MB) / largest file accepted, in MB")
@click.option("--lang", default="ja", show_default=True, help="ja | en（この画面と、ページの最初の言語）")
@click.option("--debug", is_flag=True, help="エラーの詳細をここに表示 / log tracebacks here (never on the page)")
def app(**kw):
    """住所の一覧から地図を作る画面をブラウザで開きます（この PC の中だけ）/ a local page that makes maps.

    ファイルをドロップして「地図を作る」を押すだけです。終了は画面の「終了」か Ctrl+C。
    """
    from .messages import LANGS as langs

    lang = kw["lang"] if kw["lang"] in langs else "ja"

    def body(lang):
        try:
            from .app.server import serve
        except ImportError as exc:  # the extra geomap[app] is not installed
            module = (exc.name or "").split(".")[0]
            if module not in ("starlette", "uvicorn", "python_multipart"):
                raise
            raise CliError(message("app_missing", lang, module=module), 1, lang) from None
        if kw["debug"]:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(_TerminalFormatter("%(levelname)s %(name)s: %(message)s", keep_lines=True))
            logging.getLogger("geomap").addHandler(handler)
            logging.getLogger("geomap").setLevel(logging.DEBUG)
        serve(host=kw["host"], port=kw["port"], open_browser=not kw["no_browser"], max_upload_mb=kw["max_upload"],
              lang=lang, echo=lambda text: click.echo(terminal_text(text)))

    _run({"lang": lang, "debug": kw["debug"]}, body)


if __name__ == "__main__":  # pragma: no cover
    run()
