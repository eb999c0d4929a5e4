"""Load and fault harness: runs the production server (gunicorn, production settings, HTTPS off
on loopback) against a private PostgreSQL cluster of its own (loadtest/cluster.py), has simulated
learners study through the real HTTP API, injects faults, and reconciles afterwards, answer by
answer, what the learners were told against the reviews stored.

    python -m loadtest.harness --learners 50 --answers 20 [--fault kill-worker|restart-db|both]

The reduced fault run in `make test` (tests/test_fault_run.py) calls `run` with a handful of
learners; the benchmark (loadtest/benchmark.py) drives the same server through `Server`.
"""

from __future__ import annotations

import argparse
import itertools
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

from .cluster import PrivateCluster, free_port

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


def database_url(admin_url: str = ADMIN_URL) -> str:
    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{DATABASE}"


def server_env(workers: int, threads: int, admin_url: str = ADMIN_URL) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(admin_url),
        "SECRET_KEY": "load-" + "k9#Qz!" * 10,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HTTPS": "0",
        "LOG_LEVEL": "WARNING",
        "WEB_WORKERS": str(workers),
        "WEB_THREADS": str(threads),
        # Each simulated learner comes from an address of their own, as real ones do (sent as
        # X-Forwarded-For by `Learner`): one address for all would meet the per-address limits.
        "BEHIND_PROXY": "1",
        "AXES_FAILURE_LIMIT": "1000",
        "SIGNUPS_PER_HOUR": "100000",
    }


def manage(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    return result.stdout


def prepare_database(learners: int, env: dict[str, str], admin_url: str = ADMIN_URL) -> None:
    """Recreate the load database with the bank and `learners` accounts."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
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


def drop_database(admin_url: str = ADMIN_URL) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


class Server:
    """gunicorn with the production settings, on loopback."""

    def __init__(self, port: int, workers: int, threads: int, admin_url: str = ADMIN_URL):
        self.port, self.workers, self.threads = port, workers, threads
        self.env = server_env(workers, threads, admin_url)
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
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # refused while booting, or slow on a busy machine
                pass
            time.sleep(0.3)
        raise RuntimeError("the server did not become healthy within 60 s")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def settled_worker_pids(self, gone: int | None = None, seconds: float = 30) -> list[int]:
        """The workers once gunicorn runs its full count again, `gone` (a killed worker, listed
        until gunicorn reaps it) replaced."""
        deadline = time.monotonic() + seconds
        while len(pids := self.worker_pids()) != self.workers or gone in pids:
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn runs {len(pids)} workers, not {self.workers}")
            time.sleep(0.1)
        return sorted(pids)

    def healthy_within(self, seconds: float) -> float | None:
        """Seconds until /healthz answers 200, or None if it did not within `seconds`."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            try:
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return round(time.monotonic() - started, 2)
            except requests.RequestException:
                pass
            time.sleep(0.1)
        return None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Seen:
    """One response as the client received it."""

    path: str
    status: int
    started: float  # time.monotonic() when sent
    ended: float
    retry_after: str | None
    page_503: bool  # the body is the app's "Back in a moment" page


@dataclass
class Tally:
    """What the learners saw, shared by all their threads."""

    acknowledged: list[tuple[str, int, int]] = field(
        default_factory=list
    )  # learner, question, reps
    attempted: set[tuple[str, int, int]] = field(default_factory=set)
    seen: list[Seen] = field(default_factory=list)
    errors: int = 0
    failures: list[str] = field(default_factory=list)  # learners who gave up, and why
    signed_in: int = 0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, kind: str, path: str, response: requests.Response, started: float) -> None:
        ended = time.monotonic()
        page = response.status_code == 503 and "Back in a moment" in response.text
        with self.lock:
            self.seen.append(Seen(path, response.status_code, started, ended,
                                  response.headers.get("Retry-After"), page))  # fmt: skip
            self.latencies.setdefault(kind, []).append(ended - started)

    def refused_connection(self) -> None:
        with self.lock:
            self.errors += 1


