"""Every log line the production server writes is one JSON object, whatever the request."""

import json
import os
import socket
import subprocess
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
SERVE = (ROOT / "scripts" / "serve.sh").read_text()
HOSTILE_PATHS = ["/a\\b", "/%5C%22", '/x"y', "/study/\\u0000", "/%C3%A9\\\\", "/?q=\\&r=\"'"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _raw_get(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data


def test_every_log_line_parses_as_json_for_any_request(db, tmp_path):
    # Regression: gunicorn's --access-logformat escaped quotes but not backslashes.
    assert "--logger-class genai_prep.logs.GunicornJsonLogger" in SERVE
    assert "--access-logformat" not in SERVE
    port = _free_port()
    db_settings = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db_settings['USER']}@{db_settings['HOST']}:"
        f"{db_settings['PORT']}/{db_settings['NAME']}",
        "SECRET_KEY": "logs-" + "x7#Lq!" * 10,
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "0",
        "LOG_LEVEL": "INFO",
    }
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "genai_prep.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-",
             "--logger-class", "genai_prep.logs.GunicornJsonLogger",
             "--error-logfile", "/dev/null"],
            cwd=ROOT, env=env, stdout=out, stderr=out,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while b"200 OK" not in _safe_get(port, "/healthz"):
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
            for path in HOSTILE_PATHS:
                assert _raw_get(port, path).startswith(b"HTTP/1.1 ")
        finally:
            server.terminate()
            server.wait(timeout=30)
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # each line parses
    logged = [e["gunicorn"] for e in entries if "gunicorn" in e]
    for path in HOSTILE_PATHS:
        assert f"GET {path} HTTP/1.1" in logged, (path, logged)
    assert any(e.get("logger") == "genai_prep.access" for e in entries)  # Django's lines too


def _safe_get(port: int, path: str) -> bytes:
    try:
        return _raw_get(port, path)
    except OSError:
        return b""
