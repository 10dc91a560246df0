"""Make the README's screenshot of ``geomap app``: the page with a map made from the sample.

    python tools/make_app_screenshot.py [--out docs/images/app_koto_facilities.png]

Starts ``python -m geomap app --no-browser``, opens the printed address in Debian's
chromium (Playwright, ``--chromium``), picks ``sample_data/koto_facilities.xlsx``, keeps the
columns geomap found, presses 地図を作る, waits for the map's 120 points and saves the whole
page. Every request that does not go to the app is refused, as on a closed office network,
so the map shows the bundled boundaries rather than the background tiles and the image is the
same on every run. Japanese is drawn with the IPAex Gothic font that matplotlib-fontja (a
dependency of geomap) ships, so no system font is needed. Then the page's 終了 button stops
the app.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "koto_facilities.xlsx"
OUT = ROOT / "docs" / "images" / "app_koto_facilities.png"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--font-render-hinting=none"]
URL = re.compile(r"http://\S+/\?token=[A-Za-z0-9_-]+")


def font_config(folder: Path) -> Path:
    """A fontconfig file with the system's fonts and matplotlib-fontja's Japanese font."""
    import matplotlib_fontja

    fonts = Path(matplotlib_fontja.__file__).resolve().parent / "fonts"
    path = folder / "fonts.conf"
    system = "<include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>"
    path.write_text(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n"
        f"<fontconfig>{system}<dir>{fonts}</dir><cachedir>{folder / 'cache'}</cachedir>"
        "<alias><family>sans-serif</family><prefer><family>IPAexGothic</family></prefer></alias>"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return path


def start_app(tmp: Path) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "geomap", "app", "--no-browser"], stdout=subprocess.PIPE,
                            text=True, encoding="utf-8", env=env, cwd=ROOT)
    for line in proc.stdout:
        found = URL.search(line)
        if found:
            return proc, found.group(0)
    raise SystemExit(f"geomap app did not start (exit code {proc.wait()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--chromium", default=CHROMIUM, help="the browser to drive (default: Debian's chromium)")
    parser.add_argument("--width", type=int, default=1200)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="geomap-screenshot-") as tmp:
        tmp = Path(tmp)
        proc, url = start_app(tmp)
        base = url.split("/?", 1)[0]
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=ARGS,
                                            env={**os.environ, "FONTCONFIG_FILE": str(font_config(tmp))})
                context = browser.new_context(viewport={"width": args.width, "height": 760}, locale="ja-JP")
                context.route("**/*", lambda r: r.continue_() if r.request.url.startswith((base + "/", "data:", "about:"))
                              else r.abort())
                page = context.new_page()
                page.goto(url)
                page.wait_for_selector("body[data-ready='1']")
                page.set_input_files("#file", str(SAMPLE))
                page.wait_for_selector("#step-columns:not([hidden])", timeout=60_000)
                page.click("#make")
                page.wait_for_selector("#map:not([hidden])", timeout=120_000)
                frame = page.locator("#map").element_handle().content_frame()
                frame.wait_for_function("() => window.__geomap && window.__geomap.points"
                                        " && window.__geomap.points.getLayers().length === 120", timeout=60_000)
                # The whole page in one viewport (a full-page capture would leave the frame unpainted);
                # the map's height follows the viewport's up to its maximum, so grow it until it fits.
                for _ in range(5):
                    height = page.evaluate("() => document.documentElement.scrollHeight")
                    if height == page.viewport_size["height"]:
                        break
                    page.set_viewport_size({"width": args.width, "height": height})
                    page.wait_for_timeout(300)
                page.wait_for_timeout(1000)  # the map's zoom animation
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                page.click("#quit")
                page.wait_for_selector("#stopped:not([hidden])")
                browser.close()
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
    print(f"{args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
