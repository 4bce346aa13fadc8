"""Hostile arguments and paths: bytes that are not UTF-8 in an argument, a --db that is not a
regular file (each must fail at once, one line, no traceback, never hang or eat memory), and an
output path someone planted a symlink at (never followed, with or without --force)."""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ccb_tui.cli import main
from ccb_tui.core.store import files
from ccb_tui.core.domain.errors import UsageError
from ccb_tui.core.store import Store

TIMEOUT = 30  # a FIFO store used to hang forever: every subprocess here runs under a timeout


def ccb(*argv: str | bytes, timeout: float = TIMEOUT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m ccb_tui ARGV`` (bytes arguments go to the OS as they are)."""
    full_env = dict(os.environ if env is None else env)
    full_env.pop("PYTHONSTARTUP", None)
    return subprocess.run([sys.executable, "-m", "ccb_tui", *argv], capture_output=True, timeout=timeout,
                          env=full_env, stdin=subprocess.DEVNULL)


def one_line(done: subprocess.CompletedProcess) -> str:
    err = done.stderr.decode("utf-8")
    assert "Traceback" not in err, err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    return err


# --- arguments that are not UTF-8 ------------------------------------------------------------

def test_non_utf8_argument_is_exit_2_naming_it_and_nothing_is_written(db_path: Path, sha) -> None:
    Store(db_path)
    before = sha(db_path)
    done = ccb("--db", str(db_path), "unit", "rename", "nam_ka", b"K\xe0")
    assert done.returncode == 2 and done.stdout == b""
    err = one_line(done)
    assert "Đối số thứ 6 ('K\\xe0')" in err and "UTF-8" in err
    assert sha(db_path) == before
    done = ccb("--lang", "en", "--db", str(db_path), "task", "set", "1", "nam_ka", "xong", "--note", b"\xff\xfe ok")
    assert done.returncode == 2
    err = one_line(done)
    assert "Argument 11 (after --note) ('\\xff\\xfe ok') is not valid UTF-8" in err
    assert sha(db_path) == before


def test_non_utf8_bytes_are_refused_before_anything_is_opened(tmp_path: Path) -> None:
    """The check comes first: a bad --db path is not created, not even looked at."""
    target = tmp_path / "st\xe0re.json"
    done = ccb("--db", os.fsencode(tmp_path) + b"/st\xe0re.json", "summary")
    assert done.returncode == 2 and "UTF-8" in one_line(done)
    assert os.listdir(tmp_path) == [] and not target.exists()


def test_main_refuses_lone_surrogates_in_process(capsys, db_path: Path) -> None:
    assert main(["--db", str(db_path), "unit", "rename", "nam_ka", "K\udce0"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == ("Đối số thứ 6 ('K\\xe0') không phải văn bản UTF-8 hợp lệ. Hãy gõ lại bằng bảng mã "
                                 "UTF-8 (kiểm tra LANG/LC_ALL của terminal và bảng mã của tệp lệnh).\n")
    assert main(["--lang", "en", "set", "x\ud800", "members", "1"]) == 2  # never a byte: shown escaped too
    assert "Argument 4 ('x\\ud800')" in capsys.readouterr().err
    assert not db_path.exists()


@pytest.mark.parametrize("argv", [
    ("set", "X" * 100_000, "members", "3"),
    ("cluster", "assign", "X" * 100_000, "cum3", "--year", "2020"),
    ("pact", "sign", "--date", "1" * 100_000),
    ("commend", "approve", "1" * 100_000),
])
def test_a_huge_argument_is_quoted_short(capsys, db_path: Path, sha, argv) -> None:  # noqa: ANN001
    """A pasted 100.000-character argument is refused in one short line (it was echoed whole)."""
    Store(db_path)
    capsys.readouterr()
    before = sha(db_path)
    code = main(["--db", str(db_path), *argv])
    out, err = capsys.readouterr()
    assert code in (2, 3) and out == "" and err.count("\n") == 1 and len(err) < 400, (code, len(err))
    assert sha(db_path) == before


# --- a --db that is not a regular file --------------------------------------------------------

def _fifo(folder: Path) -> Path:
    path = folder / "fifo.json"
    os.mkfifo(path)
    return path


def _socket(folder: Path) -> Path:
    path = folder / "sock.json"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()  # the socket file stays
    return path


def _loop(folder: Path) -> Path:
    os.symlink(folder / "b.json", folder / "a.json")
    os.symlink(folder / "a.json", folder / "b.json")
    return folder / "a.json"


def _folder(folder: Path) -> Path:
    path = folder / "dir.json"
    path.mkdir()
    return path


def _dangling(folder: Path) -> Path:
    os.symlink(folder / "nowhere" / "x.json", folder / "dangling.json")
    return folder / "dangling.json"


NOT_REGULAR = {
    "fifo": (_fifo, "ống có tên (FIFO)"),
    "dev-zero": (lambda folder: Path("/dev/zero"), "thiết bị ký tự"),
    "dev-null": (lambda folder: Path("/dev/null"), "thiết bị ký tự"),
    "socket": (_socket, "socket"),
    "symlink-loop": (_loop, "vòng liên kết tượng trưng"),
    "folder": (_folder, "thư mục"),
    "dangling-symlink": (_dangling, "liên kết tượng trưng tới"),
}


@pytest.mark.parametrize("kind", sorted(NOT_REGULAR))
@pytest.mark.parametrize("command", [("summary",), ("set", "nam_ka", "members", "111"), ("task", "list"),
                                     ("check",), ("restore",), ()])
def test_db_that_is_not_a_regular_file_is_exit_5_at_once(kind: str, command: tuple[str, ...], tmp_path: Path) -> None:
    make, words = NOT_REGULAR[kind]
    path = make(tmp_path)
    if not os.path.lexists(path):
        pytest.skip(f"{path} is not available here")
    before = sorted(os.listdir(tmp_path))
    done = ccb("--db", str(path), *command)  # () is the dashboard: refused before Textual starts
    assert done.returncode == 5, done.stderr
    err = one_line(done)
    assert str(path) in err and words in err and "--db" in err
    assert done.stdout == b""
    assert sorted(os.listdir(tmp_path)) == before  # no store, no lock file, no backup made anywhere
    if kind == "dangling-symlink":
        assert not (tmp_path / "nowhere").exists()


def test_db_not_regular_in_english_and_through_ccb_db(tmp_path: Path) -> None:
    fifo = _fifo(tmp_path)
    env = dict(os.environ, CCB_DB=str(fifo))
    done = ccb("--lang", "en", "summary", env=env)
    assert done.returncode == 5
    assert one_line(done) == (f"The store {fifo} is a named pipe (FIFO), not a regular file; not opened. "
                              f"Point --db (or $CCB_DB) at a ccb-tui .json file.\n")


def test_serve_refuses_a_fifo_store_before_listening(tmp_path: Path) -> None:
    fifo = _fifo(tmp_path)
    done = ccb("serve", "--port", "8765", "--db", str(fifo))
    assert done.returncode == 5 and "FIFO" in one_line(done) and done.stdout == b""


def test_symlink_to_a_regular_store_still_works(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    Store(real)
    link = tmp_path / "link.json"
    os.symlink(real, link)
    done = ccb("--db", str(link), "set", "nam_ka", "members", "111")
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and b"111" in ccb("--db", str(real), "summary", "--json").stdout


def test_where_still_says_where(tmp_path: Path) -> None:
    fifo = _fifo(tmp_path)
    done = ccb("--db", str(fifo), "where")
    assert done.returncode == 0 and done.stdout.decode().strip() == str(fifo)


def test_check_store_path_opens_nonblocking_and_checks_again(tmp_path: Path, monkeypatch) -> None:
    """A regular file at stat time that is a FIFO by open time (swapped in between) is still
    refused, and the open cannot block."""
    from ccb_tui.core.store import paths
    from ccb_tui.core.domain.errors import StoreUnavailable
    regular = tmp_path / "ok.json"
    regular.write_text("{}", encoding="utf-8")
    fifo = _fifo(tmp_path)
    real_open = os.open
    opened: list[int] = []

    def swapped_open(path, flags, *args):
        opened.append(flags)
        return real_open(fifo if Path(path) == regular else path, flags, *args)

    monkeypatch.setattr(paths.os, "open", swapped_open)
    with pytest.raises(StoreUnavailable) as caught:
        paths.check_store_path(regular)
    assert "FIFO" in caught.value.text("en") and opened and opened[0] & os.O_NONBLOCK


# --- output files: a planted symlink is never followed -----------------------------------------

@pytest.mark.parametrize("command, name", [
    (("export", "--format", "csv"), "out.csv"),
    (("export", "--format", "json"), "out.json"),
    (("report",), "out.md"),
])
def test_dangling_symlink_at_the_output_needs_force_and_is_replaced_not_followed(
        command: tuple[str, ...], name: str, db_path: Path, tmp_path: Path) -> None:
    Store(db_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    victim = tmp_path / "victim" / "planted.txt"  # where the link points: must never be created
    victim.parent.mkdir()
    out = shared / name
    os.symlink(victim, out)

    done = ccb("--db", str(db_path), *command, "-o", str(out))
    assert done.returncode == 2
    err = one_line(done)
    assert str(out) in err and "--force" in err and str(victim) in err
    assert out.is_symlink() and not victim.exists()
    assert [n for n in os.listdir(shared) if n != name] == []  # no temp file left

    done = ccb("--db", str(db_path), *command, "-o", str(out), "--force")
    assert done.returncode == 0, done.stderr
    st = os.lstat(out)
    assert stat.S_ISREG(st.st_mode) and not out.is_symlink() and st.st_size > 0
    assert not victim.exists() and os.listdir(victim.parent) == []
    assert sorted(os.listdir(shared)) == [name]


def test_symlink_to_someones_file_is_not_written_through(db_path: Path, tmp_path: Path, sha) -> None:
    Store(db_path)
    victim = tmp_path / "someone.txt"
    victim.write_text("mine\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    os.symlink(victim, out)
    done = ccb("--db", str(db_path), "export", "-o", str(out))
    assert done.returncode == 2 and "--force" in one_line(done)
    done = ccb("--db", str(db_path), "export", "-o", str(out), "--force")
    assert done.returncode == 0
    assert victim.read_text(encoding="utf-8") == "mine\n" and not out.is_symlink()


def test_write_user_file_creates_refuses_and_replaces(tmp_path: Path) -> None:
    out = tmp_path / "a.txt"
    files.write_user_file(out, b"one")
    assert out.read_bytes() == b"one"
    with pytest.raises(UsageError):
        files.write_user_file(out, b"two")
    assert out.read_bytes() == b"one"
    os.chmod(out, 0o640)
    files.write_user_file(out, b"two", force=True)
    assert out.read_bytes() == b"two" and stat.S_IMODE(os.stat(out).st_mode) == 0o640  # its mode is kept
    assert sorted(os.listdir(tmp_path)) == ["a.txt"]


@pytest.mark.parametrize("link_errno", [errno.EPERM, errno.EOPNOTSUPP])
def test_without_hard_links_the_output_is_created_exclusively(tmp_path: Path, monkeypatch, link_errno: int) -> None:
    """Where hard links are not supported (some shared or FAT folders), O_CREAT|O_EXCL|O_NOFOLLOW
    still refuses a planted symlink."""
    def no_link(*args, **kwargs):
        raise OSError(link_errno, os.strerror(link_errno))

    monkeypatch.setattr(files.os, "link", no_link)
    victim = tmp_path / "victim.txt"
    out = tmp_path / "out.txt"
    os.symlink(victim, out)
    with pytest.raises(UsageError) as caught:
        files.write_user_file(out, b"data")
    assert "--force" in caught.value.text("en")
    assert not victim.exists() and sorted(os.listdir(tmp_path)) == ["out.txt"]
    fresh = tmp_path / "fresh.txt"
    files.write_user_file(fresh, b"data")
    assert fresh.read_bytes() == b"data"
    assert sorted(os.listdir(tmp_path)) == ["fresh.txt", "out.txt"]


def test_output_onto_a_fifo_or_device_is_refused_even_with_force(db_path: Path, tmp_path: Path) -> None:
    """Renaming over a FIFO or /dev/null (which root may do) would replace it: never, --force or not."""
    Store(db_path)
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    for extra in ((), ("--force",)):
        done = ccb("--db", str(db_path), "export", "-o", str(fifo), *extra)
        assert done.returncode == 2, done.stderr
        one_line(done)
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    done = ccb("--lang", "en", "--db", str(db_path), "report", "-f", "md", "-o", "/dev/null", "--force")
    assert done.returncode == 2
    assert one_line(done) == "/dev/null is a character device, not a regular file; not written. Choose another file name.\n"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert sorted(os.listdir(tmp_path)) == ["out.csv", "store"]