class Learner:
    """One simulated learner studying through the same HTTP requests as the study screen."""

    REVEAL = re.compile(r'href="(/study/(\d+)/reveal/[^"]*)"')
    REPS = re.compile(r'name="reps" value="(\d+)"')

    addresses = itertools.count(1)

    def __init__(self, base: str, username: str, tally: Tally):
        self.base, self.username, self.tally = base, username, tally
        self.http = requests.Session()
        n = next(self.addresses)
        self.http.headers["X-Forwarded-For"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"

    def _request(self, kind: str, method: str, path: str, **kwargs) -> requests.Response:
        started = time.monotonic()
        response = self.http.request(method, self.base + path, timeout=30, **kwargs)
        self.tally.saw(kind, path, response, started)
        return response

    def _patiently(self, kind: str, method: str, path: str, **kwargs) -> requests.Response:
        """Send a request, retrying through refused connections and 503s (a fault is on)."""
        for attempt in range(60):
            try:
                response = self._request(kind, method, path, **kwargs)
            except requests.RequestException:
                self.tally.refused_connection()
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
                self.tally.refused_connection()
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
        answer = (self.username, question_id, reps)
        with self.tally.lock:
            self.tally.attempted.add(answer)
        for attempt in range(60):
            try:
                response = self._request("answer", "POST", f"/study/{question_id}/answer/",
                                         data=data, headers=headers)  # fmt: skip
            except requests.RequestException:
                self.tally.refused_connection()
                time.sleep(0.5)
                continue
            if response.status_code == 503:
                time.sleep(0.5 + 0.1 * attempt)
                continue
            if response.status_code == 200 or (response.status_code == 409 and attempt > 0):
                with self.tally.lock:
                    self.tally.acknowledged.append(answer)
            return response
        raise RuntimeError("an answer kept failing")

    def study(self, answers: int) -> None:
        try:
            self._study(answers)
        except Exception as error:  # reported in the results, not lost in a thread
            with self.tally.lock:
                self.tally.failures.append(f"{self.username}: {error!r}")

    def _study(self, answers: int) -> None:
        self.log_in()
        with self.tally.lock:
            self.tally.signed_in += 1
        for _ in range(answers):
            card = self.next_card()
            if card is None:
                return
            question_id, link = card
            reps = self.reveal(link)
            self.answer(question_id, reps, random.choice([1, 2, 3, 3, 3, 4]))

    def probe(self, path: str) -> dict:
        """One GET, as a learner opening a page; what came back, for the outage rows."""
        if path == "/healthz":  # as a load balancer asks: no session
            started = time.monotonic()
            response = requests.get(self.base + path, timeout=30)
            self.tally.saw("probe", path, response, started)
        else:
            response = self._request("probe", "GET", path, allow_redirects=False)
        row = {"path": path, "status": response.status_code,
               "retry_after": response.headers.get("Retry-After"),
               "page_503": "Back in a moment" in response.text}  # fmt: skip
        if path == "/healthz":
            row["database"] = response.json().get("database")
        return row


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


PROBED_PAGES = ("/", "/study/", "/stats/", "/healthz")


def kill_worker(server: Server) -> dict:
    before = server.settled_worker_pids()
    victim = random.choice(before)
    os.kill(victim, signal.SIGKILL)
    after = server.settled_worker_pids(gone=victim)
    return {"fault": "kill-worker", "killed": victim, "workers_before": before,
            "workers_after": after}  # fmt: skip


def database_outage(server: Server, cluster, prober: Learner, seconds: float = 3) -> dict:
    """Stop PostgreSQL (fast shutdown), open pages while it is down, start it again, and note
    how long until the same workers serve again."""
    before = server.settled_worker_pids()
    stopped = time.monotonic()
    cluster.stop("fast")
    probes = [prober.probe(path) for path in PROBED_PAGES]
    time.sleep(max(0.0, seconds - (time.monotonic() - stopped)))
    restarted = time.monotonic()
    cluster.start()
    recovered_after = server.healthy_within(60)
    after_pages = [prober.probe(path) for path in PROBED_PAGES]
    return {"fault": "restart-db", "stopped": stopped, "restarted": restarted,
            "down_seconds": round(restarted - stopped, 1),
            "probes_during": probes, "probes_after": after_pages,
            "recovered_seconds": recovered_after,
            "workers_before": before, "workers_after": server.settled_worker_pids()}  # fmt: skip


def outage_rows(seen: list[Seen], outage: dict) -> dict:
    """What every request sent and answered while PostgreSQL was down received (not /healthz,
    which answers 503 without a page by design)."""
    inside = [s for s in seen if s.path != "/healthz"
              and s.started >= outage["stopped"] and s.ended <= outage["restarted"]]  # fmt: skip
    statuses: dict[str, int] = {}
    for s in inside:
        statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    return {
        "requests": len(inside),
        "503_with_retry_after_and_page": sum(
            1 for s in inside if s.status == 503 and s.retry_after and s.page_503
        ),
        "statuses": dict(sorted(statuses.items())),
    }


def reconcile(url: str, tally: Tally) -> dict:
    """Each acknowledged answer (learner, question, the card's answer count when answered)
    against the reviews stored: the n-th review of a card is the answer given at count n-1, so an
    acknowledged answer at count k is lost when fewer than k+1 reviews exist, and every review
    beyond the number of distinct answers sent for that card is a double."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT u.username, r.question_id, count(*) FROM flashcards_review r"
            " JOIN auth_user u ON u.id = r.user_id GROUP BY u.username, r.question_id"
        ).fetchall()
    stored = {(user, question): n for user, question, n in rows}
    sent: dict[tuple[str, int], int] = {}
    for user, question, _reps in tally.attempted:
        sent[(user, question)] = sent.get((user, question), 0) + 1
    acknowledged = set(tally.acknowledged)
    return {
        "answers_acknowledged": len(tally.acknowledged),
        "acknowledged_twice": len(tally.acknowledged) - len(acknowledged),
        "reviews_stored": sum(stored.values()),
        "answers_lost": sum(1 for u, q, k in acknowledged if stored.get((u, q), 0) <= k),
        "answers_doubled": sum(max(0, n - sent.get(card, 0)) for card, n in stored.items()),
    }


def _commit() -> str:
    """The commit the code ran on; docs/ (where a run writes its results) does not count."""
    found = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    status = ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs"]
    dirty = subprocess.run(status, cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return found.stdout.strip() + ("+uncommitted changes" if dirty else "")


FAULTS = {"none": (), "kill-worker": ("kill-worker",), "restart-db": ("restart-db",),
          "both": ("kill-worker", "restart-db")}  # fmt: skip


def run(learners: int, answers: int, fault: str, workers: int, threads: int, port: int,
        first_fault_at: float = 4.0, between_faults: float = 3.0) -> dict:  # fmt: skip
    """One run on a private cluster; the faults of `fault` are injected in turn while the learners
    study, the first `first_fault_at` seconds after all of them signed in. Everything in the
    result was measured in this run."""
    cluster = PrivateCluster()
    server = None
    tally, injected = Tally(), []
    try:
        cluster.create()
        server = Server(port, workers, threads, cluster.admin_url)
        prepare_database(learners + 1, server.env, cluster.admin_url)
        server.start()
        prober = Learner(server.url, f"learner{learners}", tally)  # the last account: pages only
        prober.log_in()
        crowd = [Learner(server.url, f"learner{i}", tally) for i in range(learners)]
        threads_ = [threading.Thread(target=learner.study, args=(answers,)) for learner in crowd]
        started = time.monotonic()
        for thread in threads_:
            thread.start()
        # The faults hit studying, not signing in (the clock starts once everyone is in).
        deadline = time.monotonic() + 300
        while tally.signed_in + len(tally.failures) < learners and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(first_fault_at)
        for name in FAULTS[fault]:
            at = round(time.monotonic() - started, 1)
            outcome = kill_worker(server) if name == "kill-worker" else database_outage(
                server, cluster, prober)  # fmt: skip
            injected.append({"at_seconds": at, **outcome})
            time.sleep(between_faults)
        for thread in threads_:
            thread.join()
        elapsed = time.monotonic() - started
        reconciled = reconcile(database_url(cluster.admin_url), tally)
    finally:
        if server:
            server.stop()
        cluster.remove()
    for outcome in injected:
        if outcome["fault"] == "restart-db":
            outcome["during_outage"] = outage_rows(tally.seen, outcome)
            del outcome["stopped"], outcome["restarted"]  # monotonic clock readings: meaningless
    statuses: dict[str, int] = {}
    for s in tally.seen:
        statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    return {
        "commit": _commit(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "learners": learners,
        "answers_each": answers,
        "workers": workers,
        "threads": threads,
        "fault": fault,
        "faults": injected,
        **reconciled,
        "responses": dict(sorted(statuses.items(), key=lambda item: int(item[0]))),
        "http_5xx": sum(1 for s in tally.seen if s.status >= 500),
        "http_5xx_other_than_503": sum(
            1 for s in tally.seen if s.status >= 500 and s.status != 503
        ),
        "http_503": sum(1 for s in tally.seen if s.status == 503),
        # /healthz answers 503 as JSON for load balancers, without a retry hint: pages only.
        "retry_after_values": sorted(
            {
                s.retry_after or "none"
                for s in tally.seen
                if s.status == 503 and s.path != "/healthz"
            }
        ),
        "connection_errors_retried": tally.errors,
        "seconds": round(elapsed, 1),
        "learners_failed": tally.failures,
        "answer_p50_ms": round(1000 * statistics.median(tally.latencies.get("answer", [0])), 1),
        "answer_p99_ms": round(1000 * percentile(tally.latencies.get("answer", [0]), 99), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--fault", choices=list(FAULTS), default="none")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()
    port = args.port or free_port()
    result = run(args.learners, args.answers, args.fault, args.workers, args.threads, port)
    print(json.dumps(result, indent=2))
    ok = not result["learners_failed"] and result["http_5xx_other_than_503"] == 0
    ok = ok and result["answers_lost"] == 0 and result["answers_doubled"] == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
