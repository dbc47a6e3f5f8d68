"""Engine children are reaped when they have really exited (a JVM's main thread ends before its process does)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from engines import process

# The main thread leaves (pthread_exit) while another thread keeps the process alive for a moment: /proc then
# shows the thread-group leader as a zombie although the process is still running, as a JVM does on shutdown.
# The other thread waits for the test's go (a file), not for a time: on a loaded machine a fixed 1.5 s could
# end before the test had looked.
LEADER_EXITS_FIRST = ("import ctypes, os, sys, threading, time\n"
                      "def linger():\n"
                      "    while not os.path.exists(sys.argv[1]):\n"
                      "        time.sleep(0.01)\n"
                      "threading.Thread(target=linger).start()\n"
                      "ctypes.CDLL(None).pthread_exit(None)\n")
WAIT_S = 120  # a guard only


def _leader_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return "?"


def test_a_child_whose_main_thread_ended_is_not_gone_until_it_has_exited(tmp_path):
    go = tmp_path / "go"
    pid = process.spawn([sys.executable, "-c", LEADER_EXITS_FIRST, str(go)], cwd=tmp_path, env={},
                        log=tmp_path / "log")
    deadline = time.monotonic() + WAIT_S
    while _leader_state(pid) != "Z" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _leader_state(pid) == "Z"  # the leader looks dead…
    assert not process._gone(pid)  # …but the process runs on: not reaped yet
    assert pid in process._CHILDREN
    go.touch()
    deadline = time.monotonic() + WAIT_S
    while not process._gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pid not in process._CHILDREN  # reaped: no zombie, no "still running" warning at exit
