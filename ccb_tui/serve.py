"""``ccb-tui serve``: the dashboard in a web browser, through textual-serve.

textual-serve starts one ``python -m ccb_tui --db PATH`` per browser tab and relays its screen
over a websocket. It has no login: anyone who can reach the port can use the app, and edit the
data unless ``--read-only``. So the server listens on the loopback interface by default, reached
from a laptop through an SSH tunnel (``ssh -L 8000:localhost:8000 server``); any other address is
refused unless ``--allow-remote`` says the risk is understood.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import socket
import sys
from pathlib import Path

from .core.errors import UsageError
from .core.models import Msg

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
    """Run the web server until interrupted; returns the exit code."""
    check_host(host, allow_remote)
    if not 0 < port < 65536:
        raise UsageError(Msg(f"Cổng {port} không hợp lệ (1..65535).", f"Port {port} is invalid (1..65535)."))
    from textual_serve.server import Server  # imported only here: it brings aiohttp and rich

    server = Server(app_command(db, read_only=read_only, lang=lang), host=host, port=port, title=TITLE,
                    public_url=public_url)
    if not is_loopback(host):
        print(f"⚠ {host}:{port} — không có đăng nhập; ai tới được cổng này đều dùng được ứng dụng"
              f"{'' if read_only else ' và sửa được dữ liệu'}.", file=sys.stderr)
    try:
        server.serve()
    except OSError as exc:  # the port is taken, or the address is not ours
        raise UsageError(Msg(f"Không mở được {host}:{port}: {exc.strerror or exc}. Thử --port khác.",
                             f"Cannot listen on {host}:{port}: {exc.strerror or exc}. Try another --port.")) from exc
    return 0
