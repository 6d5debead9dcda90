"""The interview owns its file: a second interview is told who holds it (issue 13 item 4)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from advisor.lock import Locked, acquire, lock_path, read_holder


def test_second_acquire_from_another_live_process_is_refused_and_names_the_holder(tmp_path):
    target = tmp_path / "q.yaml"
    target.write_text("advisor: 1\n")
    # another live process holds the lock
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sys, time; from pathlib import Path; from advisor.lock import acquire;"
                               f"l = acquire(Path({str(target)!r})); print('held', flush=True); time.sleep(30)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(Locked) as exc:
            acquire(target)
        assert exc.value.holder is not None and exc.value.holder.pid == holder.pid
        assert f"pid {holder.pid}" in str(exc.value) and "read-only" in str(exc.value)
    finally:
        holder.kill()
        holder.wait()
    # the holder died without releasing: its lock is stale and is taken over
    lock = acquire(target)
    assert read_holder(target).pid == os.getpid()
    lock.release()
    assert not lock_path(target).exists()


def test_release_leaves_a_lock_someone_else_took_over(tmp_path):
    target = tmp_path / "q.yaml"
    lock = acquire(target)
    lock_path(target).write_text(json.dumps({"pid": 1, "host": "elsewhere", "user": "x", "since": 0}))
    lock.release()
    assert lock_path(target).exists()  # not ours any more: left alone


def test_a_lock_from_another_host_is_respected(tmp_path):
    target = tmp_path / "q.yaml"
    lock_path(target).write_text(json.dumps({"pid": 12345, "host": "laptop-of-ana", "user": "ana", "since": 0}))
    with pytest.raises(Locked) as exc:
        acquire(target)
    assert "ana on laptop-of-ana" in str(exc.value)


def test_a_read_only_folder_raises_oserror_for_the_caller_to_handle(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OSError):
            acquire(folder / "q.yaml")
    finally:
        folder.chmod(0o700)
