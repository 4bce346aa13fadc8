"""Two OS users of one group sharing a store in a setgid folder, writing in turn.

Runs only as root (it creates two throw-away users and a group, removed afterwards). Each user runs
``ccb-tui set`` with umask 007, as a shared account would be set up; after every write the store,
its lock file and its backups must stay writable by the group and closed to everyone else, so
the other user is never locked out.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from ccb_tui.core.store.seed import seed_path
from ccb_tui.core.store.store import Store
from relhelp import YEAR, cli_as, load, log_docs, value_in

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="needs root to create two users"),
    pytest.mark.skipif(not (shutil.which("useradd") and shutil.which("groupadd")),
                       reason="useradd/groupadd are not installed"),
]


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


@pytest.fixture
def two_users():
    """(group name, gid, [(user name, uid), (user name, uid)]), deleted again afterwards."""
    tag = f"{os.getpid() % 100_000}"
    group, names = f"ccbg{tag}", [f"ccba{tag}", f"ccbb{tag}"]
    made_group, made_users = False, []
    try:
        proc = _run("groupadd", group)
        if proc.returncode != 0:
            pytest.skip(f"groupadd failed: {proc.stderr.strip()}")
        made_group = True
        for name in names:
            proc = _run("useradd", "-M", "-N", "-g", group, "-s", "/usr/sbin/nologin", name)
            if proc.returncode != 0:
                pytest.skip(f"useradd failed: {proc.stderr.strip()}")
            made_users.append(name)
        yield group, grp.getgrnam(group).gr_gid, [(n, pwd.getpwnam(n).pw_uid) for n in names]
    finally:
        for name in made_users:
            _run("userdel", name)
        if made_group:
            _run("groupdel", group)


def _assert_shared(path: Path, gid: int, *, folder: bool = False) -> None:
    st = os.stat(path)
    assert st.st_gid == gid, f"{path} belongs to group {st.st_gid}, not the shared {gid}"
    need = 0o070 if folder else 0o060
    assert st.st_mode & need == need, f"{path} is {oct(st.st_mode)}: the group cannot write it"
    assert st.st_mode & 0o007 == 0, f"{path} is {oct(st.st_mode)}: open to every user"
    if folder:
        assert st.st_mode & stat.S_ISGID


def _world_readable(path: Path) -> bool:
    """Whether any user can read ``path`` (every folder above it searchable, the file readable)."""
    if not os.stat(path).st_mode & 0o004:
        return False
    return all(os.stat(folder).st_mode & 0o001 for folder in path.resolve().parents)


def test_two_users_write_in_turn(two_users, open_dir: Path) -> None:
    group, gid, users = two_users
    shared = open_dir / "shared"
    shared.mkdir()
    os.chown(shared, 0, gid)
    shared.chmod(0o2770)
    db = shared / "ccb.json"
    lock = Path(str(db) + ".lock")
    if not _world_readable(seed_path()):
        # A checkout in a private folder (mkdtemp is 0700): the users cannot read the bundled seed,
        # so the administrator creates the store, as the README's shared setup does.
        old_umask = os.umask(0o007)
        try:
            Store(db)
        finally:
            os.umask(old_umask)

    written = []
    for turn in range(6):
        name, uid = users[turn % 2]
        value = 200 + turn
        code, out, err = cli_as(uid, gid, ["set", "krong_no", "workdays", str(value), "--year", str(YEAR),
                                           "--db", str(db)], umask=0o007, cwd=shared,
                                env={"USER": name, "LOGNAME": name, "HOME": str(shared)})
        assert code == 0, f"{name} could not write: {err}"
        written.append((name, value))
        assert os.stat(db).st_uid == uid  # the file was replaced by this user's write
        assert db.exists() and lock.exists()
        for path in shared.rglob("*"):  # the store, its lock, and whatever else it keeps (backups)
            _assert_shared(path, gid, folder=path.is_dir())

    data = load(db)
    assert value_in(data, "krong_no", "workdays") == written[-1][1]
    entries = [e for e in log_docs(data) if e["action"] == "set_value"]
    assert [(e["user"], e["new"]["v"]) for e in entries] == written
    assert Store(db).snapshot().revision == len(written)
