"""Deploying the standard way: `make run`, the seeding summary, /favicon.ico, HEAD /healthz and
private caching of signed-in pages."""

import io
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workers_in(session: int) -> list[int]:
    """The background-task workers (manage.py db_worker) running in a process session."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            mine = proc.name.isdigit() and os.getsid(int(proc.name)) == session
            if mine and b"db_worker" in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except (OSError, ProcessLookupError):
            continue
    return found


def test_make_run_says_the_port_is_taken_and_does_not_claim_to_run():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            ["bash", "scripts/run.sh"], cwd=ROOT, env={**os.environ, "PORT": str(port)},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is taken" in output
    assert "running" not in output.replace("already running", "") and "starting" not in output


def test_make_run_serves_on_the_port_it_is_given_and_prints_one_seeding_line(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "HTTPS"}}
    env.update(PORT=str(port), DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}")
    log = tmp_path / "run.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            ["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        status = None
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    status = r.status
                    break
            except OSError:
                assert server.poll() is None, log.read_text()
                time.sleep(0.2)
        assert status == 200, log.read_text()
        assert _workers_in(server.pid), "make run did not start the task worker"
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
    for _ in range(100):  # the worker stops with the server
        if not _workers_in(server.pid):
            break
        time.sleep(0.1)
    assert not _workers_in(server.pid)
    text = log.read_text()
    assert [line for line in text.splitlines() if "question" in line.lower()] == [
        "Question bank: 120 created, 0 updated, 0 deactivated, 0 unchanged"
    ]
    assert f"http://127.0.0.1:{port}/" in text


def test_make_run_installs_only_what_the_app_needs(tmp_path):
    """bootstrap.sh's `app` mode installs the project without its test extras."""
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    fake = tmp_path / ".venv" / "bin" / "python"
    fake.parent.mkdir(parents=True)
    fake.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "pip.log"}\n')
    fake.chmod(0o755)
    subprocess.run(["bash", "scripts/bootstrap.sh", "app"], cwd=tmp_path, check=True, timeout=60)
    installs = [line for line in (tmp_path / "pip.log").read_text().splitlines() if "-e" in line]
    assert installs == ["-m pip install --quiet -e ."]
    subprocess.run(["bash", "scripts/bootstrap.sh"], cwd=tmp_path, check=True, timeout=60)
    installs = [line for line in (tmp_path / "pip.log").read_text().splitlines() if "-e" in line]
    assert installs[-1] == "-m pip install --quiet -e .[test]"
    assert "bootstrap.sh app" in (ROOT / "scripts" / "run.sh").read_text()


def test_seeding_prints_one_summary_line_and_each_change_on_request(db):
    out = io.StringIO()
    call_command("seed_questions", stdout=out)
    assert out.getvalue().splitlines() == [
        "Question bank: 120 created, 0 updated, 0 deactivated, 0 unchanged"
    ]
    out = io.StringIO()
    call_command("seed_questions", "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[-1].startswith("Question bank: Dry run")


def test_favicon_ico_answers_with_the_apps_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert "favicon" in response["Location"] and response["Location"].endswith(".svg")
    assert client.get(response["Location"]).status_code == 200


def test_head_healthz_answers_200(client, db):
    assert client.head("/healthz").status_code == 200


@pytest.mark.parametrize("name", ["dashboard", "study", "your_data", "export_csv", "export_json"])
def test_signed_in_pages_and_exports_are_private_and_not_stored(client_for, user, bank, name):
    response = client_for(user).get(reverse(name))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
