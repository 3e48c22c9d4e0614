"""Where ``-o`` writes: a file is complete or as it was (errors, a full disk, SIGINT, SIGTERM); a device, a FIFO or
stdout is written in place, never replaced; a symlink's target is replaced; a bad path is one sentence (issue 24)."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading

import pytest

from tests.support.hostile_server import Answer, HostileServer

TRACEBACK = "Traceback"


def seed(server, n: int = 3) -> None:
    for i in range(n):
        body = {"identifier_key": f"file-{i}", "name": f"File {i}", "identity_type": "user",
                "properties": [{"key": "n", "type": "number", "value": i}]}
        assert server.http.post("/v1/identities/", json=body).status_code == 200


def parts(folder) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(".part")]


def one_sentence(err: str) -> bool:
    return err.count("\n") == 1 and TRACEBACK not in err and err.startswith("identity-tui: ")


def command(*argv: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "identity_tui", *argv], text=True, **kwargs)


def test_dash_streams_to_stdout(sandbox_server, cli, tmp_path):
    seed(sandbox_server)
    ran = cli("export", "-o", "-")
    assert ran.code == 0 and [json.loads(line)["identifier_key"] for line in ran.out.splitlines()] == [
        "file-0", "file-1", "file-2"]


def test_a_symlink_is_followed_and_its_target_replaced_in_the_targets_folder(sandbox_server, cli, tmp_path):
    seed(sandbox_server)
    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    target = tmp_path / "real" / "backup.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "links" / "backup.jsonl"
    link.symlink_to(target)
    ran = cli("export", "-o", str(link))
    assert ran.code == 0, ran.err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert len(target.read_text().splitlines()) == 3
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert parts(tmp_path / "real") == [] and parts(tmp_path / "links") == []


def test_a_symlink_to_a_device_writes_to_the_device_and_stays(sandbox_server, cli, tmp_path):
    seed(sandbox_server)
    link = tmp_path / "null.jsonl"
    link.symlink_to(os.devnull)
    ran = cli("export", "-o", str(link))
    assert ran.code == 0, ran.err
    assert link.is_symlink() and stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert parts(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_is_written_in_place_never_replaced(sandbox_server, cli, tmp_path):
    seed(sandbox_server)
    device = tmp_path / "null"
    null = os.stat(os.devnull).st_rdev
    os.mknod(device, stat.S_IFCHR | 0o666, null)
    ran = cli("export", "-o", str(device))
    assert ran.code == 0, ran.err
    assert stat.S_ISCHR(device.stat().st_mode) and device.stat().st_rdev == null
    assert parts(tmp_path) == []


def test_a_fifo_is_written_in_place_and_its_reader_gets_the_export(sandbox_server, cli, tmp_path):
    seed(sandbox_server)
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    ran = cli("export", "-o", str(fifo))
    reader.join(timeout=30)
    if reader.is_alive():  # never opened: let the reader go before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=30)
    assert ran.code == 0, ran.err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert len(got[0].splitlines()) == 3


def test_stdout_by_its_proc_name_is_written_in_place(sandbox_server, tmp_path):
    seed(sandbox_server)
    for name in ("/proc/self/fd/1", "/dev/stdout"):
        proc = command("export", "-o", name, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert len(out.splitlines()) == 3, name
    assert os.path.islink("/dev/stdout")


def test_a_hard_link_is_replaced_and_the_note_says_the_other_name_keeps_the_old(sandbox_server, cli, tmp_path):
    seed(sandbox_server)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("old\n")
    os.link(first, second)
    ran = cli("export", "-o", str(first))
    assert ran.code == 0, ran.err
    assert len(first.read_text().splitlines()) == 3 and second.read_text() == "old\n"
    assert "hard links" in ran.err and "a.jsonl" in ran.err


@pytest.mark.parametrize("where", ["folder", "missing-folder", "read-only", "trailing-slash", "empty"])
def test_a_path_that_cannot_be_a_file_is_one_sentence_and_leaves_nothing(sandbox_server, cli, tmp_path,
                                                                            monkeypatch, where):
    seed(sandbox_server)
    if where == "folder":
        path = tmp_path / "adir"
        path.mkdir()
        words = "is a folder"
    elif where == "missing-folder":
        path = tmp_path / "nowhere" / "x.jsonl"
        words = "no folder"
    elif where == "trailing-slash":  # a folder that is not there: never a file named like it
        path = f"{tmp_path}/newdir/"
        words = "names a folder"
    elif where == "empty":
        path = ""
        words = "Give a file name"
    else:
        path = tmp_path / "x.jsonl"
        words = "Read-only file system"

        def read_only(*_a, **_k):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))

        monkeypatch.setattr(tempfile, "mkstemp", read_only)
    sandbox_server.clear()
    ran = cli("export", "-o", str(path))
    assert ran.code == 2 and one_sentence(ran.err), ran.err
    assert words in ran.err and str(path) in ran.err
    assert parts(tmp_path) == [] and (where == "folder" or not os.path.exists(path) or not path)
    assert not (tmp_path / "newdir").exists()
    assert sandbox_server.methods() == []  # a bad path is found before the server is asked


def test_a_full_disk_is_one_sentence_and_leaves_the_old_file(sandbox_server, tmp_path):
    """RLIMIT_FSIZE makes a write past 4 KiB fail (EFBIG) as a full disk would (ENOSPC): the same path."""
    seed(sandbox_server, 40)
    path = tmp_path / "backup.jsonl"
    path.write_text("old\n")

    def small_files() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    proc = command("export", "-o", str(path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=small_files)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and one_sentence(err), err
    assert "Cannot write" in err and str(path) in err
    assert path.read_text() == "old\n" and parts(tmp_path) == []


def test_a_full_device_is_one_sentence(sandbox_server, cli, tmp_path):
    seed(sandbox_server)
    link = tmp_path / "full.jsonl"
    link.symlink_to("/dev/full")
    ran = cli("export", "-o", str(link))
    assert ran.code == 1 and one_sentence(ran.err) and "No space left on device" in ran.err, ran.err
    assert link.is_symlink()


@pytest.mark.parametrize("argv", [["export"], ["list"], ["list", "--format", "csv"], ["get", "--key", "file-1"]])
def test_stdout_on_a_full_device_is_one_sentence(sandbox_server, argv):
    seed(sandbox_server)
    with open("/dev/full", "w") as full:
        proc = command(*argv, stdout=full, stderr=subprocess.PIPE)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and one_sentence(err), err
    assert "No space left on device" in err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_mid_export_leaves_no_partial_file_and_the_old_one_whole(tmp_path, sig):
    arrived, release = threading.Event(), threading.Event()

    def held(*_):
        arrived.set()
        release.wait(timeout=60)
        return Answer(body=b"[]")

    path = tmp_path / "backup.jsonl"
    path.write_text("old\n")
    with HostileServer() as server:
        server.answer("GET", "/v1/identities/", held)
        proc = command("export", "-o", str(path), *server.args(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert arrived.wait(timeout=60)
            assert len(parts(tmp_path)) == 1  # the export is under way, into its .part
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=60)
        finally:
            release.set()
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 128 + sig and one_sentence(err), err
    assert path.read_text() == "old\n" and parts(tmp_path) == []


def test_the_callers_signal_handlers_are_as_they_were_after_an_export(sandbox_server, cli, tmp_path):
    """An export handles SIGTERM and SIGHUP while it runs, then leaves a program's own handlers in place."""
    def mine(*_):
        pass

    before = {sig: signal.signal(sig, mine) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        assert cli("export", "-o", str(tmp_path / "x.jsonl")).code == 0
        assert [signal.getsignal(sig) for sig in before] == [mine, mine]
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def test_an_export_into_a_fifo_leaves_sigterm_to_end_the_program(sandbox_server, cli, tmp_path):
    """Opening a FIFO waits for its reader, and no handler could run there: SIGTERM keeps its own handling (the
    program ends) while an export writes in place. The export is larger than the pipe, so the reader looks
    while the export is still under way."""
    body = {"identifier_key": "big", "name": "Big", "identity_type": "user",
            "properties": [{"key": "v", "type": "string", "value": "x" * 300_000}]}
    assert sandbox_server.http.post("/v1/identities/", json=body).status_code == 200
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    seen: list = []

    def read() -> None:
        with open(fifo, "rb") as pipe:
            seen.append(signal.getsignal(signal.SIGTERM))
            seen.append(len(pipe.read()))

    before = signal.getsignal(signal.SIGTERM)
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    ran = cli("export", "-o", str(fifo))
    reader.join(timeout=30)
    assert ran.code == 0, ran.err
    assert seen[0] is before and seen[1] > 300_000
