"""The study journey through a real PgBouncer in transaction mode (Debian's 1.18: it cannot keep a
named prepared statement with the connection that made it).

PgBouncer is started for the test on a free port, in front of the test database, with the
settings the README documents; `server_round_robin` makes it hand each transaction to the next
of several server connections, so a statement prepared on one is missing on the next at once.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from flashcards.models import Review
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions
from genai_prep.database import pooler_in_between

from .conftest import make_user

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def pgbouncer():
    if not os.path.exists(PGBOUNCER):
        if os.environ.get("CI"):
            pytest.fail("pgbouncer is not installed (apt-get install pgbouncer; .ci/run does)")
        pytest.skip("pgbouncer is not installed")
    server = connection.settings_dict
    port = _free_port()
    # Not pytest's tmp_path: PgBouncer runs as another user when the tests run as root.
    tmp_path = Path(tempfile.mkdtemp(prefix="genai-prep-pgbouncer-"))
    (tmp_path / "users.txt").write_text(f'"{server["USER"]}" ""\n')
    (tmp_path / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={server['HOST'] or '127.0.0.1'} port={server['PORT'] or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {tmp_path / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 4\nserver_round_robin = 1\n"
        f"logfile = {tmp_path / 'pgbouncer.log'}\n"
    )
    command = [PGBOUNCER, "-q", str(tmp_path / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        shutil.chown(tmp_path, "postgres")
        for name in ("users.txt", "pgbouncer.ini"):
            shutil.chown(tmp_path / name, "postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        url = f"postgres://{server['USER']}@127.0.0.1:{port}/{server['NAME']}"
        for _ in range(100):
            try:
                psycopg.connect(url, connect_timeout=1).close()
                break
            except psycopg.OperationalError:
                if process.poll() is not None:
                    pytest.fail(f"pgbouncer did not start: {process.stderr.read()}")
                time.sleep(0.1)
        # Open several server connections at once, so transactions rotate over them.
        held = [psycopg.connect(url) for _ in range(3)]
        for conn in held:
            conn.execute("SELECT 1")
        for conn in held:
            conn.commit()  # a client leaving mid-transaction would take its server with it
            conn.close()
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.django_db(transaction=True)
def test_a_study_session_through_pgbouncer_in_transaction_mode(pgbouncer, monkeypatch):
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    user = make_user(new_per_day=12)
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", str(pgbouncer))
    monkeypatch.delenv("DB_PREPARED_STATEMENTS", raising=False)
    try:
        connection.ensure_connection()
        assert pooler_in_between(connection)
        client = Client()
        client.force_login(user)
        for reps in range(12):
            html = client.get("/study/").content.decode()
            question_id = int(re.search(r'href="/study/(\d+)/reveal/', html)[1])
            assert client.get(reverse("reveal", args=[question_id])).status_code == 200
            response = client.post(reverse("answer", args=[question_id]), {"rating": 3, "reps": 0})
            assert response.status_code in (200, 302), reps
        assert client.get("/").status_code == 200
        assert Review.objects.filter(user=user).count() == 12
    finally:
        connection.close()


@pytest.mark.django_db
def test_a_direct_connection_is_not_taken_for_a_pooler():
    connection.ensure_connection()
    assert not pooler_in_between(connection)
    assert connection.connection.prepare_threshold == 5
