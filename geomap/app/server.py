"""The local page's web server: Starlette on uvicorn, bound to 127.0.0.1 by default.

Who may ask what:

- Every request needs the session cookie. Its value is a random token made at start and
  given once, in the address the command prints and opens (``/?token=…``); that request
  sets the cookie (``HttpOnly; SameSite=Strict``) and redirects to ``/`` so the token
  leaves the address bar. Anything else without it gets 403.
- The ``Host`` header must be the bound address (a DNS-rebinding page names its own host).
- A request that changes something (anything but GET and HEAD) must come from the page
  itself: its ``Origin`` must be the page's own, else 403.
- Uploads are streamed into the job's folder and cut off at the limit; the name the
  browser sent is only shown. No request names a path on disk: jobs are found by their
  random id and files by a fixed kind (``html``, ``png``, ``csv``, ``unmatched``).
- Pages carry a strict Content-Security-Policy (scripts and styles from this server only,
  no inline script, no framing). The map is the file ``geomap render`` writes; it is sent
  with a CSP ``sandbox`` of its own and shown in an ``<iframe sandbox="allow-scripts">``
  without ``allow-same-origin``, so its scripts can reach neither the page nor the server.

Errors reach the page as the CLI's translated messages, never as a traceback; the server
keeps running.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import json
import logging
import secrets
import shutil
import socket
import sys
import tempfile
import threading
import time
import webbrowser
from pathlib import Path
from urllib.parse import parse_qs

import jinja2
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..errors import GeomapError, UsageError
from ..messages import LANGS, MESSAGES, error_message, message
from .jobs import RESULT_FILES, JobBusy, JobGone, Jobs

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
DEFAULT_HOST = "127.0.0.1"
DEFAULT_MAX_UPLOAD_MB = 50
IDLE_SECONDS = 30 * 60
SWEEP_SECONDS = 60
JSON_BODY_MAX = 64 * 1024
TEXT_OPTION_MAX = 200
STATIC = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}

#: The page: its own scripts, styles and frames only; nothing inline, no plugin, no framing.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)
#: The map (the file ``geomap render`` writes): its inline Leaflet, the GSI / OSM tiles it
#: may show, and a sandbox without same-origin, also when opened on its own.
MAP_CSP = (
    "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; img-src data: blob: https://cyberjapandata.gsi.go.jp https://tile.openstreetmap.org; "
    "font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'self'"
)
#: Downloads are never rendered by this server's origin.
DOWNLOAD_CSP = "sandbox; default-src 'none'"


# -- the page's texts -----------------------------------------------------------------


def page_texts() -> dict:
    """Every ``app_*`` message and the ones the page's JavaScript shows, in both languages."""
    keys = [k for k in MESSAGES if k.startswith("app_")]
    return {lang: {k: message(k, lang) for k in keys} for lang in LANGS}


def _lang(value) -> str:
    return value if value in LANGS else "ja"


