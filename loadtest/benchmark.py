"""Benchmark: the study round trip and the main pages against the framework floor, on the
production server (gunicorn, production settings) with PostgreSQL, from a separate process.

    python -m loadtest.benchmark [--clients 16] [--seconds 10] [--repeats 3] [--workers 3]
        [--threads 4] [--llm-coach-only] [--model-delay 10]

The last part measures study round trips beside practice interviews with the LLM coach on and
off (loadtest/coach_load.py); `--llm-coach-only` runs just that part.

Every figure is a median over the repeats; warm-up requests are excluded.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import urllib3

from . import coach_load
from .harness import ROOT, Server, drop_database, percentile, prepare_database

LEARNERS = 400
HEAVY_REVIEWS_PER_CARD = 100  # 100 cards × 100 = 10,000 reviews
REVEAL = re.compile(r'href="/study/(\d+)/reveal/')


def _django(env: dict[str, str]):
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genai_prep.settings")
    import django

    django.setup()


def _heavy_learner() -> None:
    """Give learner0 a 10,000-review history (bulk rows), for the dashboard and statistics."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from flashcards.models import Question
    from tests.conftest import make_bulk_history

    start = timezone.now() - timedelta(days=HEAVY_REVIEWS_PER_CARD + 40)
    make_bulk_history(User.objects.get(username="learner0"), list(Question.objects.active()),
                      HEAVY_REVIEWS_PER_CARD, start)  # fmt: skip


def _session_cookies(username: str) -> dict[str, str]:
    """A signed-in session made directly in the database (logging in 400 times would measure
    the password hasher, not the app)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "flashcards.backends.LearnerBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"sessionid": session.session_key, "csrftoken": secrets.token_hex(16)}


class Client:
    """One simulated learner's browser: cookies, and where it is in its queue.

    Built on urllib3 with a fixed Cookie header rather than on requests: on this machine requests'
    cookie jar and adapters cost about 7 ms of the generator's CPU per request (measured against
    urllib3 on /healthz), time that would be charged to the server and taken from its two cores.
    The session cookie never changes during a run (nothing here signs in or out).
    """

    def __init__(self, base: str, cookies: dict[str, str]):
        host, port = base.removeprefix("http://").split(":")
        self.http = urllib3.HTTPConnectionPool(host, int(port), maxsize=1, timeout=30)
        self.headers = {
            "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
            "HX-Request": "true",
            "X-CSRFToken": cookies["csrftoken"],
        }
        self.card: int | None = None
        self.reps: dict[int, int] = {}
        self.queries: dict[str, int] = {}

    def _send(self, name: str, method: str, path: str, fields: dict | None = None) -> str:
        if fields is None:
            response = self.http.request(method, path, headers=self.headers)
        else:
            response = self.http.request(
                method, path, headers=self.headers, fields=fields, encode_multipart=False
            )
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status}")
        self.queries[name] = int(response.headers.get("X-Query-Count", -1))
        return response.data.decode()

    def get(self, name: str, path: str) -> str:
        return self._send(name, "GET", path)

    def round_trip(self) -> str:
        """Answer the current card (Good) and receive the next one: the study screen's request."""
        if self.card is None:
            self.card = int(REVEAL.search(self.get("study", "/study/")).group(1))
        card = self.card
        fields = {"rating": "3", "reps": str(self.reps.get(card, 0)), "shown_at": ""}
        html = self._send("round trip", "POST", f"/study/{card}/answer/", fields)
        self.reps[card] = self.reps.get(card, 0) + 1
        match = REVEAL.search(html)
        self.card = int(match.group(1)) if match else None
        return html


