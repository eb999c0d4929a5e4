"""The LLM coach under load: does a slow model (10 s an answer) touch other learners' study?

Three phases, interleaved `repeats` times, each a closed loop of study round trips by `clients`
learners (the figure measured), with beside them:

  study only       nothing else;
  practice, off    `practisers` learners in practice interviews, not opted in to the LLM coach;
  practice, LLM    the same learners opted in: every typed answer queues a task, one
                   `manage.py db_worker` (as `make serve` starts) calls the fake model, which
                   answers after `delay` seconds, and the practice page polls every 2 s.

The fake model is tests/fake_llm.py (a real HTTP server) in this process. The target compares
"practice, LLM" with "practice, off": the learners' own requests are the same, only the coach
differs.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import threading
from pathlib import Path

from .harness import PYTHON, ROOT

LOCATION = re.compile(r"/practice/(\d+)/")
POINT_COUNT = re.compile(r"Key points \((\d+), give one verdict each")
TYPED = ("Attention compares every token with every other, so its cost grows with the square "
         "of the context; caching the keys and values avoids recomputing them.")  # fmt: skip


def start_fake_model(delay: float):
    """The fake model in a thread of this process, answering every call after `delay` seconds
    with feedback that fits the question (one verdict per key point)."""
    from tests.fake_llm import FakeLLM, Reply, feedback, serve

    def fitting(body: dict) -> Reply:
        points = int(POINT_COUNT.search(body["messages"][1]["content"])[1])
        return Reply(feedback(points), delay=delay)

    fake = FakeLLM(default=fitting)
    return fake, serve(fake)


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "1", "-v0"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


class Practiser:
    """A learner going through practice interviews: type, reveal, wait (polling the LLM coach's
    partial every 2 s when opted in), grade, skip the follow-up, next question."""

    def __init__(self, client, waits: int):
        self.client, self.waits = client, waits
        self.interview: int | None = None
        self.position = 0
        self.polled = 0
        self.errors: list[str] = []
        self.answers = 0

    def _post(self, path: str, fields: dict):
        response = self.client.http.request(
            "POST", path, headers=self.client.headers, fields=fields, encode_multipart=False,
            redirect=False,
        )  # fmt: skip
        if response.status >= 400:
            raise RuntimeError(f"POST {path}: {response.status}")
        return response

    def step(self, coach_on: bool, stop: threading.Event) -> None:
        if self.interview is None or self.position >= 15:
            response = self._post("/practice/start/", {"length": "15", "focus": "bank"})
            self.interview = int(LOCATION.search(response.headers["Location"])[1])
            self.position = 0
        base = f"/practice/{self.interview}/"
        self.client.get("practice step", base)
        self._post(f"{base}{self.position}/reveal/", {"typed_answer": TYPED})
        for _ in range(self.waits):
            if stop.wait(2.0):
                break
            if coach_on:
                self.client.get("llm poll", f"{base}{self.position}/llm/answer/")
                self.polled += 1
        self._post(f"{base}{self.position}/grade/", {"verdict": "pass", "covered": "0"})
        self._post(f"{base}{self.position}/follow-up/", {"verdict": "pass", "answer": ""})
        self.position += 1
        self.answers += 1


def set_opt_in(usernames: list[str], on: bool) -> None:
    from flashcards.models import StudySettings

    StudySettings.objects.filter(user__username__in=usernames).update(llm_coach=on)


def _keep_practising(practiser: Practiser, coach_on: bool, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            practiser.step(coach_on, stop)
        except Exception as error:  # counted and shown: a phase without its load is no phase
            practiser.errors.append(repr(error))
            stop.wait(1.0)


def run_phases(*, study_clients, practisers, usernames, closed_loop, study, seconds: float,
               repeats: int) -> dict:  # fmt: skip
    """Median study figures per phase, phases interleaved so machine noise hits all alike."""
    results: dict[str, list[dict]] = {"study only": [], "practice, off": [], "practice, LLM": []}
    names = list(results)
    for repeat in range(repeats):
        # The order turns each round, so a machine getting busier or quieter during the run
        # does not always fall on the same phase.
        for phase in names[repeat % 3 :] + names[: repeat % 3]:
            coach_on = phase == "practice, LLM"
            set_opt_in(usernames, coach_on)
            stop = threading.Event()
            threads = [
                threading.Thread(target=_keep_practising, args=(p, coach_on, stop))
                for p in (practisers if phase != "study only" else [])
            ]
            for thread in threads:
                thread.start()
            try:
                results[phase].append(closed_loop(study_clients, study, seconds))
            finally:
                stop.set()
                for thread in threads:
                    thread.join()
    return {
        phase: {
            **{key: statistics.median(r[key] for r in runs) for key in runs[0]},
            "rps_runs": [round(r["rps"], 1) for r in runs],
            "p50_runs": [round(r["p50_ms"], 1) for r in runs],
        }
        for phase, runs in results.items()
    }


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def feedback_counts() -> dict[str, int]:
    from django.db.models import Count

    from flashcards.models import LLMFeedback

    rows = LLMFeedback.objects.values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def markdown(result: dict) -> str:
    phases = result["phases"]
    off, on = phases["practice, off"], phases["practice, LLM"]
    rows = [
        f"| {name} | {r['rps']:.1f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
        f"{', '.join(map(str, r['rps_runs']))} |"
        for name, r in phases.items()
    ]
    rps_change = on["rps"] / off["rps"] - 1
    p50_change = on["p50_ms"] / off["p50_ms"] - 1
    p95_change = on["p95_ms"] / off["p95_ms"] - 1
    met = rps_change >= -0.10 and p50_change <= 0.10
    return "\n".join([
        f"{result['clients']} learners studying (closed loop), {result['practisers']} in practice "
        f"interviews beside them; fake model answering in {result['delay']:.0f} s; "
        f"{result['repeats']} interleaved runs of {result['seconds']:.0f} s per phase, medians.",
        "",
        "| phase | study round trips/s | p50 ms | p95 ms | round trips/s in each run |",
        "| --- | ---: | ---: | ---: | --- |",
        *rows,
        "",
        f"LLM coach on vs off: throughput {rps_change:+.1%}, p50 {p50_change:+.1%}, "
        f"p95 {p95_change:+.1%} (target: throughput at most 10% lower and p50 at most 10% "
        f"higher: {'met' if met else 'not met'}).",
        f"Model calls answered during the run: {result['model_calls']}; LLM feedback rows by "
        f"status at the end: {result['feedback']}; practice answers: {result['answers']}, "
        f"polls: {result['polls']}, practiser errors: {len(result['errors'])}. CPU used by the "
        f"task worker over the whole run: {result['worker_cpu_seconds']:.1f} s.",
    ])  # fmt: skip
