"""The ``geomap`` command: a thin click layer over the public library."""

from __future__ import annotations

import json
import sys

import click

from . import __version__
from .sources import info as data_info


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="geomap")
def main():
    """geomap: 住所の一覧から地図を作ります（オフライン）。 Japanese address lists to maps, offline."""


@main.command()
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する / print one JSON object")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
def info(as_json, lang):
    """埋め込みデータの出典・件数を表示します / show the embedded data's sources and counts."""
    data = data_info()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    en = lang == "en"
    click.echo(f"geomap {__version__}")
    click.echo(("towns (大字・町丁目・小字): " if en else "町丁目・大字・小字: ") + f"{data['towns']:,}")
    click.echo(("municipalities: " if en else "市区町村: ") + f"{data['municipalities']:,}")
    click.echo(("prefectures: " if en else "都道府県: ") + f"{data['prefectures']}")
    click.echo("sources:" if en else "出典:")
    for s in data["sources"]:
        name = s["name_en"] if en else s["name_ja"]
        attribution = s["attribution_en"] if en else s["attribution_ja"]
        date = f" ({s['date']})" if s.get("date") else ""
        click.echo(f"- {name}{date}, {s['license']}: {s['url']}")
        click.echo(f"  {attribution}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
