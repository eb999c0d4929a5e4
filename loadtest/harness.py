"""Load and fault harness: runs the production server (gunicorn, production settings, HTTPS off
on loopback) against PostgreSQL, has simulated learners study through the real HTTP API, and
checks afterwards that every acknowledged answer is stored exactly once.

    python -m loadtest.harness --learners 50 --answers 20 [--fault kill-worker|restart-db]

The benchmark (loadtest/benchmark.py) drives the same server through `Server` and `Learner`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PASSWORD = "load-test-password-7"
ADMIN_URL = os.environ.get("LOAD_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# A database of the run's own (LOAD_DATABASE, or one named after this process), so two runs on
# one server cannot drop each other's data; it is dropped when the run ends.
DATABASE = os.environ.get("LOAD_DATABASE") or f"genai_prep_load_{os.getpid()}"
if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", DATABASE):
    raise SystemExit(f"LOAD_DATABASE must be a plain lower-case identifier, not {DATABASE!r}")


def database_url() -> str:
    base = ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{DATABASE}"


def server_env(workers: int, threads: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "load-" + "k9#Qz!" * 10,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HTTPS": "0",
        "LOG_LEVEL": "WARNING",
        "WEB_WORKERS": str(workers),
        "WEB_THREADS": str(threads),
        "AXES_FAILURE_LIMIT": "1000",
        "SIGNUPS_PER_HOUR": "100000",
    }


def manage(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    return result.stdout


def prepare_database(learners: int, env: dict[str, str]) -> None:
    """Recreate the load database with the bank and `learners` accounts."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    manage("migrate", "--noinput", env=env)
    manage("seed_questions", env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)
    script = (
        "from django.contrib.auth.models import User\n"
        "from django.contrib.auth.hashers import make_password\n"
        "from flashcards.models import StudySettings\n"
        f"hashed = make_password({PASSWORD!r})\n"
        f"users = User.objects.bulk_create(User(username=f'learner{{i}}', password=hashed)"
        f" for i in range({learners}))\n"
        "StudySettings.objects.bulk_create(StudySettings(user=u, new_per_day=100) for u in users)\n"
    )
    manage("shell", env=env, stdin=script)


def drop_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def review_count() -> int:
    with psycopg.connect(database_url()) as conn:
        return conn.execute("SELECT count(*) FROM flashcards_review").fetchone()[0]


