"""The local page's web server: Starlette on uvicorn, bound to 127.0.0.1 by default.

:func:`create_app` builds the application: the page (a fixed Jinja2 template with
autoescape on, and two static files), the JSON API the page's script calls (upload, read
again with another sheet or header row, make the map, its status, close the job, quit) and
the results (the map for the sandboxed frame, and the downloads). Who may ask is decided in
:mod:`geomap.app.security`, before any of it runs. No request names a path on disk: jobs
are found by their random id and files by a fixed kind (``html``, ``png``, ``csv``,
``unmatched``).

Errors reach the page as the CLI's translated messages, never as a traceback; the server
keeps running. :func:`serve` runs it all until Ctrl-C or the page's 終了 button, and removes
the app's temporary folder on the way out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
import webbrowser
from pathlib import Path

import jinja2
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ..errors import GeomapError, UsageError
from ..messages import LANGS, MESSAGES, error_message, message
from .forms import JSON_BODY_MAX, Upload, drain, number_option, read_json, text_option
from .jobs import RESULT_FILES, JobBusy, JobGone, Jobs
from .security import DEFAULT_HOST, DOWNLOAD_CSP, MAP_CSP, Guard, bind, host_port

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
DEFAULT_MAX_UPLOAD_MB = 50
IDLE_SECONDS = 30 * 60
SWEEP_SECONDS = 60
STATIC = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}


# -- the page's texts -----------------------------------------------------------------


def page_texts() -> dict:
    """Every ``app_*`` message in both languages: the page switches language without a reload."""
    keys = [k for k in MESSAGES if k.startswith("app_")]
    return {lang: {k: message(k, lang) for k in keys} for lang in LANGS}


def _lang(value) -> str:
    return value if value in LANGS else "ja"


# -- the application ----------------------------------------------------------------------


def create_app(*, host: str, port: int, token: str, root, max_upload: int, lang: str = "ja",
               idle_seconds: float = IDLE_SECONDS, on_quit=None) -> Starlette:
    """The app for one server: ``root`` is its private temporary folder, ``max_upload`` bytes.

    ``on_quit`` is called when the page's 終了 button is pressed.
    """
    jobs = Jobs(root, idle_seconds=idle_seconds)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    page = env.get_template("index.html")
    texts = page_texts()
    limit_mb = max_upload / 2**20

    def fail(key_or_text: str, status: int, lang: str, **params) -> JSONResponse:
        text = message(key_or_text, lang, **params) if key_or_text in MESSAGES else key_or_text
        return JSONResponse({"error": text}, status_code=status)

    def lang_of(request: Request) -> str:
        return _lang(request.query_params.get("lang"))

    def endpoint(handler):
        """Every answer in words: a closed job, a bad request, the CLI's message, or the bug's one line."""

        async def answer(request: Request):
            try:
                return await handler(request)
            except JobGone:
                return fail("app_job_gone", 404, lang_of(request))
            except HTTPException as exc:
                return fail("app_not_found" if exc.status_code == 404 else "app_bad_request", exc.status_code,
                            lang_of(request))
            except GeomapError as exc:
                return fail(error_message(exc, lang_of(request)), 400, lang_of(request))
            except Exception as exc:  # noqa: BLE001 - a bug: one line on the page, the server goes on
                log.debug("request failed", exc_info=True)
                return fail("unexpected", 500, lang_of(request), kind=type(exc).__name__,
                            detail=(str(exc).splitlines() or [""])[0][:200])

        return answer

    async def index(request: Request):
        page_lang = lang_of(request) if "lang" in request.query_params else lang
        html = page.render(
            lang=page_lang, t=texts[page_lang],
            boot={"lang": page_lang, "texts": texts},
        )
        return Response(html, media_type="text/html; charset=utf-8")

    async def static(request: Request):
        name = request.path_params["name"]
        if name not in STATIC:
            raise HTTPException(404)
        return Response((HERE / "static" / name).read_bytes(), media_type=STATIC[name])

    async def upload(request: Request):
        lang = lang_of(request)
        kind, params = parse_options_header(request.headers.get("content-type", ""))
        boundary = params.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            return fail("app_no_file", 400, lang)
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_upload + JSON_BODY_MAX:
            await drain(request)
            return fail("app_upload_too_large", 413, lang, limit=f"{limit_mb:g}")
        received = Upload(jobs, max_upload)
        try:
            parser = MultipartParser(boundary, received.callbacks(), max_size=max_upload + JSON_BODY_MAX)
            async for chunk in request.stream():
                if received.too_large:
                    continue  # read what the browser sends, so that it gets the answer
                parser.write(chunk)
            parser.finalize()
        except ClientDisconnect:
            received.discard()
            return fail("app_no_file", 400, lang)
        except Exception:  # a malformed body: the parser's own error, never shown as such
            log.debug("upload refused", exc_info=True)
            received.discard()
            if received.too_large:
                return fail("app_upload_too_large", 413, lang, limit=f"{limit_mb:g}")
            return fail("app_bad_request", 400, lang)
        if received.too_large:
            received.discard()
            return fail("app_upload_too_large", 413, lang, limit=f"{limit_mb:g}")
        job = received.job
        if job is None:
            return fail("app_no_file", 400, lang)
        return await read_answer(job, lang)

    def reading_options(body) -> dict:
        """How the list is read (sheet, header row, encoding): the same for reading it again and for the map."""
        return {key: text_option(body.get(key)) for key in ("sheet", "header_row", "encoding")}

    async def read_answer(job, lang, **options):
        """The list read (its columns, rows, guesses) or, when it cannot be read, why (422)."""
        answer = {"job": job.id, "name": job.name}
        try:
            answer["read"] = await run_in_threadpool(jobs.read, job, lang=lang, **options)
        except GeomapError as exc:
            answer["error"] = job.shown(error_message(exc, lang))
            return JSONResponse(answer, status_code=422)
        return JSONResponse(answer)

    async def read(request: Request):
        lang = lang_of(request)
        body = await read_json(request)
        job = jobs.get(request.path_params["job"])
        return await read_answer(job, lang, **reading_options(body))

    async def make(request: Request):
        lang = lang_of(request)
        body = await read_json(request)
        job = jobs.get(request.path_params["job"])
        options = {
            **reading_options(body),
            "address_column": text_option(body.get("address_column")),
            "name": text_option(body.get("name")),
            "category": text_option(body.get("category")),
            "value": text_option(body.get("value")),
            "agg": text_option(body.get("agg")) or "count",
            "by": text_option(body.get("by")) or "auto",
            "pref": text_option(body.get("pref")),
            "city": text_option(body.get("city")),
            "min_count": number_option(body.get("min_count")),
            "points": body.get("points") is not False,
            "title": text_option(body.get("title")) or job.stem,
        }
        try:
            run = jobs.submit(job, options, lang)
        except JobBusy:
            return fail("app_busy", 409, lang)
        return JSONResponse({"job": job.id, "run": run})

    async def status(request: Request):
        job = jobs.get(request.path_params["job"])
        return JSONResponse(job.status())

    async def close(request: Request):
        jobs.close(request.path_params["job"])
        return JSONResponse({"closed": True})

    async def show_map(request: Request):
        job = jobs.get(request.path_params["job"])
        path = job.files.get("html")
        if path is None or not path.is_file():
            raise HTTPException(404)
        return FileResponse(path, media_type="text/html; charset=utf-8", content_disposition_type="inline",
                            headers={"Content-Security-Policy": MAP_CSP, "X-Frame-Options": "SAMEORIGIN"})

    async def download(request: Request):
        job = jobs.get(request.path_params["job"])
        kind = request.path_params["kind"]
        path = job.files.get(kind) if kind in RESULT_FILES else None
        if path is None or not path.is_file():
            raise HTTPException(404)
        media = {"html": "text/html; charset=utf-8", "png": "image/png"}.get(kind, "text/csv; charset=utf-8")
        return FileResponse(path, media_type=media, filename=job.download_name(kind),
                            headers={"Content-Security-Policy": DOWNLOAD_CSP})

    async def quit_app(request: Request):
        if on_quit is not None:
            asyncio.get_running_loop().call_later(0.2, on_quit)
        return JSONResponse({"stopped": True})

    async def http_error(request: Request, exc: HTTPException):
        return fail("app_not_found" if exc.status_code == 404 else "app_bad_request", exc.status_code,
                    lang_of(request))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        async def sweep():
            while True:
                await asyncio.sleep(min(SWEEP_SECONDS, max(idle_seconds / 2, 0.5)))
                jobs.sweep()

        task = asyncio.create_task(sweep())
        try:
            yield
        finally:
            task.cancel()
            jobs.shutdown()

    routes = [
        Route("/", endpoint(index), methods=["GET"]),
        Route("/static/{name}", endpoint(static), methods=["GET"]),
        Route("/api/upload", endpoint(upload), methods=["POST"]),
        Route("/api/jobs/{job}/read", endpoint(read), methods=["POST"]),
        Route("/api/jobs/{job}/render", endpoint(make), methods=["POST"]),
        Route("/api/jobs/{job}/status", endpoint(status), methods=["GET"]),
        Route("/api/jobs/{job}/close", endpoint(close), methods=["POST"]),
        Route("/api/quit", endpoint(quit_app), methods=["POST"]),
        Route("/jobs/{job}/map", endpoint(show_map), methods=["GET"]),
        Route("/jobs/{job}/files/{kind}", endpoint(download), methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={HTTPException: http_error})
    guard = Guard(app, host=host, port=port, token=token, lang=lang)
    guard.jobs = jobs
    return guard


# -- running it -----------------------------------------------------------------------------


#: Held locked by a running app inside its temporary folder; a folder whose lock is free
#: belongs to an app that ended without cleaning up (its window was closed, the PC went off).
LOCK_NAME = ".lock"
STALE_AFTER_SECONDS = 60


def _lock(handle) -> bool:
    """Lock ``handle`` for this process, without waiting; False when another process holds it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def remove_stale(temp) -> list[Path]:
    """Remove the temporary folders of apps that are gone; the folders removed."""
    removed = []
    for folder in Path(temp).glob("geomap-app-*"):
        lock = folder / LOCK_NAME
        try:
            if not lock.is_file() or time.time() - lock.stat().st_mtime < STALE_AFTER_SECONDS:
                continue  # not ours, or an app that is starting
            with open(lock, "a+b") as handle:
                free = _lock(handle)
        except OSError:
            continue
        if free:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def serve(*, host: str = DEFAULT_HOST, port: int = 0, open_browser: bool = True,
          max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB, lang: str = "ja", echo=print,
          idle_seconds: float = IDLE_SECONDS) -> None:
    """Run the page until Ctrl-C or its 終了 button; the temporary folder is removed on the way out."""
    import uvicorn

    lang = _lang(lang)
    if not (max_upload_mb > 0):
        raise UsageError(f"bad --max-upload {max_upload_mb}", key="app_bad_max_upload", value=str(max_upload_mb))
    sock = bind(host, port)
    port = sock.getsockname()[1]
    if host != DEFAULT_HOST:
        echo(message("app_host_warning", lang, host=host))
    token = secrets.token_urlsafe(32)
    remove_stale(tempfile.gettempdir())
    root = Path(tempfile.mkdtemp(prefix="geomap-app-"))
    held = open(root / LOCK_NAME, "a+b")  # noqa: SIM115 - held until the app stops
    _lock(held)
    server = None
    hangup = getattr(signal, "SIGHUP", None)  # the terminal was closed: stop as for Ctrl-C
    before = None
    try:
        def quit_now(*_):
            if server is not None:
                server.should_exit = True

        if hangup is not None:
            before = signal.signal(hangup, quit_now)

        app = create_app(host=host, port=port, token=token, root=root, max_upload=int(max_upload_mb * 2**20),
                         lang=lang, idle_seconds=idle_seconds, on_quit=quit_now)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                                timeout_graceful_shutdown=5, log_config=None)
        server = uvicorn.Server(config)
        url = f"http://{host_port(host, port)}/?token={token}"
        if lang != "ja":
            url += f"&lang={lang}"

        def announce():
            while not server.started and not server.should_exit:
                time.sleep(0.05)
            if not server.started:
                return
            echo(message("app_started" if open_browser else "app_started_no_browser", lang, url=url))
            echo(message("app_how_to_stop", lang))
            if open_browser:
                try:
                    opened = webbrowser.open(url)
                except Exception:  # noqa: BLE001 - no browser is not an error of the page
                    opened = False
                if not opened:
                    echo(message("app_browser_failed", lang))

        threading.Thread(target=announce, name="geomap-app-announce", daemon=True).start()
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:  # uvicorn stopped gracefully, then passes Ctrl-C on: the usual way out
            pass
    finally:
        if hangup is not None and before is not None:
            signal.signal(hangup, before)
        sock.close()
        held.close()
        shutil.rmtree(root, ignore_errors=True)
    echo(message("app_stopped", lang))


__all__ = ["create_app", "page_texts", "remove_stale", "serve"]
