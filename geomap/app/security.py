"""Who may reach the local page, and what its answers may do in the browser.

- Every request needs the session cookie. Its value is a random token made at start and
  given once, in the address the command prints and opens (``/?token=…``); that request
  sets the cookie (``HttpOnly; SameSite=Strict``; named after the port, as cookies are
  shared between ports) and redirects to ``/`` so the token leaves the address bar.
  Anything else without it gets 403.
- The ``Host`` header must be the bound address (a DNS-rebinding page names its own host).
- A request that changes something (anything but GET and HEAD) must come from the page
  itself: its ``Origin`` must be the page's own, else 403.
- Pages carry a strict Content-Security-Policy (scripts and styles from this server only,
  no inline script, no framing). The map is sent with a CSP ``sandbox`` of its own and is
  shown in an ``<iframe sandbox="allow-scripts">`` without ``allow-same-origin``, so its
  scripts can reach neither the page nor the server, even if the map is opened on its own.
- The server listens on 127.0.0.1 unless another address is asked for, and never on a
  wildcard address (the Host check needs the one address the page is reached by).
"""

from __future__ import annotations

import hmac
import ipaddress
import socket
import sys
from urllib.parse import parse_qs

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse, RedirectResponse

from ..errors import UsageError
from ..messages import LANGS, message

DEFAULT_HOST = "127.0.0.1"

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


def host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Guard:
    """ASGI middleware: the Host check, the session token and the Origin check, and the
    security headers of every response."""

    def __init__(self, app, *, host: str, port: int, token: str, lang: str = "ja"):
        self.app = app
        self.token = token
        self.cookie = f"geomap-{port}"
        self.origin = "http://" + host_port(host, port)
        self.hosts = {host_port(host, port)}  # the printed address only, as the cookie is bound to it
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
        signed_in = _same(_cookie(headers.get("cookie", ""), self.cookie), self.token)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if method == "GET" and scope["path"] == "/" and "token" in query:
            # The printed address: the token goes into the cookie and leaves the address bar at once.
            right = _same(query["token"][0], self.token)
            if not (right or signed_in):
                return await self._refuse("app_forbidden", scope, receive, send)
            page_lang = query.get("lang", [""])[0]
            response = RedirectResponse(f"/?lang={page_lang}" if page_lang in LANGS else "/", status_code=303)
            if right:
                response.set_cookie(self.cookie, self.token, httponly=True, samesite="strict", path="/")
            return await self._send(response, scope, receive, send)
        if not signed_in:
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


def _same(given, token: str) -> bool:
    """``given`` is the token (compared in constant time, whatever characters it holds)."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8"))


def _secure(headers) -> None:
    headers.setdefault("Content-Security-Policy", PAGE_CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cache-Control"] = "no-store"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")


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


__all__ = ["DEFAULT_HOST", "DOWNLOAD_CSP", "Guard", "MAP_CSP", "PAGE_CSP", "bind", "check_host", "host_port"]