def closed_loop(clients: list, action: Callable, seconds: float, warmup: float = 2.0) -> dict:
    """Each client repeats `action` back to back; returns throughput and latencies."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + warmup + seconds
    measure_from = time.monotonic() + warmup

    def loop(client):
        mine = []
        while (now := time.monotonic()) < stop:
            action(client)
            if now >= measure_from:
                mine.append(time.monotonic() - now)
        with lock:
            latencies.extend(mine)

    cpu = time.process_time()
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(loop, clients))
    cpu = time.process_time() - cpu
    return _summary(latencies, seconds, cpu / (warmup + seconds))


def open_loop(clients: list, action: Callable, rate: float, seconds: float) -> dict:
    """Send requests at a fixed rate whatever the server does; latency counts from the moment
    a request was due, so a slow server cannot hide its queue (no coordinated omission)."""
    latencies: list[float] = []
    lock = threading.Lock()
    free = list(clients)
    start = time.monotonic()

    def fire(due: float):
        with lock:
            client = free.pop()
        try:
            action(client)
        finally:
            with lock:
                free.append(client)
                latencies.append(time.monotonic() - due)

    cpu = time.process_time()
    with ThreadPoolExecutor(len(clients)) as pool:
        count = int(rate * seconds)
        for i in range(count):
            due = start + i / rate
            time.sleep(max(0.0, due - time.monotonic()))
            pool.submit(fire, due)
    cpu = time.process_time() - cpu
    return _summary(latencies, seconds, cpu / seconds)


def _summary(latencies: list[float], seconds: float, generator_cpu: float) -> dict:
    return {
        "rps": len(latencies) / seconds,
        "p50_ms": 1000 * percentile(latencies, 50),
        "p95_ms": 1000 * percentile(latencies, 95),
        "p99_ms": 1000 * percentile(latencies, 99),
        "generator_cpu": generator_cpu,
    }


def median_of(runs: list[dict]) -> dict:
    merged = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    rps = [r["rps"] for r in runs]
    merged["noise"] = (max(rps) - min(rps)) / merged["rps"] if merged["rps"] else 0.0
    return merged


def _interleaved(actions: dict, measure: Callable, repeats: int) -> dict:
    runs: dict[str, list[dict]] = {name: [] for name in actions}
    for _ in range(repeats):
        for name, (clients, action) in actions.items():
            runs[name].append(measure(clients, action))
    return {name: median_of(results) for name, results in runs.items()}


PRACTISERS = 4


def _configure_coach(server: Server, delay: float):
    """Point the server (and its task worker) at the fake model; returns the model's handles."""
    fake, http = coach_load.start_fake_model(delay)
    server.env.update(COACH_LLM_BASE_URL=fake.url, COACH_LLM_MODEL=f"fake-{delay:g}s",
                      COACH_LLM_TIMEOUT="60", COACH_LLM_DAILY_LIMIT="1000000")  # fmt: skip
    return fake, http


def _coach_part(base: str, fake, worker, clients_n: int, seconds: float, repeats: int,
                delay: float, next_name: Callable[[], str]) -> dict:  # fmt: skip
    """Study round trips beside practice interviews, with the LLM coach off and on."""
    fresh = lambda: Client(base, _session_cookies(next_name()))  # noqa: E731
    names = [next_name() for _ in range(PRACTISERS)]
    practisers = [coach_load.Practiser(Client(base, _session_cookies(n)), 2) for n in names]
    learners = [fresh() for _ in range(clients_n)]

    def study(client):
        if client.card is None and client.reps:  # this learner is done for today
            client.__dict__.update(fresh().__dict__)
        client.round_trip()

    phases = coach_load.run_phases(
        study_clients=learners, practisers=practisers, usernames=names,
        closed_loop=closed_loop, study=study, seconds=seconds, repeats=repeats,
    )  # fmt: skip
    return {
        "clients": clients_n, "practisers": PRACTISERS, "delay": delay, "seconds": seconds,
        "repeats": repeats, "phases": phases, "model_calls": len(fake.requests),
        "feedback": coach_load.feedback_counts(), "polls": sum(p.polled for p in practisers),
        "answers": sum(p.answers for p in practisers),
        "errors": [e for p in practisers for e in p.errors][:20],
        "worker_cpu_seconds": coach_load.cpu_seconds(worker.pid),
    }  # fmt: skip


def run_coach_only(clients_n: int, seconds: float, repeats: int, workers: int, threads: int,
                   delay: float, learners: int = 1000) -> dict:  # fmt: skip
    server = Server(8778, workers, threads)
    prepare_database(learners, server.env)
    fake, http = _configure_coach(server, delay)
    _django(server.env)
    worker = coach_load.start_worker(server.env)
    names = (f"learner{i}" for i in range(learners))
    try:
        server.start()
        coach = _coach_part(server.url, fake, worker, clients_n, seconds, repeats, delay,
                            lambda: next(names))  # fmt: skip
        return {"llm_coach": coach}
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        server.stop()
        http.shutdown()
        drop_database()


