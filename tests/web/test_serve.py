"""`ror web serve` runs the app under waitress and prints the URL people should open."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

ROR = Path(sys.executable).parent / "ror"


def test_serve_prints_its_url_and_answers(tmp_path):
    env = {**os.environ, "ROR_HOST": "127.0.0.1", "PYTHONUNBUFFERED": "1",
           "NEO4J_URI": "bolt://127.0.0.1:1", "OPENSEARCH_URL": "http://127.0.0.1:1"}  # no engine needed here
    proc = subprocess.Popen([str(ROR), "web", "serve", "--port", "0", "--threads", "2"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = ""
        for _ in range(50):
            line = proc.stdout.readline()
            if line.startswith("Application disponible sur "):
                break
        assert line.startswith("Application disponible sur http://127.0.0.1:"), line
        url = line.split(" sur ", 1)[1].strip()
        with urllib.request.urlopen(url, timeout=10) as response:
            html = response.read().decode()
            assert response.status == 200 and "Orienter un patient" in html
            assert response.headers["Server"] == "ror"
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proc.stdout.close()
