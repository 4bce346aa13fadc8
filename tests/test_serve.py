"""``ccb-tui serve``: loopback only unless --allow-remote, a safely quoted app command, a real
server answering on localhost with the app's page (and starting the app on a websocket), a page
that fetches nothing from outside and whose fonts carry Vietnamese, and a taken port refused
before any banner."""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import os
import re
import shlex
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator, Sequence

import pytest

from ccb_tui import serve as serve_module
from ccb_tui.cli import main
from ccb_tui.core.store.store import Store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("", False), ("8.8.8.8", False), ("192.168.1.10", False),
    ("no-such-host.invalid", False),
])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert serve_module.is_loopback(host) is loopback


def test_non_loopback_host_is_refused_with_the_reason(db_path: Path, capsys, monkeypatch) -> None:
    called: list[dict] = []
    monkeypatch.setattr(serve_module, "serve", lambda db, **kw: called.append(kw) or 0)
    code, out, err = run(capsys, "serve", "--host", "0.0.0.0", "--db", str(db_path))
    assert code == 2 and not called
    assert err.count("\n") == 1 and "đăng nhập" in err and "--allow-remote" in err and "ssh -L" in err
    assert not db_path.exists()  # refused before anything was touched
    code, _, err = run(capsys, "--lang", "en", "serve", "--host", "0.0.0.0", "--db", str(db_path))
    assert code == 2 and "no login" in err
    code, _, err = run(capsys, "serve", "--host", "0.0.0.0", "--allow-remote", "--read-only", "--port", "8123",
                       "--db", str(db_path))
    assert code == 5  # --read-only never creates a store: there is none at that path
    Store(db_path)
    code, _, err = run(capsys, "serve", "--host", "0.0.0.0", "--allow-remote", "--read-only", "--port", "8123",
                       "--db", str(db_path))
    assert code == 0, err
    assert called == [{"host": "0.0.0.0", "port": 8123, "read_only": True, "allow_remote": True, "lang": "vi",
                       "public_url": None}]


