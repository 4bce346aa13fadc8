"""``ccb-tui serve``: the dashboard in a web browser, through textual-serve.

textual-serve starts one ``python -m ccb_tui --db PATH`` per browser tab and relays its screen
over a websocket. It has no login of its own, so ccb-tui puts a door in front of it
(``serve_web.Door``): a secret token made at each start, printed in the URL on the first line of
output, without which every request is answered 403, and an ``Origin`` check on top. The token
is always on; no option turns it off.

The server listens on the loopback interface by default, reached from a laptop through an SSH
tunnel (``ssh -L 8000:localhost:8000 server``). The connection itself is plain HTTP, so on any
other address the token would cross the network readable: that is refused unless
``--allow-remote`` says the network is protected some other way.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import secrets
import shlex
import socket
import sys
from pathlib import Path

from .core.domain.errors import UsageError
from .core.domain.models import Msg

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TITLE = "ccb-tui — Hội CCB cụm thi đua số 3"


def is_loopback(host: str) -> bool:
    """Whether ``host`` can only be reached from this machine (127.0.0.0/8, ::1, localhost).

    A name is resolved and counts only when every address it resolves to is a loopback one;
    "" and "0.0.0.0" / "::" (every interface) are not loopback.
    """
    host = host.strip().strip("[]")
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError, OSError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses)


def check_host(host: str, allow_remote: bool) -> None:
    """Refuse a non-loopback address without ``allow_remote`` (exit 2), saying why."""
    if allow_remote or is_loopback(host):
        return
    raise UsageError(Msg(
        f"Không mở ccb-tui ra địa chỉ {host}: kết nối là HTTP không mã hóa, không có đăng nhập ngoài mã truy cập "
        f"và mã này đi qua mạng ở dạng đọc được; ai bắt được nó đều sửa được dữ liệu. Hãy để mặc định "
        f"{DEFAULT_HOST} và dùng đường hầm SSH (ssh -L 8000:localhost:8000 máy-chủ); chỉ thêm --allow-remote "
        f"khi mạng đã được bảo vệ cách khác.",
        f"Refusing to serve ccb-tui on {host}: the connection is plain HTTP with no login but the access "
        f"token, which would cross the network readable; whoever catches it can edit the data. Keep the "
        f"default {DEFAULT_HOST} and use an SSH tunnel (ssh -L 8000:localhost:8000 server); add "
        f"--allow-remote only on a network protected some other way."))


def app_command(db: Path, *, read_only: bool = False, lang: str = "vi", python: str | None = None) -> str:
    """The shell command textual-serve runs for each browser tab (every part quoted)."""
    # Absolute: each tab's process must open the same file whatever its working folder.
    argv = [python or sys.executable, "-m", "ccb_tui", "--db", os.path.abspath(db), "--lang", lang]
    if read_only:
        argv.append("--read-only")
    return shlex.join(argv)


def serve(db: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, read_only: bool = False,
          allow_remote: bool = False, lang: str = "vi", public_url: str | None = None) -> int:
    """Run the web server until interrupted; returns the exit code.

    The port is bound first: a taken port (or an address that is not this machine's) is one
    line on stderr and exit 2, before any banner.
    """
    check_host(host, allow_remote)
    if not 0 < port < 65536:
        raise UsageError(Msg(f"Cổng {port} không hợp lệ (1..65535).", f"Port {port} is invalid (1..65535)."))
    # Imported only here: aiohttp, jinja2 and rich are not needed by anything else.
    from .serve_web import CcbServer, bind_sockets, page_url

    try:
        sockets = bind_sockets(host, port)
    except OSError as exc:
        raise UsageError(_bind_error(host, port, exc)) from exc
    token = new_token()
    url = token_url(public_url or page_url(host, port), token)
    mode_vi, mode_en = (" (chỉ xem)", " (read-only)") if read_only else ("", "")
    banner = url + "\n" + Msg(
        f"ccb-tui{mode_vi}: mở địa chỉ trên trong trình duyệt. Mã token trong đó là chìa khóa, đổi mỗi lần "
        f"chạy serve: đừng chia sẻ. Dừng: Ctrl+C.",
        f"ccb-tui{mode_en}: open the address above in a browser. Its token is the key and changes at "
        f"each start: do not share it. Stop: Ctrl+C.").text(lang)
    warning = ""
    if not is_loopback(host):
        warning = Msg(f"⚠ {host}:{port} — HTTP không mã hóa: ai đọc được mã truy cập trên mạng đều dùng được ứng dụng"
                      f"{'' if read_only else ' và sửa được dữ liệu'}.",
                      f"⚠ {host}:{port} — plain HTTP: whoever reads the access token off the network can use the app"
                      f"{'' if read_only else ' and edit the data'}.").text(lang)
    server = CcbServer(app_command(db, read_only=read_only, lang=lang), sockets=sockets, host=host, port=port,
                       title=TITLE, token=token, lang=lang, public_url=public_url, banner=banner, warning=warning)
    try:
        server.serve()
    finally:
        for sock in sockets:
            sock.close()
    return 0


def new_token() -> str:
    """A fresh secret for one run of ``serve`` (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_url(base: str, token: str) -> str:
    """The address to open: the public URL's root with ``?token=…``."""
    return f"{base.rstrip('/')}/?token={token}"


def _bind_error(host: str, port: int, exc: OSError) -> Msg:
    """One line for a port that cannot be listened on, with what to do about it."""
    if exc.errno == errno.EADDRINUSE:
        return Msg(f"Cổng {port} trên {host} đang được chương trình khác dùng. Chọn cổng khác, ví dụ --port {_next(port)}.",
                   f"Port {port} on {host} is already in use by another program. Pick another, e.g. --port {_next(port)}.")
    if exc.errno == errno.EACCES:
        return Msg(f"Không được phép mở cổng {port} (cổng dưới 1024 cần quyền quản trị). Dùng --port 8000 chẳng hạn.",
                   f"Not allowed to listen on port {port} (ports below 1024 need admin rights). Use e.g. --port 8000.")
    reason = exc.strerror or str(exc)
    return Msg(f"Không mở được {host}:{port}: {reason}. Kiểm tra --host và --port.",
               f"Cannot listen on {host}:{port}: {reason}. Check --host and --port.")


def _next(port: int) -> int:
    return port + 1 if port < 65535 else 8000
