"""Issue 14, ``geomap app``: the local page, driven as a user drives it, and its security.

A real server is started as ``python -m geomap app --no-browser`` on a free port of
127.0.0.1, with its temporary folder under the test's own (``TMPDIR``), and Debian's
chromium (Playwright) opens the address it prints, with every request that does not go to
that server aborted, as on a closed office network. The security tests talk HTTP to the same
kind of server. The last test (marked ``wheelhouse``) installs geomap from a wheelhouse with
the network switched off; it takes a minute or two.
"""

from __future__ import annotations

import base64
import csv
import io
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("starlette", reason="the app extra is not installed (pip install '.[app]')")
pytest.importorskip("uvicorn", reason="the app extra is not installed (pip install '.[app]')")
requests = pytest.importorskip("requests")

from conftest import needs_chromium  # noqa: E402  (the ``browser`` fixture is conftest's too)
from geomap.app.jobs import Jobs, display_name  # noqa: E402
from geomap.messages import message  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
ARTIFACTS = ROOT / "test-artifacts"
XSS = '<img src=x onerror="window.__xss=1">'
URL = re.compile(r"http://\S+/\?token=[A-Za-z0-9_-]+")
STARTUP_SECONDS = 60
JOB_SECONDS = 120


# -- a running app ----------------------------------------------------------------------


class App:
    """``geomap app`` in a subprocess; its printed address, output and temporary folder."""

    def __init__(self, tmp: Path, *args: str):
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, TMPDIR=str(tmp), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "geomap", "app", "--no-browser", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env, cwd=tmp,
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        found: queue.Queue = queue.Queue()

        def read(stream, into, announce):
            for line in stream:
                into.append(line.rstrip("\n"))
                if announce and URL.search(line):
                    found.put(URL.search(line).group(0))
            if announce:
                found.put(None)

        threading.Thread(target=read, args=(self.proc.stdout, self.lines, True), daemon=True).start()
        threading.Thread(target=read, args=(self.proc.stderr, self.errors, False), daemon=True).start()
        try:
            url = found.get(timeout=STARTUP_SECONDS)
        except queue.Empty:
            url = None
        self.url = url
        if url is not None:
            self.base = url.split("/?", 1)[0]
            self.host_port = self.base.split("//", 1)[1]
            self.port = int(self.host_port.rsplit(":", 1)[1])
            self.token = url.rsplit("=", 1)[1]

    def session(self) -> requests.Session:
        """A client that opened the printed address, so it holds the cookie."""
        s = requests.Session()
        r = s.get(self.url, timeout=30)
        assert r.status_code == 200, r.text
        return s

    def post(self, s, path, **kw):
        headers = {"Origin": self.base, **kw.pop("headers", {})}
        return s.post(self.base + path, headers=headers, timeout=60, **kw)

    def folders(self) -> list[Path]:
        """The app's private temporary folders (one while it runs)."""
        return sorted(self.tmp.glob("geomap-app-*"))

    def stop(self, sig=signal.SIGINT) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def upload(app: App, s, name: str, data: bytes):
    return app.post(s, "/api/upload", files={"file": (name, data)})


def wait_job(app: App, s, job: str) -> dict:
    deadline = time.monotonic() + JOB_SECONDS
    while time.monotonic() < deadline:
        status = s.get(f"{app.base}/api/jobs/{job}/status", timeout=30).json()
        if status["state"] in ("done", "error"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job} did not end: {status}")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    running = App(tmp_path_factory.mktemp("app"))
    assert running.url, (running.lines, running.errors)
    yield running
    running.stop()


