"""`ror web serve` as a real process on a free port (no engine needed: the engines' addresses point nowhere)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROR = Path(sys.executable).parent / "ror"
READY = "Application disponible sur "


@contextmanager
def served(*options: str, stop_timeout: float = 120) -> Iterator[tuple[subprocess.Popen, str]]:
    """Start `ror web serve --port 0 <options>`; yields (process, URL) once it prints its URL, stops it after."""
    env = {**os.environ, "ROR_HOST": "127.0.0.1", "PYTHONUNBUFFERED": "1",
           "NEO4J_URI": "bolt://127.0.0.1:1", "OPENSEARCH_URL": "http://127.0.0.1:1"}
    proc = subprocess.Popen([str(ROR), "web", "serve", "--port", "0", *options], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = ""
        for _ in range(50):
            line = proc.stdout.readline()
            if line.startswith(READY):
                break
        assert line.startswith(READY + "http://127.0.0.1:"), line
        yield proc, line.split(" sur ", 1)[1].strip()
    finally:
        proc.terminate()
        proc.wait(timeout=stop_timeout)
        proc.stdout.close()