# -- security ---------------------------------------------------------------------------


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Guard:
    """ASGI middleware: the Host check, the session token and the Origin check, and the
    security headers of every response."""

    def __init__(self, app, *, host: str, port: int, token: str, lang: str = "ja"):
        self.app = app
        self.token = token
        self.cookie = f"geomap-{port}"
        self.origin = "http://" + _host_port(host, port)
        self.hosts = {_host_port(host, port)}
        if host == DEFAULT_HOST:
            self.hosts.add(f"localhost:{port}")
        self.lang = lang

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self.app(scope, receive, send)
        if scope["type"] != "http":  # websockets: not used by the page
            return
        headers = Headers(scope=scope)
        if headers.get("host", "").lower() not in self.hosts:
            return await self._refuse("app_forbidden_host", scope, receive, send)
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            if headers.get("origin") != self.origin or headers.get("sec-fetch-site", "same-origin") != "same-origin":
                return await self._refuse("app_forbidden_origin", scope, receive, send)
        cookie = _cookie(headers.get("cookie", ""), self.cookie)
        if not (cookie and hmac.compare_digest(cookie, self.token)):
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            given = query.get("token", [""])[0]
            if method == "GET" and scope["path"] == "/" and given and hmac.compare_digest(given, self.token):
                # The token leaves the address bar (and the history) at once.
                page_lang = query.get("lang", [""])[0]
                response = RedirectResponse(f"/?lang={page_lang}" if page_lang in LANGS else "/", status_code=303)
                response.set_cookie(self.cookie, self.token, httponly=True, samesite="strict", path="/")
                return await self._send(response, scope, receive, send)
            return await self._refuse("app_forbidden", scope, receive, send)

        async def send_with_headers(event):
            if event["type"] == "http.response.start":
                _secure(MutableHeaders(scope=event))
            await send(event)

        await self.app(scope, receive, send_with_headers)

    async def _refuse(self, key, scope, receive, send):
        text = message(key, "ja") + "\n" + message(key, "en") + "\n"
        await self._send(PlainTextResponse(text, status_code=403), scope, receive, send)

    async def _send(self, response, scope, receive, send):
        _secure(response.headers)
        await response(scope, receive, send)


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _secure(headers) -> None:
    headers.setdefault("Content-Security-Policy", PAGE_CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cache-Control"] = "no-store"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")


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
            boot={"lang": page_lang, "texts": texts, "maxUpload": max_upload, "limitMb": f"{limit_mb:g}"},
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
            await _drain(request)
            return fail("app_upload_too_large", 413, lang, limit=f"{limit_mb:g}")
        received = _Upload(jobs, max_upload)
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
        answer = {"job": job.id, "name": job.name}
        try:
            answer["read"] = await run_in_threadpool(jobs.read, job, lang=lang)
        except GeomapError as exc:
            answer["error"] = job.shown(error_message(exc, lang))
            return JSONResponse(answer, status_code=422)
        return JSONResponse(answer)

    async def read(request: Request):
        lang = lang_of(request)
        body = await _json(request)
        job = jobs.get(request.path_params["job"])
        options = {
            "sheet": _text(body.get("sheet")),
            "header_row": _text(body.get("header_row")),
            "encoding": _text(body.get("encoding")),
        }
        try:
            return JSONResponse({"job": job.id, "name": job.name,
                                 "read": await run_in_threadpool(jobs.read, job, lang=lang, **options)})
        except GeomapError as exc:
            return JSONResponse({"job": job.id, "name": job.name, "error": job.shown(error_message(exc, lang))},
                                status_code=422)

    async def make(request: Request):
        lang = lang_of(request)
        body = await _json(request)
        job = jobs.get(request.path_params["job"])
        options = {
            "sheet": _text(body.get("sheet")),
            "header_row": _text(body.get("header_row")),
            "encoding": _text(body.get("encoding")),
            "address_column": _text(body.get("address_column")),
            "name": _text(body.get("name")),
            "category": _text(body.get("category")),
            "value": _text(body.get("value")),
            "agg": _text(body.get("agg")) or "count",
            "by": _text(body.get("by")) or "auto",
            "pref": _text(body.get("pref")),
            "city": _text(body.get("city")),
            "min_count": _int(body.get("min_count")),
            "points": body.get("points") is not False,
            "title": _text(body.get("title")) or job.stem,
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


class _Upload:
    """Callbacks for the multipart parser: the ``file`` part goes to a new job's folder."""

    def __init__(self, jobs: Jobs, limit: int):
        self.jobs, self.limit = jobs, limit
        self.job = None
        self.size = 0
        self.too_large = False
        self._file = None
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda d, s, e: setattr(self, "_field", self._field + d[s:e]),
            "on_header_value": lambda d, s, e: setattr(self, "_value", self._value + d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self):
        self._headers, self._field, self._value = {}, b"", b""

    def _header_end(self):
        self._headers[self._field.strip().lower()] = self._value.strip()
        self._field, self._value = b"", b""

    def _headers_done(self):
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        if params.get(b"name") == b"file" and b"filename" in params and self.job is None:
            name = params[b"filename"].decode("utf-8", "replace")
            self.job = self.jobs.new(name)
            self._file = open(self.job.input, "xb")  # noqa: SIM115 - closed in _end or discard

    def _data(self, data, start, end):
        if self._file is None:
            return
        self.size += end - start
        if self.size > self.limit:
            self.too_large = True
            self._file.close()
            self._file = None
            return
        self._file.write(data[start:end])

    def _end(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    def discard(self):
        self._end()
        if self.job is not None:
            self.jobs.close(self.job.id)
            self.job = None


async def _drain(request: Request) -> None:
    with contextlib.suppress(ClientDisconnect):
        async for _ in request.stream():
            pass


async def _json(request: Request) -> dict:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > JSON_BODY_MAX:
            raise HTTPException(400)
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        raise HTTPException(400) from None
    if not isinstance(value, dict):
        raise HTTPException(400)
    return value


def _text(value) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text[:TEXT_OPTION_MAX] if text else None


def _int(value):
    """A whole number from the page; anything else as text, for the library to refuse in words."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()[:TEXT_OPTION_MAX]
    return int(text) if text.isdigit() else text


# -- running it -----------------------------------------------------------------------------


def check_host(host: str) -> None:
    """Refuse a wildcard address: the Host check needs the one address the page is reached by."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        if host == "localhost":
            return
        raise UsageError(f"--host {host!r} is not an IP address", key="app_host_invalid", host=host,
                         reason="IP address") from None
    if address.is_unspecified:
        raise UsageError(f"--host {host!r} listens everywhere", key="app_host_wildcard", host=host)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: a free port)."""
    check_host(host)
    if not 0 <= port <= 65535:
        raise UsageError(f"bad port {port}", key="app_bad_port", value=str(port))
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        if port:
            raise UsageError(f"cannot listen on port {port}: {exc}", key="app_port_busy", port=port,
                             reason=exc.strerror or str(exc)) from None
        raise UsageError(f"cannot listen on {host}: {exc}", key="app_host_invalid", host=host,
                         reason=exc.strerror or str(exc)) from None
    sock.listen(64)
    sock.setblocking(False)
    return sock


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
    root = Path(tempfile.mkdtemp(prefix="geomap-app-"))
    server = None
    try:
        def quit_now():
            if server is not None:
                server.should_exit = True

        app = create_app(host=host, port=port, token=token, root=root, max_upload=int(max_upload_mb * 2**20),
                         lang=lang, idle_seconds=idle_seconds, on_quit=quit_now)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                                timeout_graceful_shutdown=5, log_config=None)
        server = uvicorn.Server(config)
        url = f"http://{_host_port(host, port)}/?token={token}"
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
        sock.close()
        shutil.rmtree(root, ignore_errors=True)
    echo(message("app_stopped", lang))


__all__ = ["PAGE_CSP", "create_app", "serve"]
