"""A real SSH run: an OpenSSH server on 127.0.0.1, a generated key, the dashboard in a pseudo-terminal.

The server is installed (Debian's openssh-server) when the tests run as root and it is missing;
otherwise the test is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pexpect
import pytest

from ccb_tui.core.store.store import Store

SSHD = "/usr/sbin/sshd"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ensure_sshd() -> None:
    if os.path.exists(SSHD):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("openssh-server is not installed and the tests do not run as root to install it")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=300)
    done = subprocess.run(["apt-get", "install", "-y", "-qq", "openssh-server"], env=env,
                          capture_output=True, timeout=600)
    if done.returncode != 0 or not os.path.exists(SSHD):
        pytest.skip(f"could not install openssh-server: {done.stderr.decode(errors='replace')[-300:]}")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A private sshd on a free loopback port that accepts one generated key for this user."""
    _ensure_sshd()
    work = tmp_path_factory.mktemp("sshd")
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(work / name)], check=True)
    auth = work / "authorized_keys"
    auth.write_text((work / "client.pub").read_text())
    auth.chmod(0o600)
    port = _free_port()
    config = work / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {work / 'host'}", f"PidFile {work / 'sshd.pid'}",
        f"AuthorizedKeysFile {auth}", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
        "PubkeyAuthentication yes", "PermitRootLogin prohibit-password", "UsePAM no", "StrictModes no",
        "PrintMotd no", "PrintLastLog no", "AcceptEnv LANG LC_*", ""]))
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(parents=True, exist_ok=True)  # sshd's privilege-separation folder
    server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"sshd exited: {server.stderr.read().decode(errors='replace')}")
            time.sleep(0.1)
    user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout.strip()
    ssh = ["ssh", "-i", str(work / "client"), "-p", str(port), "-o", "StrictHostKeyChecking=no",
           "-o", f"UserKnownHostsFile={work / 'known_hosts'}", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
           f"{user}@127.0.0.1"]
    yield {"ssh": ssh}
    server.terminate()
    server.wait(10)


def test_dashboard_over_ssh(sshd: dict[str, object], tmp_path: Path) -> None:
    db = tmp_path / "ccb.json"
    Store(db)
    remote = f"TERM=xterm-256color ESCDELAY=25 CCB_DB={db} {sys.executable} -m ccb_tui"
    child = pexpect.spawn(sshd["ssh"][0], [*sshd["ssh"][1:-1], "-tt", sshd["ssh"][-1], remote],  # type: ignore[index]
                          dimensions=(24, 80), timeout=30)
    try:
        child.expect("Tổng cụm".encode())
        child.expect(b"438")  # the cluster's members, as the article reports
        child.expect(b"248,6 tr")  # the fund in Vietnamese number style
        child.send("q")
        child.expect(pexpect.EOF, timeout=15)
    finally:
        child.close(force=True)


def test_summary_over_ssh(sshd: dict[str, object], tmp_path: Path) -> None:
    db = tmp_path / "ccb.json"
    remote = f"{sys.executable} -m ccb_tui summary --year 2020 --json --db {db}"
    done = subprocess.run([*sshd["ssh"], remote], capture_output=True, timeout=60)  # type: ignore[misc]
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    out = json.loads(done.stdout)
    assert out["totals"]["members"] == 438 and out["totals"]["branches"] == 36
    assert "Đã tạo tệp dữ liệu mới từ dữ liệu mẫu" in done.stderr.decode()  # created from the seed, said so