def test_app_command_quotes_the_path() -> None:
    cmd = serve_module.app_command(Path("/srv/ccb data/x; rm -rf ~.json"), read_only=True, python="/usr/bin/python3")
    assert shlex.split(cmd) == ["/usr/bin/python3", "-m", "ccb_tui", "--db", "/srv/ccb data/x; rm -rf ~.json",
                                "--lang", "vi", "--read-only"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Served:
    """A ``ccb-tui serve`` subprocess on a free localhost port (see :func:`served`).

    ``url`` is the first line it printed (the address with the token); ``get`` goes through a
    cookie jar that holds the cookie the first page load set, as a browser would.
    """

    def __init__(self, proc: subprocess.Popen, port: int, url: str, page: str,
                 opener: urllib.request.OpenerDirector, log_path: Path) -> None:
        self.proc, self.port, self.url, self.page, self.opener, self.log_path = proc, port, url, page, opener, log_path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.url).query)["token"][0]

    def get(self, url: str, headers: dict[str, str] | None = None, *, jar: bool = True) -> tuple[int, dict[str, str], bytes]:
        """GET ``url`` (relative to the origin); an HTTP error status is returned, not raised."""
        url = url if url.startswith("http") else self.origin + url
        request = urllib.request.Request(url, headers=headers or {})
        try:
            with (self.opener.open if jar else urllib.request.urlopen)(request, timeout=5) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def served(db_path: Path, tmp_path: Path, *extra: str) -> Iterator[_Served]:
    """Start ``python -m ccb_tui [extra] serve --port N --db DB``, read the address it prints
    first (with the token) and load the page with it."""
    Store(db_path)
    port = _free_port()
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    log_path = tmp_path / f"serve-{port}.log"
    log = log_path.open("w+b")
    err = (tmp_path / f"serve-{port}.err").open("w+b")
    proc = subprocess.Popen([sys.executable, "-m", "ccb_tui", *extra, "serve", "--port", str(port),
                             "--db", str(db_path)], stdout=log, stderr=err, env=env)
    try:
        url, deadline = None, time.monotonic() + 15
        while url is None and time.monotonic() < deadline:
            if proc.poll() is not None:
                err.seek(0)
                output = err.read().decode("utf-8", "replace")
                if "textual_serve" in output and "ModuleNotFoundError" in output:
                    pytest.skip(f"textual-serve cannot start here: {output[-300:]}")
                pytest.fail(f"serve exited with {proc.returncode}: {output[-2000:]}")
            first = log_path.read_text(encoding="utf-8").split("\n", 1)
            if len(first) == 2:
                url = first[0]
            else:
                time.sleep(0.1)
        assert url is not None, "no address printed within 15 s"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with opener.open(url, timeout=5) as resp:
            assert resp.status == 200
            page = resp.read().decode("utf-8")
        yield _Served(proc, port, url, page, opener, log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()
        err.close()


async def _screen_and_keys(ws_url: str, *, origin: str | None = None, cookies: dict[str, str] | None = None,
                           keys: Sequence[str] = (), want: str = "Cụm thi đua") -> bytes:
    """Open the app's websocket as a browser tab would, wait for ``want`` on the screen, then type
    ``keys`` one by one. Raises aiohttp's ``WSServerHandshakeError`` when the server refuses."""
    import aiohttp
    got = b""
    headers = {"Origin": origin} if origin is not None else {}
    async with aiohttp.ClientSession(cookies=cookies or {}) as session:
        async with session.ws_connect(ws_url, headers=headers) as ws:
            await ws.send_json(["resize", {"width": 100, "height": 30}])
            end = time.monotonic() + 30
            while time.monotonic() < end and want.encode() not in got:
                try:
                    msg = await ws.receive(timeout=2)
                except asyncio.TimeoutError:
                    continue
                if msg.type == aiohttp.WSMsgType.BINARY:
                    got += msg.data
                elif msg.type != aiohttp.WSMsgType.TEXT:
                    break
            for key in keys:
                await ws.send_json(["stdin", key])
                await asyncio.sleep(0.8)
            if keys:
                await asyncio.sleep(1.5)  # let the save land before the tab closes
    return got


def test_serve_answers_on_localhost_with_the_app(db_path: Path, tmp_path: Path) -> None:
    with served(db_path, tmp_path) as srv:
        body = srv.page
        assert "textual" in body.lower() and "ccb-tui" in body
        assert f"ws://127.0.0.1:{srv.port}/ws" in body
        # A browser tab: the websocket starts `python -m ccb_tui --db ...` and relays its screen.
        pytest.importorskip("aiohttp")
        cookies = {f"ccb_tui_token_{srv.port}": srv.token}
        got = asyncio.run(_screen_and_keys(f"{srv.origin}/ws?width=100&height=30", origin=srv.origin,
                                           cookies=cookies))
        assert "Cụm thi đua".encode() in got


# --- the door: a token and the Origin --------------------------------------------------------

# What a tab types to change a task status: t (the checklist), → (onto the first unit's cell), x.
CHANGE_A_TASK = ("t", "\x1b[C", "x")


def _task_states(db_path: Path) -> dict[tuple[int, str], str]:
    snap = Store(db_path, create=False, cleanup=False).snapshot()
    return {(t.id, u.code): t.status(u.code).state.value for t in snap.tasks for u in snap.units}


def test_first_line_is_the_address_with_a_fresh_token(db_path: Path, tmp_path: Path) -> None:
    with served(db_path, tmp_path) as srv:
        first_token = srv.token
        assert re.fullmatch(rf"http://127\.0\.0\.1:{srv.port}/\?token=[A-Za-z0-9_-]{{43}}", srv.url)
        lines = srv.output().splitlines()
        assert lines[0] == srv.url and "Ctrl+C" in lines[1] and "token" in lines[1]
        # The token is never written to the log (the access log drops the query string).
        srv.get("/")
        srv.get(srv.url, jar=False)
        time.sleep(0.3)
        assert srv.output().count(srv.token) == 1
    with served(db_path, tmp_path) as srv:
        assert srv.token != first_token  # a new secret at each start


def test_page_and_every_file_need_the_token(db_path: Path, tmp_path: Path) -> None:
    with served(db_path, tmp_path) as srv:
        name = f"ccb_tui_token_{srv.port}"
        for path in ("/", "/static/js/textual.js", "/static/fonts/RobotoMono-VariableFont_wght.ttf",
                     "/ccb-fonts/DejaVuSansMono.ttf", "/download/abc", "/no-such-page", "/ws"):
            status, headers, body = srv.get(path, jar=False)
            assert status == 403, path
            assert "cần mã truy cập" in body.decode("utf-8") and "Set-Cookie" not in headers, path
            status, _, _ = srv.get(path, {"Cookie": f"{name}={srv.token}x"}, jar=False)
            assert status == 403, path
            status, _, _ = srv.get(path + "?token=" + srv.token[:-1], jar=False)
            assert status == 403, path
        # The printed address sets the cookie the page's own requests then carry.
        status, headers, _ = srv.get(srv.url, jar=False)
        assert status == 200
        cookie = headers["Set-Cookie"]
        assert cookie.startswith(f"{name}={srv.token};")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        assert headers.get("Referrer-Policy") == "no-referrer"
        status, _, js = srv.get("/static/js/textual.js", {"Cookie": f"{name}={srv.token}"}, jar=False)
        assert status == 200 and b"WebSocket" in js
        # A request naming a foreign page is refused even with the token.
        status, _, body = srv.get("/", {"Cookie": f"{name}={srv.token}", "Origin": "http://evil.example"}, jar=False)
        assert status == 403 and "trang web khác" in body.decode("utf-8")
        # The page takes the token out of the address bar once the cookie is set.
        assert "history.replaceState" in srv.page


def test_websocket_without_the_key_or_from_a_foreign_page_is_refused_and_changes_nothing(
        db_path: Path, tmp_path: Path, sha) -> None:
    aiohttp = pytest.importorskip("aiohttp")
    with served(db_path, tmp_path) as srv:
        before, states = sha(db_path), _task_states(db_path)
        ws = f"{srv.origin}/ws?width=100&height=30"
        name = f"ccb_tui_token_{srv.port}"
        good = {name: srv.token}
        refused = [
            ("no token", ws, srv.origin, None),
            ("wrong token", ws + "&token=" + "A" * 43, srv.origin, None),
            ("wrong cookie", ws, srv.origin, {name: srv.token[::-1]}),
            ("another serve's cookie", ws, srv.origin, {"ccb_tui_token_1": srv.token}),
            ("foreign Origin with the cookie", ws, "http://evil.example", good),
            ("foreign Origin with the token", ws + "&token=" + srv.token, "http://evil.example", None),
            ("a look-alike Origin", ws, f"http://127.0.0.1.evil.example:{srv.port}", good),
            ("another port's Origin", ws, f"http://127.0.0.1:{srv.port + 1}", good),
            ("Origin null", ws, "null", good),
        ]
        for why, url, origin, cookies in refused:
            with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
                asyncio.run(_screen_and_keys(url, origin=origin, cookies=cookies, keys=CHANGE_A_TASK))
            assert caught.value.status == 403, why
        assert sha(db_path) == before and _task_states(db_path) == states
        assert srv.output().count("refused GET /ws") == len(refused)

        # The same keys through the door do change a status (so the refusals above were real).
        got = asyncio.run(_screen_and_keys(ws, origin=srv.origin, cookies=good, keys=CHANGE_A_TASK))
        assert "Cụm thi đua".encode() in got
        deadline = time.monotonic() + 10
        while _task_states(db_path) == states and time.monotonic() < deadline:
            time.sleep(0.2)
        changed = {k: v for k, v in _task_states(db_path).items() if states.get(k) != v}
        assert len(changed) == 1, changed


def test_websocket_with_the_token_and_no_origin_is_let_in(db_path: Path, tmp_path: Path) -> None:
    """A non-browser client (no Origin header at all) needs the token like everyone else, and
    with it gets the dashboard; the loopback aliases of the served origin count as the same page."""
    pytest.importorskip("aiohttp")
    with served(db_path, tmp_path) as srv:
        url = f"{srv.origin}/ws?width=100&height=30&token={srv.token}"
        assert "Cụm thi đua".encode() in asyncio.run(_screen_and_keys(url))
        assert "Cụm thi đua".encode() in asyncio.run(_screen_and_keys(url, origin=f"http://localhost:{srv.port}"))


def test_allowed_origins_and_the_door_cannot_be_opened_wide() -> None:
    from ccb_tui.serve_web import Door, allowed_origins, origin_of
    assert origin_of("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    assert origin_of("HTTPS://Example.org:443/ccb/") == "https://example.org"
    assert origin_of("http://[::1]:9000") == "http://[::1]:9000"
    assert allowed_origins("http://localhost:9000") == {"http://localhost:9000", "http://127.0.0.1:9000",
                                                        "http://[::1]:9000"}
    assert allowed_origins("https://ccb.example.org/dash/") == {"https://ccb.example.org"}
    for empty in ("", "short"):
        with pytest.raises(ValueError):
            Door(empty, "http://127.0.0.1:8000")
    door = Door("x" * 43, "https://ccb.example.org")
    assert door.secure and door.cookie_name == "ccb_tui_token_443"


def test_no_option_serves_without_the_token(capsys) -> None:
    for lang in ("vi", "en"):
        code, out, _ = run(capsys, "--lang", lang, "serve", "--help")
        assert code == 0
        options = set(re.findall(r"--[a-z][a-z-]+", out))
        assert options <= {"--db", "--demo", "--lang", "--host", "--port", "--read-only", "--allow-remote", "--public-url",
                           "--help"}, options
    import inspect
    assert "token" not in inspect.signature(serve_module.serve).parameters  # made inside, never passed in


# --- the page: nothing from outside, fonts that carry Vietnamese, its own words ----------------

# Where a page or a stylesheet names something the browser fetches.
_FETCHED = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']([^"']*)["'])|(?:url\(\s*["']?([^"')]*)["']?\s*\))"""
                      r"""|(?:@import\s+["']([^"']*)["'])""", re.IGNORECASE)

