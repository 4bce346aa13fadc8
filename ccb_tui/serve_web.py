"""The textual-serve server as ccb-tui runs it: its own page, local fonts, a port bound up front.

Imported only by ``ccb-tui serve`` (it brings aiohttp, jinja2 and rich). What it changes in
textual-serve's ``Server``:

- the page template (``serve_assets/templates/app_index.html``): the intro and "session ended"
  texts in the interface language, and every font served from this server. textual-serve's own
  page loads Roboto Mono from an internet font service; offline, the browser falls back to a
  font that may lack Vietnamese letters. The package already ships Roboto Mono (which covers
  Vietnamese) among its static files, so the template declares it with ``@font-face``, and adds
  DejaVu Sans Mono (shipped with ccb-tui, ``/ccb-fonts/``) for the symbols Roboto Mono lacks;
- the listening socket is bound before the web app starts, so a taken port is one clear error
  and no banner;
- a short banner in the interface language instead of textual-serve's logo;
- a door (:class:`Door`): textual-serve accepts any request and any websocket, from any page.
  Every request here needs the secret token made at start (in the URL ``serve`` prints, then in
  a cookie), and a request that names a foreign ``Origin`` is refused, so neither another local
  account nor a web page open in the tunnel owner's browser can drive the app;
- an access log that never writes the query string (it carries the token).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import signal
import socket
import sys
import urllib.parse
from pathlib import Path
from typing import Any, Awaitable, Callable

import aiohttp_jinja2
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from textual_serve.server import Server

from .core.domain.text import sanitize

ASSETS = Path(__file__).resolve().parent / "serve_assets"
FONTS_ROUTE = "/ccb-fonts/"

PAGE_TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "loading": "Đang mở bảng điều khiển…",
        "noscript": "Trang này cần bật JavaScript.",
        "start": "Bắt đầu",
        "ended": "Phiên làm việc đã kết thúc.",
        "restart": "Mở lại",
        "no_token": "403 — cần mã truy cập. Hãy mở đúng địa chỉ mà lệnh ccb-tui serve đã in ra "
                    "(có ?token=…). Mã đổi mỗi lần khởi động lại serve.",
        "bad_origin": "403 — yêu cầu đến từ một trang web khác bị từ chối. Hãy mở đúng địa chỉ mà "
                      "lệnh ccb-tui serve đã in ra.",
    },
    "en": {
        "loading": "Opening the dashboard…",
        "noscript": "This page needs JavaScript.",
        "start": "Start",
        "ended": "Session ended.",
        "restart": "Restart",
        "no_token": "403 — an access token is needed. Open the exact address ccb-tui serve printed "
                    "(with ?token=…). The token changes each time serve starts.",
        "bad_origin": "403 — a request from another web page was refused. Open the exact address "
                      "ccb-tui serve printed.",
    },
}


def bind_sockets(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for every address ``host`` resolves to (raises ``OSError``).

    Bound here rather than by aiohttp so that a taken port fails before the web app starts
    (and before anything is printed). SO_REUSEADDR as aiohttp sets it on POSIX: a restart right
    after a stop is not refused because of connections in TIME_WAIT, while a port someone is
    listening on still is.
    """
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    sockets: list[socket.socket] = []
    seen: set[tuple[Any, ...]] = set()
    try:
        for family, kind, proto, _name, address in infos:
            if (family, address) in seen:
                continue
            seen.add((family, address))
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            if hasattr(socket, "SO_REUSEADDR") and not hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and hasattr(socket, "IPV6_V6ONLY"):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)  # the IPv4 entry has its own
            sock.bind(address)
            sock.listen(128)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def page_url(host: str, port: int) -> str:
    """The URL a browser on this machine opens (an IPv6 address in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}" if port == 80 else f"http://{shown}:{port}"


TOKEN_PARAM = "token"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")

log = logging.getLogger("ccb_tui.serve")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def origin_of(url: str) -> str:
    """The origin a browser sends for a page at ``url``: scheme://host[:port], lower case, the
    default port left out (as browsers write it)."""
    parts = urllib.parse.urlsplit(url.strip())
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" if port is None or port == default else f"{scheme}://{host}:{port}"


def allowed_origins(public_url: str) -> frozenset[str]:
    """The ``Origin`` values accepted: the public URL's own, and when that is a loopback address,
    the same scheme and port under the other loopback names (the page at http://localhost:8000
    and at http://127.0.0.1:8000 is the same page on this machine, or through the SSH tunnel)."""
    own = origin_of(public_url)
    parts = urllib.parse.urlsplit(own)
    host = (parts.hostname or "").strip("[]")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return frozenset({own})
    port = f":{parts.port}" if parts.port is not None else ""
    return frozenset({own} | {f"{parts.scheme}://{name}{port}" for name in LOOPBACK_NAMES})


def _same(candidate: str | None, token: str) -> bool:
    """Constant-time comparison; anything missing, empty or not text is simply not the token."""
    if not candidate or not isinstance(candidate, str):
        return False
    return hmac.compare_digest(candidate.encode("utf-8", "surrogatepass"), token.encode("utf-8"))


class Door:
    """Who may use the served app: whoever holds the token, from no page but this one.

    - Every path (the page, the websocket, static files, fonts, downloads) needs the token, as
      ``?token=…`` or in the cookie the first page load sets (HttpOnly, SameSite=Strict, Path=/;
      Secure when the public URL is https). The refusal page needs nothing from the server, so
      nothing is left open.
    - A request carrying an ``Origin`` header must come from the public URL's origin: a browser
      always sends it on a websocket, so a foreign page (cross-site websocket hijacking) is
      refused even if it somehow had the cookie. A request with no ``Origin`` (a script, curl, a
      non-browser websocket client) is let in only with the token, like every other.
    - There is no way to turn the door off: an empty token is a programming error.
    """

    def __init__(self, token: str, public_url: str, lang: str = "vi") -> None:
        if not token or len(token) < 16:
            raise ValueError("serve needs a secret token of at least 16 characters")
        self.token = token
        self.lang = lang if lang in PAGE_TEXT else "vi"
        self.origins = allowed_origins(public_url)
        parts = urllib.parse.urlsplit(public_url)
        self.secure = parts.scheme.lower() == "https"
        # Cookies are shared between ports of one host: name it after the port the browser uses,
        # so two serves on one machine (two staff, two tunnels) do not log each other out.
        port = parts.port or (443 if self.secure else 80)
        self.cookie_name = f"ccb_tui_token_{port}"

    def _refuse(self, request: web.Request, why: str) -> web.Response:
        origin = request.headers.get("Origin")
        log.warning("refused %s %s from %s: %s%s", request.method, _shown_path(request), request.remote, why,
                    f" (Origin {sanitize(origin)[:200]!r})" if origin is not None else "")
        text = PAGE_TEXT[self.lang]["bad_origin" if why == "origin" else "no_token"]
        return web.Response(status=403, text=text + "\n", content_type="text/plain", charset="utf-8",
                            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Check the token and the Origin before any of textual-serve's handlers run."""
        from_query = request.query.get(TOKEN_PARAM)
        if not (_same(from_query, self.token) or _same(request.cookies.get(self.cookie_name), self.token)):
            return self._refuse(request, "token")
        origin = request.headers.get("Origin")
        if origin is not None and origin.strip().lower() not in self.origins:
            return self._refuse(request, "origin")
        response = await handler(request)
        if _same(from_query, self.token) and not response.prepared:
            # The page was opened with the printed URL: keep the token for reloads, the page's
            # own requests and its websocket (the page then drops it from the address bar).
            response.set_cookie(self.cookie_name, self.token, path="/", httponly=True, samesite="Strict",
                                secure=self.secure)
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["Cache-Control"] = "no-store"
        return response


class QuietAccessLogger(AbstractAccessLogger):
    """aiohttp's access log without the query string: the first page load carries the token."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info('%s "%s %s" %s', request.remote, request.method, _shown_path(request), response.status)


def _shown_path(request: web.BaseRequest) -> str:
    """The request's path as sent (still percent-encoded, so no escape sequence reaches the
    terminal), without the query string, cut short."""
    return sanitize(request.raw_path.split("?", 1)[0])[:200]


async def _font_content_type(request: web.Request, response: web.StreamResponse) -> None:
    """Label fonts ``font/ttf``: aiohttp's guess depends on the system's mime.types and is often
    application/octet-stream."""
    if request.path.endswith(".ttf") and response.status == 200:
        response.content_type = "font/ttf"


class CcbServer(Server):
    """textual-serve's ``Server`` with ccb-tui's page, local fonts, a pre-bound socket and the door.

    ``token`` is required and cannot be empty: there is no way to serve without the door.
    """

    def __init__(self, command: str, *, sockets: list[socket.socket], host: str, port: int, title: str,
                 token: str, lang: str = "vi", public_url: str | None = None, banner: str = "",
                 warning: str = "") -> None:
        super().__init__(command, host=host, port=port, title=title,
                         public_url=public_url or page_url(host, port),
                         templates_path=ASSETS / "templates")
        self.lang = lang if lang in PAGE_TEXT else "vi"
        self.door = Door(token, self.public_url, self.lang)
        self.sockets = sockets
        self.banner = banner
        self.warning = warning

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.door.middleware)  # every route, the static ones and 404s included
        env = aiohttp_jinja2.get_env(app)
        # Absolute like textual-serve's own asset URLs, so a --public-url with a path prefix works too.
        env.globals.update(lang=self.lang, text=PAGE_TEXT[self.lang],
                           fonts_url=self.public_url.rstrip("/") + FONTS_ROUTE)
        app.router.add_static(FONTS_ROUTE.rstrip("/"), ASSETS / "fonts", name="ccb_fonts")
        app.on_response_prepare.append(_font_content_type)
        return app

    async def on_startup(self, app: web.Application) -> None:
        """Print the banner (the sockets are already listening by now): the URL with the token on
        the first line, alone and never wrapped, so it can be copied or clicked whole."""
        if self.banner:
            print(self.banner, flush=True)
        if self.warning:
            print(self.warning, file=sys.stderr, flush=True)

    def serve(self, debug: bool = False) -> None:
        """Run until SIGINT/SIGTERM, on the sockets bound beforehand (as ``Server.serve`` does)."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.request_exit)
            except (NotImplementedError, RuntimeError):
                pass
        web.run_app(self._make_app(), sock=self.sockets, handle_signals=False, loop=loop,
                    access_log_class=QuietAccessLogger, print=lambda *args: None)
