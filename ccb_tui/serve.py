"""``ccb-tui serve``: the dashboard in a web browser, through textual-serve.

textual-serve starts one ``python -m ccb_tui --db PATH`` per browser tab and relays its screen
over a websocket. It has no login: anyone who can reach the port can use the app, and edit the
data unless ``--read-only``. So the server listens on the loopback interface by default, reached
from a laptop through an SSH tunnel (``ssh -L 8000:localhost:8000 server``); any other address is
refused unless ``--allow-remote`` says the risk is understood.
"""

from __future__ import annotations

import errno
import ipaddress
import os
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
        f"Không mở ccb-tui ra địa chỉ {host}: textual-serve không có đăng nhập, ai tới được cổng này đều "
        f"dùng được ứng dụng và sửa được dữ liệu. Hãy để mặc định {DEFAULT_HOST} và dùng đường hầm SSH "
        f"(ssh -L 8000:localhost:8000 máy-chủ); chỉ thêm --allow-remote khi mạng đã được bảo vệ cách khác.",
        f"Refusing to serve ccb-tui on {host}: textual-serve has no login, so anyone who can reach the port "
        f"can use the app and edit the data. Keep the default {DEFAULT_HOST} and use an SSH tunnel "
        f"(ssh -L 8000:localhost:8000 server); add --allow-remote only on a network protected some other way."))


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
    url = public_url or page_url(host, port)
    mode_vi, mode_en = (" (chỉ xem)", " (read-only)") if read_only else ("", "")
    banner = Msg(f"ccb-tui{mode_vi}: mở {url} trong trình duyệt. Dừng: Ctrl+C.",
                 f"ccb-tui{mode_en}: open {url} in a browser. Stop: Ctrl+C.").text(lang)
    server = CcbServer(app_command(db, read_only=read_only, lang=lang), sockets=sockets, host=host, port=port,
                       title=TITLE, lang=lang, public_url=public_url, banner=banner)
    if not is_loopback(host):
        print(Msg(f"⚠ {host}:{port} — không có đăng nhập; ai tới được cổng này đều dùng được ứng dụng"
                  f"{'' if read_only else ' và sửa được dữ liệu'}.",
                  f"⚠ {host}:{port} — no login; anyone who can reach this port can use the app"
                  f"{'' if read_only else ' and edit the data'}.").text(lang), file=sys.stderr)
    try:
        server.serve()
    finally:
        for sock in sockets:
            sock.close()
    return 0


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