VIETNAMESE_LETTERS = ("ăâđêôơưĂÂĐÊÔƠƯàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ"
                      + "".join(chr(c) for c in range(0x1EA0, 0x1EFA)))
DASHBOARD_SYMBOLS = "✔✘○◐●"


def _fetched_urls(text: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in _FETCHED.finditer(text)]


def _local(url: str, origin: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return True  # relative: the same server
    return f"{parts.scheme}://{parts.netloc}" == origin


def _cmap(font: bytes) -> set[int]:
    """The code points a TrueType font maps (cmap formats 4 and 12; enough for these fonts)."""
    (num_tables,) = struct.unpack(">H", font[4:6])
    tables = {font[12 + 16 * i:16 + 16 * i]: struct.unpack(">I", font[20 + 16 * i:24 + 16 * i])[0]
              for i in range(num_tables)}
    base = tables[b"cmap"]
    (count,) = struct.unpack(">H", font[base + 2:base + 4])
    points: set[int] = set()
    for i in range(count):
        (offset,) = struct.unpack(">I", font[base + 8 + 8 * i:base + 12 + 8 * i])
        sub = base + offset
        (fmt,) = struct.unpack(">H", font[sub:sub + 2])
        if fmt == 4:
            (seg2,) = struct.unpack(">H", font[sub + 6:sub + 8])
            segs = seg2 // 2
            ends = struct.unpack(f">{segs}H", font[sub + 14:sub + 14 + seg2])
            starts = struct.unpack(f">{segs}H", font[sub + 16 + seg2:sub + 16 + 2 * seg2])
            for start, end in zip(starts, ends):
                if start != 0xFFFF:
                    points.update(range(start, end + 1))  # ranges only: enough to compare coverage
        elif fmt == 12:
            (groups,) = struct.unpack(">I", font[sub + 12:sub + 16])
            for g in range(groups):
                start, end, _ = struct.unpack(">III", font[sub + 16 + 12 * g:sub + 28 + 12 * g])
                points.update(range(start, end + 1))
    return points


def test_page_fetches_nothing_from_outside_and_its_fonts_carry_vietnamese(db_path: Path, tmp_path: Path) -> None:
    with served(db_path, tmp_path) as srv:
        page = srv.page
        for host in ("googleapis", "gstatic", "cdn", "unpkg", "jsdelivr"):
            assert host not in page
        urls = _fetched_urls(page)
        assert any(u.endswith("textual.js") for u in urls) and any(u.endswith(".ttf") for u in urls)
        outside = [u for u in urls if not _local(u, srv.origin)]
        assert outside == []
        # What the page pulls in must not reach out either (the stylesheet; the script's fonts).
        for url in urls:
            if url.endswith(".css"):
                status, _, css = srv.get(url)
                assert status == 200
                assert [u for u in _fetched_urls(css.decode("utf-8")) if not _local(u, srv.origin)] == []
            if url.endswith(".js"):
                status, _, js = srv.get(url)
                assert status == 200 and b"googleapis" not in js and b"gstatic" not in js
        # Every font is served by this server, is a TrueType file, and together they cover every
        # Vietnamese letter (Roboto Mono) and the dashboard's symbols (the bundled DejaVu Sans Mono).
        fonts = [u for u in urls if u.endswith(".ttf")]
        covered: set[int] = set()
        for url in fonts:
            status, headers, data = srv.get(url)
            assert status == 200 and data[:4] == b"\x00\x01\x00\x00", url
            assert headers.get("Content-Type", "").startswith("font/ttf")
            covered |= _cmap(data)
        assert f"{srv.origin}/ccb-fonts/DejaVuSansMono.ttf" in fonts
        assert [c for c in VIETNAMESE_LETTERS + DASHBOARD_SYMBOLS if ord(c) not in covered] == []
        # The font the terminal asks for first (textual.js: 'Roboto Mono') is the one defined here.
        assert '@font-face' in page and 'font-family: "Roboto Mono"' in page


def test_bundled_symbol_font_and_its_licence_ship_with_the_package() -> None:
    from ccb_tui.serve_web import ASSETS
    font = (ASSETS / "fonts" / "DejaVuSansMono.ttf").read_bytes()
    assert all(ord(c) in _cmap(font) for c in DASHBOARD_SYMBOLS)
    licence = (ASSETS / "fonts" / "LICENSE-DejaVu.txt").read_text(encoding="utf-8")
    assert "Bitstream" in licence and "Permission is hereby granted" in licence


def test_intro_page_speaks_the_interface_language(db_path: Path, tmp_path: Path) -> None:
    with served(db_path, tmp_path) as srv:
        page = srv.page
        assert '<html lang="vi">' in page and 'charset="utf-8"' in page
        for words in ("Đang mở bảng điều khiển…", "Phiên làm việc đã kết thúc.", "Mở lại", "Bắt đầu",
                      "Hội CCB cụm thi đua số 3"):
            assert words in page
        assert "Session ended" not in page and ">Start<" not in page
    with served(db_path, tmp_path, "--lang", "en") as srv:
        page = srv.page
        assert '<html lang="en">' in page
        for words in ("Opening the dashboard…", "Session ended.", "Restart", ">Start<"):
            assert words in page
        assert "Phiên làm việc" not in page


# --- a taken port ------------------------------------------------------------------------------

def test_taken_port_is_one_line_and_exit_2_before_any_banner(db_path: Path) -> None:
    Store(db_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = dict(os.environ)
        env.pop("PYTHONSTARTUP", None)
        done = subprocess.run([sys.executable, "-m", "ccb_tui", "serve", "--port", str(port), "--db", str(db_path)],
                              capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""  # no banner, no logo
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"Cổng {port}" in done.stderr and "đang được chương trình khác dùng" in done.stderr
    assert "--port" in done.stderr
    for banner in ("Ctrl+C", "Serving", "textual-serve", "trình duyệt"):
        assert banner not in done.stderr


def test_taken_port_in_english(db_path: Path, capsys) -> None:
    Store(db_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, out, err = run(capsys, "--lang", "en", "serve", "--port", str(port), "--db", str(db_path))
    assert code == 2 and out == ""
    assert err == f"Port {port} on 127.0.0.1 is already in use by another program. Pick another, e.g. --port {port + 1}.\n"


def test_bind_sockets_listens_and_page_url_brackets_ipv6() -> None:
    from ccb_tui.serve_web import bind_sockets, page_url
    sockets = bind_sockets("127.0.0.1", _free_port())
    try:
        assert len(sockets) == 1
        with socket.create_connection(sockets[0].getsockname()[:2], timeout=2):
            pass
    finally:
        for sock in sockets:
            sock.close()
    assert page_url("::1", 8000) == "http://[::1]:8000"
    assert page_url("127.0.0.1", 80) == "http://127.0.0.1"