class Page:
    """The app's page in a fresh browser context, the network outside the app blocked."""

    def __init__(self, browser, app: App):
        self.app = app
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

        def route(r):
            if r.request.url.startswith((app.base + "/", "data:", "about:", "blob:")):
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        self.context.route("**/*", route)
        self.context.add_init_script("window.alert = window.confirm = window.prompt = function () { window.__xss = 1; };")
        self.page.goto(app.url)
        self.page.wait_for_selector("body[data-ready='1']")

    def pick(self, name: str, data: bytes) -> None:
        self.page.set_input_files("#file", files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}])

    def drop(self, name: str, data: bytes) -> None:
        """Drop a file on the drop zone, as dragging it from the desktop does."""
        self.page.evaluate(
            """([name, b64]) => {
                const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
                const dt = new DataTransfer();
                dt.items.add(new File([bytes], name));
                document.getElementById("drop").dispatchEvent(
                    new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
            }""",
            [name, base64.b64encode(data).decode()],
        )

    def read(self) -> None:
        self.page.wait_for_selector("#step-columns:not([hidden]), #error:not([hidden])", timeout=60_000)

    def error(self) -> str:
        self.page.wait_for_selector("#error:not([hidden])", timeout=60_000)
        return self.page.locator("#error").inner_text()

    def make(self) -> None:
        self.page.click("#make")
        self.page.wait_for_function(
            "() => ['done', 'error'].includes(document.getElementById('progress').dataset.state)"
            " || !document.getElementById('error').hidden",
            timeout=JOB_SECONDS * 1000,
        )

    def map_frame(self, points: int | None = None):
        self.page.wait_for_selector("#map:not([hidden])")
        frame = self.page.locator("#map").element_handle().content_frame()
        frame.wait_for_function("() => window.__geomap && window.__geomap.map", timeout=60_000)
        if points is not None:
            frame.wait_for_function(f"() => window.__geomap.points.getLayers().length === {points}", timeout=60_000)
        return frame

    def selected(self, select: str) -> str:
        return self.page.eval_on_selector(select, "s => s.options[s.selectedIndex].textContent")

    def download(self, kind: str) -> tuple[str, bytes]:
        with self.page.expect_download() as info:
            self.page.click(f"#download-{kind}")
        d = info.value
        return d.suggested_filename, Path(d.path()).read_bytes()

    def xss_ran(self) -> bool:
        if self.page.evaluate("typeof window.__xss !== 'undefined'"):
            return True
        return any(f.evaluate("typeof window.__xss !== 'undefined'") for f in self.page.frames)

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.wait_for_timeout(300)
        self.page.screenshot(path=str(ARTIFACTS / f"app_{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def page(browser, app):
    opened = Page(browser, app)
    yield opened
    opened.close()


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV for Excel starts with a BOM"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_bytes(rows: list[list], sheets: dict | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "一覧"
    for row in rows:
        ws.append(row)
    for title, more in (sheets or {}).items():
        other = wb.create_sheet(title)
        for row in more:
            other.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- the page, as a user drives it ------------------------------------------------------


@needs_chromium
def test_sample_workbook_dropped_to_map_and_downloads(page, app):
    p = page.page
    page.drop("koto_facilities.xlsx", (SAMPLES / "koto_facilities.xlsx").read_bytes())
    page.read()
    assert p.locator("#file-info").inner_text() == "koto_facilities.xlsx（120 行）"
    # the columns geomap render would use, already chosen
    assert page.selected("#address-column") == "自動（住所）"
    assert page.selected("#name-column") == "名称"
    assert page.selected("#category-column") == "種別"
    assert page.selected("#value-column") == "（なし）"
    # a workbook of two sheets: the list's sheet is chosen, the other offered
    assert p.locator("#sheet-label").is_visible()
    assert p.locator("#sheet option").all_inner_texts() == ["施設一覧", "説明"]
    assert page.selected("#sheet") == "施設一覧"
    assert page.selected("#header-row") == "自動（1 行目）"
    assert p.locator("#preview thead th").all_inner_texts() == ["名称", "種別", "住所", "定員"]
    assert p.locator("#preview tbody tr").count() == 20
    assert not p.locator("#use-min-count").is_checked() and p.locator("#points").is_checked()
    assert p.locator("#title").input_value() == "koto_facilities"

    page.make()
    frame = page.map_frame(points=120)
    assert p.locator("#progress-text").inner_text() == "地図ができました。"
    summary = p.locator("#summary li").all_inner_texts()
    assert summary[0] == message("summary_read", rows="120", path="koto_facilities.xlsx")
    assert message("summary_placed", placed="120", rows="120") in summary
    assert summary[-1] == message("summary_all_placed")
    assert p.locator("#unmatched-box").is_hidden() and p.locator("#download-unmatched").is_hidden()
    assert frame.locator(".geomap-title").inner_text() == "koto_facilities"
    # the map is sandboxed: its scripts run, but cannot reach the page
    assert p.get_attribute("#map", "sandbox") == "allow-scripts"
    assert frame.evaluate("(() => { try { return parent.document.title; } catch (e) { return 'refused'; } })()") == "refused"
    assert frame.evaluate("origin") == "null"

    name, html = page.download("html")
    assert name == "koto_facilities.html"
    assert html.startswith(b"<!DOCTYPE html>") and b'id="geomap-data"' in html
    name, png = page.download("png")
    assert name == "koto_facilities.png" and png.startswith(b"\x89PNG\r\n\x1a\n")
    from PIL import Image

    width, height = Image.open(io.BytesIO(png)).size
    assert width > height > 1000  # A4 landscape for a memo
    name, data = page.download("csv")
    assert name == "koto_facilities_geocoded.csv"
    rows = csv_rows(data)
    header, body = rows[0], rows[1:]
    assert header[:4] == ["名称", "種別", "住所", "定員"] and {"lat", "lon", "level"} <= set(header)
    assert len(body) == 120
    level = header.index("level")
    assert all(int(r[level]) >= 3 and r[header.index("lat")] for r in body)
    assert page.errors == [] and page.dialogs == [] and not page.xss_ran()
    assert all("cyberjapandata.gsi.go.jp" in u for u in page.blocked)  # only the background tiles were refused
    page.screenshot("sample")


@needs_chromium
def test_cp932_csv_with_unmatched_rows(page, app, tmp_path):
    text = "施設名,所在地\n" + "".join(
        f"（架空）施設{i},東京都江東区東陽{i}丁目{i}-1\n" for i in range(1, 8)
    ) + "（架空）どこか,どこにもない町1-1\n（架空）空欄,\n"
    page.pick("施設_cp932.csv", text.encode("cp932"))
    page.read()
    p = page.page
    assert p.locator("#file-info").inner_text() == "施設_cp932.csv（9 行）"
    assert page.selected("#address-column") == "自動（所在地）"
    assert p.locator("#encoding-label").is_visible()
    assert p.locator("#preview tbody tr").first.locator("td").all_inner_texts() == ["（架空）施設1", "東京都江東区東陽1丁目1-1"]
    page.make()
    page.map_frame(points=7)
    summary = p.locator("#summary li").all_inner_texts()
    assert message("summary_placed", placed="7", rows="9") in summary
    assert message("summary_unplaced", count="2", path="施設_cp932_unmatched.csv") in summary
    # the rows not placed, with their reasons, on the page
    assert p.locator("#unmatched thead th").all_inner_texts() == ["理由", "施設名", "所在地"]
    shown = [r.locator("td").all_inner_texts() for r in p.locator("#unmatched tbody tr").all()]
    assert [r[1:] for r in shown] == [["（架空）どこか", "どこにもない町1-1"], ["（架空）空欄", ""]]
    assert shown[1][0] == message("reason_empty")
    assert shown[0][0].startswith(message("reason_no_match"))
    # and in the file
    name, data = page.download("unmatched")
    assert name == "施設_cp932_unmatched.csv"
    header, *rows = csv_rows(data)
    assert header[0] == "理由"  # the reason first, as geomap render writes it
    columns = [header.index(c) for c in ("理由", "施設名", "所在地")]
    assert [[r[i] for i in columns] for r in rows] == shown
    name, data = page.download("csv")
    assert name == "施設_cp932_geocoded.csv" and len(csv_rows(data)) == 10
    assert page.errors == [] and not page.xss_ran()


@needs_chromium
def test_list_with_title_rows_and_the_header_row_choice(page, app):
    table = pd.read_csv(SAMPLES / "koto_facilities.csv", dtype=str, keep_default_na=False).head(30)
    rows = [["令和6年度 施設一覧"], ["作成: 2024年4月1日", None, "担当: 企画課"], []]
    rows += [list(table.columns)] + table.values.tolist()
    page.pick("題名つき.xlsx", xlsx_bytes(rows))
    page.read()
    p = page.page
    assert page.selected("#header-row") == "自動（4 行目）"
    assert p.locator("#preview thead th").all_inner_texts() == ["名称", "種別", "住所", "定員"]
    assert p.locator("#file-info").inner_text() == "題名つき.xlsx（30 行）"
    assert p.locator("#sheet-label").is_hidden()  # one sheet: nothing to choose
    # the user picks row 1: the title becomes the header, and the page says why no map can be made
    p.select_option("#header-row", "1")
    p.wait_for_function("() => document.querySelector('#preview thead th').textContent === '令和6年度 施設一覧'")
    assert page.selected("#address-column") == "見つかりません。列を選んでください"
    page.make()
    assert "1 行目" in page.error() and "住所" in page.error()
    assert p.locator("#map").is_hidden()
    # back to the automatic choice: the map is made
    p.select_option("#header-row", "")
    p.wait_for_function("() => document.querySelector('#preview thead th').textContent === '名称'")
    page.make()
    page.map_frame(points=30)
    assert p.locator("#error").is_hidden()
    assert page.errors == []


@needs_chromium
def test_hostile_list_shows_text_as_written_and_runs_nothing(page, app):
    template = "{{ 7*7 }}{% for x in range(3) %}x{% endfor %}${7*7}"
    names = [XSS, "<script>window.__xss=1</script>", template, '=HYPERLINK("http://example.com","x")',
             "+1+2", "@SUM(1)", "</td></tr><tr><td>偽の行", "javascript:window.__xss=1"]
    header = ["名称", "住所", XSS, template]
    lines = [header] + [[n, f"東京都江東区東陽{i + 1}丁目1-1", n, template] for i, n in enumerate(names)]
    lines.append(["不明", "<script>window.__xss=1</script>どこか", "", ""])
    out = io.StringIO()
    csv.writer(out).writerows(lines)
    file_name = '<img src=x onerror="window.__xss=1">{{7*7}}.csv'
    page.pick(file_name, out.getvalue().encode("utf-8"))
    page.read()
    p = page.page
    assert p.locator("#file-info").inner_text() == f"{file_name}（{len(names) + 1} 行）"
    assert p.locator("#preview thead th").all_inner_texts() == header
    cells = [r.locator("td").all_inner_texts() for r in p.locator("#preview tbody tr").all()]
    assert [c[0] for c in cells] == names + ["不明"]
    assert [c[3] for c in cells[:-1]] == [template] * len(names)
    assert page.selected("#name-column") == "名称"
    assert [o for o in p.locator("#value-column option").all_inner_texts() if o in header] == header
    assert p.locator("#title").input_value() == file_name[:-4]

    page.make()
    frame = page.map_frame(points=len(names))
    assert frame.locator(".geomap-title").inner_text() == file_name[:-4]
    unmatched = [r.locator("td").all_inner_texts() for r in p.locator("#unmatched tbody tr").all()]
    assert [r[1:3] for r in unmatched] == [["不明", "<script>window.__xss=1</script>どこか"]]
    summary = "\n".join(p.locator("#summary li").all_inner_texts())
    assert file_name in summary and "49" not in summary
    # nothing ran, nothing became markup, in the page or in the map
    assert p.locator("img").count() == 0 and p.locator("#preview script, #unmatched script").count() == 0
    assert p.locator("#preview tbody tr").count() == len(names) + 1
    assert frame.locator("img[src=x]").count() == 0
    assert page.errors == [] and page.dialogs == [] and not page.xss_ran()
    # the geocoded table keeps the text, with formulas made harmless for Excel
    _, data = page.download("csv")
    by_name = {r[0]: r for r in csv_rows(data)[1:]}
    assert "'=HYPERLINK(\"http://example.com\",\"x\")" in by_name and "'+1+2" in by_name and "'@SUM(1)" in by_name
    assert XSS in by_name and template in by_name
    page.screenshot("hostile")


@needs_chromium
def test_old_xls_and_empty_files_get_the_clear_message_and_the_server_goes_on(page, app):
    p = page.page
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024
    page.pick("古い一覧.xls", ole2)
    assert page.error() == message("xls_old_format", path="古い一覧.xls")
    assert p.locator("#step-columns").is_hidden()
    # in English too, when the page is switched to English
    p.select_option("#lang", "en")
    assert p.locator("#make").inner_text() == "Make the map"
    page.pick("old list.xls", ole2)
    p.wait_for_function("() => document.getElementById('error').textContent.includes('old list.xls')")
    assert page.error() == message("xls_old_format", "en", path="old list.xls")
    page.pick("empty.csv", b"")
    p.wait_for_function("() => document.getElementById('error').textContent.includes('empty.csv')")
    assert page.error() == message("file_empty", "en", path="empty.csv")
    # the next list works
    page.pick("koto.csv", (SAMPLES / "koto_facilities.csv").read_bytes())
    page.read()
    assert p.locator("#error").is_hidden()
    assert p.locator("#file-info").inner_text() == "koto.csv (120 rows)"
    assert page.selected("#address-column") == "automatic (住所)"
    # and the map, its summary and its legend are in English too
    page.make()
    assert p.locator("#error").is_hidden(), p.locator("#error").inner_text()
    frame = page.map_frame(points=120)
    assert message("summary_placed", "en", placed="120", rows="120") in p.locator("#summary li").all_inner_texts()
    assert p.locator("#progress-text").inner_text() == "The map is ready."
    assert frame.evaluate("document.documentElement.lang") == "en"
    assert page.errors == [] and not page.xss_ran()


@needs_chromium
def test_personal_list_hides_small_counts_and_points_by_default(page, app):
    rows = [["氏名", "生年月日", "電話", "住所"]]
    rows += [[f"区民{i}", "1950-01-01", "03-0000-0000", f"東京都江東区{town}1-1"]
             for i, town in enumerate(["東陽一丁目"] * 5 + ["亀戸一丁目"] * 2 + ["北砂一丁目"])]
    page.pick("名簿.xlsx", xlsx_bytes(rows))
    page.read()
    p = page.page
    assert p.locator("#use-min-count").is_checked() and p.input_value("#min-count") == "3"
    assert not p.locator("#points").is_checked()
    from geomap.columns import personal_columns

    personal = personal_columns(rows[0])  # the headers geomap render reads as a list of persons
    assert "氏名" in personal and "住所" not in personal
    assert p.locator("#personal-note").inner_text() == message("app_personal_note", columns="、".join(personal))
    p.select_option("#by", "town")
    page.make()
    frame = page.map_frame()
    assert frame.evaluate("window.__geomap.points === undefined")
    assert "3件未満" in frame.locator(".geomap-legend").inner_text()
    assert "区民" not in frame.content()  # no name reaches the map
    assert page.errors == []


def many_addresses(n: int) -> bytes:
    """A CSV of ``n`` different addresses in Tokyo (none repeats, so no answer is reused)."""
    from geomap.gazetteer import towns

    t = towns()
    t = t[t["code"].str.startswith("13") & (t["koaza"] == "") & t["lat"].notna()]
    names = (t["pref"].astype(str) + t["city"].astype(str) + t["town"].astype(str)).tolist()
    rows = [f"{names[i % len(names)]}{i // len(names) + 1}-{i % 7 + 1}" for i in range(n)]
    return ("住所\n" + "\n".join(rows) + "\n").encode("utf-8")


BIG = 100_000


@pytest.fixture(scope="module")
def big_list() -> bytes:
    return many_addresses(BIG)


def test_progress_moves_with_the_rows_while_the_server_answers(app, big_list):
    s = app.session()
    job = upload(app, s, "大きな一覧.csv", big_list).json()["job"]
    app.post(s, f"/api/jobs/{job}/render", json={"points": False, "by": "municipality"})
    seen, answered = [], 0
    while True:
        status = s.get(f"{app.base}/api/jobs/{job}/status", timeout=30).json()
        if status["state"] in ("done", "error"):
            break
        if status["state"] == "geocoding":
            seen.append((status["done"], status["total"]))
            answered += s.get(app.base + "/", timeout=30).status_code == 200  # the page, while the job runs
    assert status["state"] == "done", status
    assert len(set(seen)) >= 2 and seen == sorted(seen) and {t for _, t in seen} == {BIG}
    assert all(0 < d <= BIG for d, _ in seen)
    assert answered == len(seen)
    assert message("summary_placed", placed=f"{BIG:,}", rows=f"{BIG:,}") in status["result"]["summary"]


@needs_chromium
def test_progress_bar_on_the_page_and_the_page_stays_responsive(page, app, big_list):
    p = page.page
    p.evaluate(
        """() => {
            window.__seen = [];
            new MutationObserver(() => window.__seen.push(document.getElementById('progress-text').textContent))
                .observe(document.getElementById('progress-text'), {childList: true, characterData: true, subtree: true});
        }"""
    )
    page.pick("大きな一覧.csv", big_list)
    page.read()
    assert p.locator("#file-info").inner_text() == f"大きな一覧.csv（{BIG:,} 行）"
    p.uncheck("#points")
    p.select_option("#by", "municipality")
    p.click("#make")
    # while the rows are geocoded the page answers: the language switches and back
    p.wait_for_function("() => document.getElementById('progress').dataset.state === 'geocoding'",
                        timeout=JOB_SECONDS * 1000)
    assert 0 < p.eval_on_selector("#progress", "e => e.value") <= p.eval_on_selector("#progress", "e => e.max") == BIG
    p.select_option("#lang", "en")
    assert p.locator("#make").inner_text() == "Make the map"
    p.select_option("#lang", "ja")
    p.wait_for_function("() => document.getElementById('progress').dataset.state === 'done'", timeout=JOB_SECONDS * 1000)
    seen = p.evaluate("window.__seen")
    counts = [int(m.group(1).replace(",", "")) for m in (re.search(r"([\d,]+) / 100,000", s) for s in seen) if m]
    assert counts and counts == sorted(counts) and max(counts) <= BIG
    assert seen[-1] == message("app_state_done")
    assert page.errors == []


@needs_chromium
def test_closing_the_page_removes_the_job_files(browser, app):
    opened = Page(browser, app)
    assert opened.page.evaluate("document.cookie") == ""  # HttpOnly: the page's scripts never see the token
    (folder,) = app.folders()
    before = set(folder.iterdir())
    opened.pick("koto.csv", (SAMPLES / "koto_facilities.csv").read_bytes())
    opened.read()
    (job,) = set(folder.iterdir()) - before
    assert (job / "input.csv").is_file()
    opened.page.close(run_before_unload=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and job.exists():
        time.sleep(0.1)
    assert not job.exists()
    opened.context.close()


@needs_chromium
def test_quit_button_stops_the_server_and_deletes_its_folder(browser, tmp_path):
    own = App(tmp_path / "quit")
    opened = Page(browser, own)
    opened.pick("koto.csv", (SAMPLES / "koto_facilities.csv").read_bytes())
    opened.read()
    assert len(own.folders()) == 1
    opened.page.click("#quit")
    opened.page.wait_for_selector("#stopped:not([hidden])")
    assert own.proc.wait(timeout=30) == 0
    assert own.folders() == []
    assert own.lines[-1] == message("app_stopped")
    opened.close()


# -- two jobs, and the jobs' housekeeping ---------------------------------------------------


def test_two_jobs_at_once_are_never_mixed(app):
    s = app.session()
    first = upload(app, s, "koto.xlsx", (SAMPLES / "koto_facilities.xlsx").read_bytes()).json()
    second = upload(app, s, "wards.csv", (SAMPLES / "tokyo_wards_facilities.csv").read_bytes()).json()
    assert first["read"]["rows"] == 120 and second["read"]["rows"] == 145
    runs = [app.post(s, f"/api/jobs/{j['job']}/render", json={"title": t}).json()
            for j, t in ((first, "一つ目"), (second, "二つ目"))]
    assert [r["run"] for r in runs] == [1, 1]
    done = [wait_job(app, s, j["job"]) for j in (first, second)]
    assert [d["state"] for d in done] == ["done", "done"]
    assert done[0]["result"]["summary"][0] == message("summary_read", rows="120", path="koto.xlsx")
    assert done[1]["result"]["summary"][0] == message("summary_read", rows="145", path="wards.csv")
    for job, title, rows in ((first, "一つ目", 120), (second, "二つ目", 145)):
        html = s.get(f"{app.base}/jobs/{job['job']}/map", timeout=30).text
        assert f"<title>{title}</title>" in html
        table = s.get(f"{app.base}/jobs/{job['job']}/files/csv", timeout=30).content
        assert len(csv_rows(table)) == rows + 1
    # a second map of a job while the first is made is refused in words
    again = app.post(s, f"/api/jobs/{first['job']}/render", json={})
    assert again.status_code == 200
    busy = app.post(s, f"/api/jobs/{first['job']}/render", json={})
    assert busy.status_code == 409 and busy.json()["error"] == message("app_busy")
    wait_job(app, s, first["job"])


def test_a_closed_job_is_gone_and_says_so(app):
    s = app.session()
    job = upload(app, s, "koto.csv", (SAMPLES / "koto_facilities.csv").read_bytes()).json()["job"]
    (folder,) = app.folders()
    assert (folder / job).is_dir()
    assert app.post(s, f"/api/jobs/{job}/close").json() == {"closed": True}
    assert not (folder / job).exists()
    r = s.get(f"{app.base}/api/jobs/{job}/status", timeout=30)
    assert r.status_code == 404 and r.json()["error"] == message("app_job_gone")
    r = app.post(s, f"/api/jobs/{job}/render?lang=en", json={})
    assert r.status_code == 404 and r.json()["error"] == message("app_job_gone", "en")


def test_idle_jobs_are_removed(tmp_path):
    jobs = Jobs(tmp_path, idle_seconds=60)
    try:
        old, new = jobs.new("a.csv"), jobs.new("b.csv")
        old.input.write_text("住所\n東京都江東区東陽4-11-28\n", encoding="utf-8")
        new.last_seen = old.last_seen + 50
        assert jobs.sweep(now=old.last_seen + 59) == []
        assert jobs.sweep(now=old.last_seen + 61) == [old.id]
        assert not old.folder.exists() and new.folder.is_dir() and len(jobs) == 1
    finally:
        jobs.shutdown()


def test_bad_options_get_the_cli_messages(app, tmp_path):
    from geomap.errors import GeomapError
    from geomap.messages import error_message
    from geomap.pipeline import render

    s = app.session()
    job = upload(app, s, "koto.csv", (SAMPLES / "koto_facilities.csv").read_bytes()).json()["job"]
    cases = [
        {"value": "定員", "agg": "median"},
        {"agg": "sum"},
        {"by": "none", "points": False},
        {"address_column": "無い列"},
        {"min_count": "0"},
        {"pref": "東京都", "city": "どこでもない市"},
    ]
    for options in cases:
        with pytest.raises(GeomapError) as raised:  # what geomap render says for these options
            render(SAMPLES / "koto_facilities.csv", tmp_path / "x.html",
                   **{k: int(v) if k == "min_count" else v for k, v in options.items()})
        for lang in ("ja", "en"):
            app.post(s, f"/api/jobs/{job}/render?lang={lang}", json=options)
            status = wait_job(app, s, job)
            assert status["state"] == "error"
            assert status["error"] == error_message(raised.value, lang), options
            assert "Traceback" not in status["error"] and str(app.tmp) not in status["error"]


# -- security ----------------------------------------------------------------------------------


def test_no_token_no_page(app):
    bare = requests.Session()
    for path in ("/", "/static/app.js", "/api/jobs/x/status", "/jobs/x/map", "/?token=wrong"):
        r = bare.get(app.base + path, timeout=30)
        assert r.status_code == 403, path
        assert r.text == message("app_forbidden") + "\n" + message("app_forbidden", "en") + "\n"
    r = bare.post(app.base + "/api/upload", headers={"Origin": app.base}, files={"file": ("a.csv", b"x")}, timeout=30)
    assert r.status_code == 403
    # the printed address sets the cookie and takes the token out of the address bar
    r = bare.get(app.url, allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert f"geomap-{app.port}={app.token}" in cookie
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    r = bare.get(app.base + "/", timeout=30)
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["referrer-policy"] == "no-referrer"
    assert app.token not in r.text


def test_wrong_host_header_is_refused(app):
    s = app.session()
    for host in (f"evil.example:{app.port}", "evil.example", f"127.0.0.1:{app.port + 1}", f"rebind.test:{app.port}",
                 f"localhost:{app.port}", "127.0.0.1", ""):
        r = s.get(app.base + "/", headers={"Host": host}, timeout=30)
        assert r.status_code == 403, host
        assert message("app_forbidden_host") in r.text
    assert s.get(app.base + "/", headers={"Host": app.host_port}, timeout=30).status_code == 200


def test_post_from_another_origin_is_refused(app):
    s = app.session()
    data = (SAMPLES / "koto_facilities.csv").read_bytes()
    before = [d for f in app.folders() for d in f.iterdir()]
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": f"http://localhost:{app.port + 1}"},
                    {"Origin": app.base, "Sec-Fetch-Site": "cross-site"}):
        r = s.post(app.base + "/api/upload", headers=headers, files={"file": ("a.csv", data)}, timeout=30)
        assert r.status_code == 403, headers
        assert message("app_forbidden_origin") in r.text
    r = s.post(app.base + "/api/upload", files={"file": ("a.csv", data)}, timeout=30)  # no Origin at all
    assert r.status_code == 403
    assert s.post(app.base + "/api/quit", headers={"Origin": "http://evil.example"}, timeout=30).status_code == 403
    assert [d for f in app.folders() for d in f.iterdir()] == before  # nothing was stored
    assert app.proc.poll() is None


def test_path_traversal_names_stay_inside_the_temporary_folder(app):
    s = app.session()
    data = "住所\n東京都江東区東陽4-11-28\n".encode("utf-8")
    names = ["../../x.csv", "..\\..\\x.csv", "/tmp/x.csv", "C:\\Windows\\x.csv", "....//x.csv", "x.csv/..", "..",
             "%2e%2e%2fx.csv", "x\x00.csv", "\u202ex.csv"]
    (folder,) = app.folders()
    before = set(folder.iterdir())
    for name in names:
        r = upload(app, s, name, data)
        assert r.status_code == 200, name
        answer = r.json()
        assert "/" not in answer["name"] and "\\" not in answer["name"] and "\x00" not in answer["name"]
        job = folder / answer["job"]
        assert sorted(p.name for p in job.iterdir()) in (["input.csv"], ["input.dat"])
        assert answer["read"]["rows"] == 1
    assert display_name("../../x.csv") == display_name("..\\..\\x.csv") == "x.csv"
    made = set(folder.iterdir()) - before
    assert len(made) == len(names) and all(d.is_dir() and d.parent == folder for d in made)
    assert all(p.name in ("input.csv", "input.dat") for d in made for p in d.rglob("*"))
    assert list(app.tmp.rglob("x.csv")) == []
    for place in (app.tmp.parent, ROOT, ROOT.parent, Path("/tmp"), Path.cwd()):
        assert not (place / "x.csv").exists()
    # a job, a download kind or a static file is never a path either
    for path in ("/jobs/..%2f..%2fetc/files/csv", "/jobs/x/files/..%2f..%2fpasswd", "/static/..%2fserver.py",
                 "/static/%2e%2e/server.py"):
        r = s.get(app.base + path, timeout=30)
        assert r.status_code == 404 and "root:" not in r.text and "import" not in r.text


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """An app that takes files up to 1 MB."""
    running = App(tmp_path_factory.mktemp("small"), "--max-upload", "1")
    assert running.url, running.errors
    yield running
    running.stop()


def test_an_upload_over_the_limit_gets_a_clear_message(small):
    s = small.session()
    (folder,) = small.folders()
    before = set(folder.iterdir())
    r = upload(small, s, "big.csv", b"a" * (2 * 2**20))
    assert r.status_code == 413
    assert r.json()["error"] == message("app_upload_too_large", limit="1")
    r = small.post(s, "/api/upload?lang=en", files={"file": ("big.csv", b"a" * (2**20 + 1))})
    assert r.status_code == 413 and r.json()["error"] == message("app_upload_too_large", "en", limit="1")
    assert set(folder.iterdir()) == before  # nothing of them is kept
    # a file under the limit is fine
    assert upload(small, s, "koto.csv", (SAMPLES / "koto_facilities.csv").read_bytes()).status_code == 200


@needs_chromium
def test_an_upload_over_the_limit_on_the_page(browser, small):
    opened = Page(browser, small)
    opened.pick("大きい.csv", b"a" * (2 * 2**20))
    assert opened.error() == message("app_upload_too_large", limit="1")
    assert opened.errors == []
    opened.close()


def _listening(port: int) -> set[str]:
    """Local addresses with a socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                if len(address) == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    raw = b"".join(bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, 32, 8))
                    found.add(socket.inet_ntop(socket.AF_INET6, raw))
    return found


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="reads the listening sockets from /proc/net/tcp")
def test_listens_on_127_0_0_1_only_unless_asked(app, tmp_path):
    assert app.host_port == f"127.0.0.1:{app.port}"
    assert _listening(app.port) == {"127.0.0.1"}
    # a wildcard is refused in words, an other address is used with a warning
    refused = subprocess.run([sys.executable, "-m", "geomap", "app", "--no-browser", "--host", "0.0.0.0"],
                             capture_output=True, text=True, timeout=60, env=dict(os.environ, TMPDIR=str(tmp_path)))
    assert refused.returncode == 2
    assert message("app_host_wildcard", host="0.0.0.0") in refused.stderr and "Traceback" not in refused.stderr
    other = App(tmp_path / "other", "--host", "127.0.0.2")
    try:
        assert other.url and other.host_port == f"127.0.0.2:{other.port}"
        assert other.lines[0] == message("app_host_warning", host="127.0.0.2")
        assert _listening(other.port) == {"127.0.0.2"}
        r = requests.get(other.url, timeout=30)
        assert r.status_code == 200
        # the Host check follows the bound address
        r = requests.get(other.url, headers={"Host": f"127.0.0.1:{other.port}"}, timeout=30)
        assert r.status_code == 403
    finally:
        other.stop()


def test_ctrl_c_stops_the_server_and_deletes_its_folder(tmp_path):
    own = App(tmp_path / "ctrl-c")
    assert own.url
    s = own.session()
    assert upload(own, s, "koto.csv", (SAMPLES / "koto_facilities.csv").read_bytes()).status_code == 200
    assert len(own.folders()) == 1 and any(own.folders()[0].iterdir())
    assert own.stop(signal.SIGINT) == 0
    assert own.folders() == []
    assert own.lines[-1] == message("app_stopped")
    assert not any("Traceback" in line for line in own.errors), own.errors


def test_a_closed_terminal_stops_it_and_a_killed_app_is_cleaned_up_by_the_next(tmp_path):
    from geomap.app import server

    hung = App(tmp_path / "hangup")
    assert hung.url and len(hung.folders()) == 1
    assert hung.stop(signal.SIGHUP) == 0  # the terminal window was closed
    assert hung.folders() == []
    killed = App(tmp_path / "killed")
    s = killed.session()
    assert upload(killed, s, "koto.csv", (SAMPLES / "koto_facilities.csv").read_bytes()).status_code == 200
    (left,) = killed.folders()
    killed.stop(signal.SIGKILL)  # the PC went off: nothing could clean up
    assert left.is_dir()
    lock = left / server.LOCK_NAME
    os.utime(lock, (time.time() - 2 * server.STALE_AFTER_SECONDS,) * 2)
    running = App(tmp_path / "killed")  # the next start removes it, and only it
    try:
        assert running.url
        assert not left.exists() and len(running.folders()) == 1
        (mine,) = running.folders()
        os.utime(mine / server.LOCK_NAME, (time.time() - 2 * server.STALE_AFTER_SECONDS,) * 2)
        other = App(tmp_path / "killed")
        try:
            assert other.url and len(other.folders()) == 2 and mine.is_dir()  # its lock is held: left alone
        finally:
            other.stop()
    finally:
        running.stop()
    assert running.folders() == []


def test_command_line_mistakes_get_one_line(app, tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path))

    def geomap_app(*args, code="from geomap.cli import main; main()"):
        return subprocess.run([sys.executable, "-c", code, "app", "--no-browser", *args], capture_output=True,
                              text=True, timeout=60, env=env)

    cases = [
        (["--port", str(app.port)], 2, "app_port_busy"),  # the running app's port
        (["--port", "70000"], 2, message("app_bad_port", value="70000")),
        (["--max-upload", "0"], 2, message("app_bad_max_upload", value="0.0")),
        (["--host", "::"], 2, message("app_host_wildcard", host="::")),
        (["--host", "not an address"], 2, "app_host_invalid"),
    ]
    for args, code, expected in cases:
        done = geomap_app(*args)
        assert done.returncode == code, (args, done.stderr)
        text = expected if not expected.startswith("app_") else message(expected, host=args[1], port=args[1],
                                                                          reason="")[:12]
        assert text in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1
    # without the extra, the command says what to install
    missing = geomap_app(code="import sys; sys.modules['starlette'] = None; from geomap.cli import main; main()")
    assert missing.returncode == 1
    assert message("app_missing", module="starlette") in missing.stderr and "Traceback" not in missing.stderr
    assert list(tmp_path.glob("geomap-app-*")) == []


def test_import_geomap_does_not_import_starlette():
    code = "import sys, geomap, geomap.cli, geomap.app; print(sorted(m for m in sys.modules if m.startswith(('starlette', 'uvicorn'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_display_names():
    assert display_name("C:\\Users\\職員\\一覧.xlsx") == "一覧.xlsx"
    assert display_name("a\x1b]0;t\x07b.csv") == "a]0;tb.csv"
    assert display_name("") == display_name("..") == "list"
    assert len(display_name("あ" * 500 + ".xlsx")) <= 120 and display_name("あ" * 500 + ".xlsx").endswith(".xlsx")


def test_every_page_text_has_both_languages():
    from geomap.messages.app import TEXTS

    for key, texts in TEXTS.items():
        assert key.startswith("app_")
        assert texts["ja"].strip() and texts["en"].strip(), key
    template = (ROOT / "geomap" / "app" / "templates" / "index.html").read_text(encoding="utf-8")
    script = (ROOT / "geomap" / "app" / "static" / "app.js").read_text(encoding="utf-8")
    used = set(re.findall(r"data-(?:text|title)=\"(app_\w+)\"", template)) | set(re.findall(r"\"(app_\w+)\"", script))
    used = {k for k in used if not k.endswith("_")}
    used |= {"app_state_" + s for s in ("queued", "reading", "drawing")}
    assert used - set(TEXTS) == set()
    # nothing in the page is written as markup from data
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script
    assert "|safe" not in template


def test_progress_callback_follows_the_chunks(tmp_path):
    from geomap.geocoding import CHUNK
    from geomap.pipeline import render

    wards = pd.read_csv(SAMPLES / "tokyo_wards_facilities.csv", dtype=str, keep_default_na=False)
    big = pd.concat([wards] * 30, ignore_index=True)
    path = tmp_path / "big.csv"
    big.to_csv(path, index=False)
    seen = []
    result = render(path, points=False, by="municipality", progress=lambda done, total: seen.append((done, total)))
    n = len(big)
    assert seen == [(min(end, n), n) for end in range(CHUNK, n + CHUNK, CHUNK)]
    assert result.placed == n


# -- getting it onto an office PC ------------------------------------------------------------


def _offline(command: list[str]) -> tuple[list[str], dict]:
    """``command`` with the network off: in a namespace without network where the system allows
    one (``unshare -rn``), else with pip's configuration ignored and every proxy pointing at a
    closed port. Either way pip sees no index and no other folder of wheels."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9",
               HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9", no_proxy="", NO_PROXY="")
    try:
        unshare = subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        unshare = False
    return (["unshare", "-rn", *command] if unshare else command), env


@pytest.mark.wheelhouse
def test_install_from_a_wheelhouse_with_the_network_off(tmp_path):
    """The README's LGWAN steps: a wheelhouse made by tools/make_wheelhouse.py, installed with
    ``pip install --no-index --find-links`` into a new venv with the network off, and the map made.

    The wheelhouse is made with ``--from-installed`` (this venv's packages as wheels, plus geomap's
    own wheel built from the checkout), so only building geomap's wheel may need the registry. It
    takes a minute or two; ``pytest -m "not wheelhouse"`` leaves it out.
    """
    wheelhouse = tmp_path / "wheelhouse"
    made = subprocess.run([sys.executable, str(ROOT / "tools" / "make_wheelhouse.py"), str(wheelhouse),
                           "--platform", "linux", "--from-installed"], capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-3000:]
    wheels = sorted(p.name for p in wheelhouse.iterdir() if p.suffix == ".whl")
    assert any(w.startswith("geomap-") for w in wheels) and any(w.startswith("starlette-") for w in wheels)
    assert not list(wheelhouse.glob("*.tar.gz"))  # nothing to compile on the office PC
    assert "--no-index --find-links" in (wheelhouse / "README.txt").read_text(encoding="utf-8")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    command, env = _offline([str(python), "-m", "pip", "install", "--no-index", "--find-links", str(wheelhouse),
                             "geomap[app]"])
    installed = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]

    command, env = _offline([str(venv / "bin" / "geomap"), "render", str(SAMPLES / "koto_facilities.xlsx"),
                             "-o", str(tmp_path / "koto.html")])
    rendered = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    assert message("summary_placed", placed="120", rows="120") in rendered.stderr
    assert (tmp_path / "koto.html").stat().st_size > 0
    command, env = _offline([str(python), "-c", "import geomap, geomap.app.server; print(geomap.__file__)"])
    where = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(venv)  # the wheel's copy, not this checkout