class Server:
    """gunicorn with the production settings, on loopback."""

    def __init__(self, port: int, workers: int, threads: int):
        self.port, self.workers, self.threads = port, workers, threads
        self.env = server_env(workers, threads)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [GUNICORN, "genai_prep.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--threads", str(self.threads),
             "--worker-tmp-dir", "/dev/shm", "--timeout", "30", "--graceful-timeout", "5"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # not up yet, or slow to start
                pass
            time.sleep(0.3)
        raise RuntimeError("the server did not become healthy within 60 s")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def kill_one_worker(self) -> int:
        pid = random.choice(self.worker_pids())
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Tally:
    """What the learners saw, shared by all their threads."""

    accepted: int = 0
    retried: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.latencies.setdefault(kind, []).append(seconds)


class Learner:
    """One simulated learner studying through the same HTTP requests as the study screen."""

    REVEAL = re.compile(r'href="(/study/(\d+)/reveal/[^"]*)"')
    REPS = re.compile(r'name="reps" value="(\d+)"')

    def __init__(self, base: str, username: str, tally: Tally):
        self.base, self.username, self.tally = base, username, tally
        self.http = requests.Session()

    def _request(self, kind: str, method: str, path: str, **kwargs) -> requests.Response:
        started = time.perf_counter()
        response = self.http.request(method, self.base + path, timeout=30, **kwargs)
        self.tally.saw(kind, response.status_code, time.perf_counter() - started)
        return response

    def _patiently(self, kind: str, method: str, path: str, **kwargs) -> requests.Response:
        """Send a request, retrying through refused connections and 503s (a fault is on)."""
        for attempt in range(60):
            try:
                response = self._request(kind, method, path, **kwargs)
            except requests.RequestException:
                with self.tally.lock:
                    self.tally.errors += 1
                time.sleep(0.5)
                continue
            if response.status_code != 503:
                return response
            time.sleep(0.5 + 0.1 * attempt)
        raise RuntimeError(f"{path} kept failing")

    def log_in(self) -> None:
        """Sign in as a person would: after a 503, load the form again before sending it (a login
        cut short by the outage may already have rotated the CSRF token the old form carries)."""
        for attempt in range(60):
            self._patiently("login page", "GET", "/accounts/login/")
            token = self.http.cookies["csrftoken"]
            try:
                response = self._request(
                    "login", "POST", "/accounts/login/",
                    data={"login": self.username, "password": PASSWORD,
                          "csrfmiddlewaretoken": token},
                    headers={"Referer": self.base + "/accounts/login/"}, allow_redirects=False,
                )  # fmt: skip
            except requests.RequestException:
                with self.tally.lock:
                    self.tally.errors += 1
                time.sleep(0.5)
                continue
            if response.status_code == 302:
                return
            if response.status_code != 503:
                raise RuntimeError(f"login failed for {self.username}: {response.status_code}")
            time.sleep(0.5 + 0.1 * attempt)
        raise RuntimeError(f"login kept failing for {self.username}")

    def next_card(self) -> tuple[int, str] | None:
        html = self._patiently("study page", "GET", "/study/").text
        match = self.REVEAL.search(html)
        return (int(match.group(2)), match.group(1)) if match else None

    def reveal(self, link: str) -> int:
        html = self._patiently("reveal", "GET", link, headers={"HX-Request": "true"}).text
        return int(self.REPS.search(html).group(1))

    def answer(self, question_id: int, reps: int, rating: int) -> requests.Response:
        """Answer once; a retried answer that meets 409 was applied by the earlier attempt."""
        data = {"rating": rating, "reps": reps, "shown_at": int(time.time() * 1000) - 3000}
        headers = {"HX-Request": "true", "X-CSRFToken": self.http.cookies["csrftoken"]}
        for attempt in range(60):
            try:
                response = self._request("answer", "POST", f"/study/{question_id}/answer/",
                                         data=data, headers=headers)  # fmt: skip
            except requests.RequestException:
                with self.tally.lock:
                    self.tally.errors += 1
                    self.tally.retried += 1
                time.sleep(0.5)
                continue
            if response.status_code == 503:
                time.sleep(0.5 + 0.1 * attempt)
                continue
            if response.status_code == 200 or (response.status_code == 409 and attempt > 0):
                with self.tally.lock:
                    self.tally.accepted += 1
            return response
        raise RuntimeError("an answer kept failing")

    def study(self, answers: int) -> None:
        self.log_in()
        for _ in range(answers):
            card = self.next_card()
            if card is None:
                return
            question_id, link = card
            reps = self.reveal(link)
            self.answer(question_id, reps, random.choice([1, 2, 3, 3, 3, 4]))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def inject(fault: str, server: Server, after: float, log: list[str]) -> None:
    time.sleep(after)
    if fault == "kill-worker":
        log.append(f"killed worker {server.kill_one_worker()} at {after:.1f}s")
    elif fault == "restart-db":
        ctl = ["pg_ctlcluster", "--skip-systemctl-redirect",
               *os.environ.get("PG_CLUSTER", "15 main").split()]  # fmt: skip
        subprocess.run([*ctl, "stop", "-m", "fast"], check=True)
        log.append(f"stopped PostgreSQL at {after:.1f}s")
        time.sleep(3)
        subprocess.run([*ctl, "start"], check=True)
        log.append(f"started PostgreSQL again at {after + 3:.1f}s")


def run(learners: int, answers: int, fault: str, workers: int, threads: int, port: int) -> dict:
    server = Server(port, workers, threads)
    prepare_database(learners, server.env)
    server.start()
    tally, faults = Tally(), []
    try:
        before = review_count()
        crowd = [Learner(server.url, f"learner{i}", tally) for i in range(learners)]
        threads_ = [threading.Thread(target=learner.study, args=(answers,)) for learner in crowd]
        started = time.monotonic()
        for thread in threads_:
            thread.start()
        if fault != "none":
            injector = threading.Thread(target=inject, args=(fault, server, 4.0, faults))
            injector.start()
        for thread in threads_:
            thread.join()
        if fault != "none":
            injector.join()
        elapsed = time.monotonic() - started
        stored = review_count() - before
    finally:
        server.stop()
        drop_database()
    five_xx = {s: n for s, n in tally.statuses.items() if s >= 500}
    return {
        "learners": learners,
        "answers_each": answers,
        "fault": fault,
        "faults_injected": faults,
        "answers_acknowledged": tally.accepted,
        "reviews_stored": stored,
        "lost_or_doubled": stored - tally.accepted,
        "responses": dict(sorted(tally.statuses.items())),
        "http_5xx_other_than_503": sum(n for s, n in five_xx.items() if s != 503),
        "http_503": five_xx.get(503, 0),
        "connection_errors_retried": tally.errors,
        "seconds": round(elapsed, 1),
        "answer_p50_ms": round(1000 * statistics.median(tally.latencies["answer"]), 1),
        "answer_p99_ms": round(1000 * percentile(tally.latencies["answer"], 99), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--fault", choices=["none", "kill-worker", "restart-db"], default="none")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    result = run(args.learners, args.answers, args.fault, args.workers, args.threads, args.port)
    print(json.dumps(result, indent=2))
    ok = result["lost_or_doubled"] == 0 and result["http_5xx_other_than_503"] == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
