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
- a short banner in the interface language instead of textual-serve's logo.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server

ASSETS = Path(__file__).resolve().parent / "serve_assets"
FONTS_ROUTE = "/ccb-fonts/"

PAGE_TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "loading": "Đang mở bảng điều khiển…",
        "noscript": "Trang này cần bật JavaScript.",
        "start": "Bắt đầu",
        "ended": "Phiên làm việc đã kết thúc.",
        "restart": "Mở lại",
    },
    "en": {
        "loading": "Opening the dashboard…",
        "noscript": "This page needs JavaScript.",
        "start": "Start",
        "ended": "Session ended.",
        "restart": "Restart",
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


async def _font_content_type(request: web.Request, response: web.StreamResponse) -> None:
    """Label fonts ``font/ttf``: aiohttp's guess depends on the system's mime.types and is often
    application/octet-stream."""
    if request.path.endswith(".ttf") and response.status == 200:
        response.content_type = "font/ttf"


class CcbServer(Server):
    """textual-serve's ``Server`` with ccb-tui's page, local fonts and a pre-bound socket."""

    def __init__(self, command: str, *, sockets: list[socket.socket], host: str, port: int, title: str,
                 lang: str = "vi", public_url: str | None = None, banner: str = "") -> None:
        super().__init__(command, host=host, port=port, title=title,
                         public_url=public_url or page_url(host, port),
                         templates_path=ASSETS / "templates")
        self.lang = lang if lang in PAGE_TEXT else "vi"
        self.sockets = sockets
        self.banner = banner

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        env = aiohttp_jinja2.get_env(app)
        # Absolute like textual-serve's own asset URLs, so a --public-url with a path prefix works too.
        env.globals.update(lang=self.lang, text=PAGE_TEXT[self.lang],
                           fonts_url=self.public_url.rstrip("/") + FONTS_ROUTE)
        app.router.add_static(FONTS_ROUTE.rstrip("/"), ASSETS / "fonts", name="ccb_fonts")
        app.on_response_prepare.append(_font_content_type)
        return app

    async def on_startup(self, app: web.Application) -> None:
        """Print the banner (the sockets are already listening by now)."""
        if self.banner:
            self.console.print(self.banner, markup=False, highlight=False)

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
                    print=lambda *args: None)