def run(clients_n: int, seconds: float, repeats: int, workers: int, threads: int,
        delay: float = 10) -> dict:  # fmt: skip
    server = Server(8777, workers, threads)
    server.env["QUERY_COUNT_HEADER"] = "1"
    started = time.monotonic()
    prepare_database(LEARNERS, server.env)
    fake, http = _configure_coach(server, delay)
    _django(server.env)
    _heavy_learner()
    seed_seconds = _time_seeding()
    server.start()
    worker = coach_load.start_worker(server.env)
    base = server.url
    try:
        heavy = [Client(base, _session_cookies("learner0")) for _ in range(clients_n)]
        pool = iter(range(1, LEARNERS))
        fresh = lambda: Client(base, _session_cookies(f"learner{next(pool)}"))  # noqa: E731
        learners = [fresh() for _ in range(clients_n)]

        def study(client):
            if client.card is None and client.reps:  # this learner is done for today
                replacement = fresh()
                client.__dict__.update(replacement.__dict__)
            client.round_trip()

        reveal_card = {}

        def reveal(client):
            if id(client) not in reveal_card:
                reveal_card[id(client)] = int(REVEAL.search(client.get("study", "/study/"))[1])
            client.get("reveal", f"/study/{reveal_card[id(client)]}/reveal/")

        actions = {
            "floor": (heavy, lambda c: c.get("floor", "/account/whoami/")),
            "round trip": (learners, study),
            "reveal": (learners, reveal),
            "dashboard": (heavy, lambda c: c.get("dashboard", "/")),
            "statistics": (heavy, lambda c: c.get("statistics", "/stats/")),
            "browse": (heavy, lambda c: c.get("browse", "/browse/")),
        }
        # Rounds interleave the endpoints (floor, round trip, reveal, … then again), so a slow
        # spell of the shared machine falls on every endpoint rather than on one of them.
        loaded = _interleaved(actions, lambda cs, act: closed_loop(cs, act, seconds), repeats)
        single = _interleaved(actions, lambda cs, act: closed_loop(cs[:1], act, seconds), repeats)
        rate = loaded["round trip"]["rps"] / 2
        opened = median_of([open_loop(learners, study, rate, seconds) for _ in range(repeats)])
        queries = {}
        for client in heavy + learners:
            queries.update({k: v for k, v in client.queries.items() if v >= 0})
        coach = _coach_part(base, fake, worker, clients_n, seconds, repeats, delay,
                            lambda: f"learner{next(pool)}")  # fmt: skip
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        server.stop()
        http.shutdown()
        drop_database()
    floor = loaded["floor"]["rps"]
    return {
        "cores": os.cpu_count(),
        "clients": clients_n,
        "seconds_per_run": seconds,
        "repeats": repeats,
        "gunicorn": f"{workers} workers × {threads} threads",
        "closed_loop": {k: {**v, "ratio_to_floor": v["rps"] / floor} for k, v in loaded.items()},
        "unloaded": single,
        "open_loop_round_trip": {**opened, "offered_rps": rate},
        "queries_per_request": queries,
        "seeding_seconds": seed_seconds,
        "llm_coach": coach,
        "total_seconds": round(time.monotonic() - started),
    }


def _time_seeding() -> float:
    """Seed the whole bank into an empty copy of the tables, timed (it must stay under 1 s)."""
    from django.db import transaction

    from flashcards.models import Question, Section, Subsection
    from flashcards.seeding import DEFAULT_FIXTURE, seed_questions

    text = DEFAULT_FIXTURE.read_text(encoding="utf-8")
    with transaction.atomic():
        # Make every row differ from the file, so seeding rewrites the whole bank; all of it is
        # rolled back afterwards, leaving the benchmark data as it was.
        Question.objects.update(is_active=False, prompt="x")
        Subsection.objects.update(title="x")
        Section.objects.update(title="x")
        began = time.perf_counter()
        seed_questions(text=text)
        elapsed = time.perf_counter() - began
        transaction.set_rollback(True)
    return elapsed


def markdown(result: dict) -> str:
    rows = []
    for name, r in result["closed_loop"].items():
        q = result["queries_per_request"].get(name, "—")
        u = result["unloaded"][name]
        rows.append(
            f"| {name} | {r['rps']:.0f} | {r['ratio_to_floor']:.0%} | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {u['p50_ms']:.1f} | {q} | {r['noise']:.0%} |"
        )
    o = result["open_loop_round_trip"]
    return "\n".join([
        f"Machine: {result['cores']} cores, shared by the server ({result['gunicorn']}), "
        f"PostgreSQL and the load generator. {result['clients']} closed-loop clients (no think "
        f"time); {result['repeats']} runs of {result['seconds_per_run']:.0f} s per figure, "
        "medians shown, 2 s warm-up excluded.",
        "",
        "| endpoint | req/s (16 clients) | of floor | p50 ms | p95 ms | p99 ms | p50 ms, 1 client "
        "| SQL queries | run-to-run spread |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"Open loop, round trip at {o['offered_rps']:.0f} req/s (half the closed-loop capacity): "
        f"p50 {o['p50_ms']:.1f} ms, p95 {o['p95_ms']:.1f} ms, p99 {o['p99_ms']:.1f} ms.",
        "",
        f"Load generator CPU (closed loop, round trip): "
        f"{result['closed_loop']['round trip']['generator_cpu']:.0%} of one core; "
        f"seeding the bank: {result['seeding_seconds'] * 1000:.0f} ms.",
        "",
        coach_load.markdown(result["llm_coach"]),
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)  # as `make serve`
    parser.add_argument("--model-delay", type=float, default=10)
    parser.add_argument("--llm-coach-only", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "benchmark.json")
    args = parser.parse_args()
    sizes = (args.clients, args.seconds, args.repeats, args.workers, args.threads)
    if args.llm_coach_only:
        result = run_coach_only(*sizes, args.model_delay)
        text = coach_load.markdown(result["llm_coach"])
    else:
        result = run(*sizes, args.model_delay)
        text = markdown(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(text)


if __name__ == "__main__":
    main()
