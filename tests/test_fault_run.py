"""The reduced fault run: `make reliability`'s harness at a small size, in every test run.

A private PostgreSQL cluster (loadtest/cluster.py: never the shared server), real gunicorn with
the production settings and 2 workers, a handful of learners answering cards over HTTP in threads;
one worker is killed with SIGKILL and PostgreSQL is stopped (fast shutdown) and started again
while they study. Then every acknowledged answer is reconciled with the stored reviews.

Select it alone with `-m fault_run`.
"""

import pytest

from loadtest import harness
from loadtest.cluster import free_port, postgres_bin

pytestmark = pytest.mark.fault_run


@pytest.fixture(scope="module")
def result():
    if postgres_bin() is None:
        pytest.fail("the fault run needs the PostgreSQL server binaries (initdb, pg_ctl)")
    return harness.run(learners=4, answers=12, fault="both", workers=2, threads=2,
                       port=free_port(), first_fault_at=2.0, between_faults=1.0)  # fmt: skip


def test_every_acknowledged_answer_is_stored_exactly_once(result):
    assert result["learners_failed"] == [], result["learners_failed"]
    assert result["answers_acknowledged"] >= 4 * 12 // 2, result
    assert result["answers_lost"] == 0, result
    assert result["answers_doubled"] == 0, result
    assert result["acknowledged_twice"] == 0, result


def test_no_server_error_other_than_the_outage_503(result):
    assert result["http_5xx_other_than_503"] == 0, result["responses"]
    assert result["retry_after_values"] in ([], ["5"]), result["retry_after_values"]


def test_a_killed_worker_is_replaced(result):
    (killed,) = [f for f in result["faults"] if f["fault"] == "kill-worker"]
    assert killed["killed"] in killed["workers_before"]
    assert killed["killed"] not in killed["workers_after"]
    assert len(killed["workers_after"]) == 2


def test_during_a_real_database_outage_pages_answer_503_with_retry_after(result):
    (outage,) = [f for f in result["faults"] if f["fault"] == "restart-db"]
    pages = [p for p in outage["probes_during"] if p["path"] != "/healthz"]
    assert pages and all(
        p["status"] == 503 and p["retry_after"] == "5" and p["page_503"] for p in pages
    ), pages
    (health,) = [p for p in outage["probes_during"] if p["path"] == "/healthz"]
    assert health["status"] == 503 and health["database"] == "down"
    during = outage["during_outage"]
    assert during["requests"] == during["503_with_retry_after_and_page"], during


def test_after_the_outage_the_same_workers_serve_again(result):
    (outage,) = [f for f in result["faults"] if f["fault"] == "restart-db"]
    assert outage["recovered_seconds"] is not None
    assert outage["workers_after"] == outage["workers_before"]
    assert all(p["status"] == 200 for p in outage["probes_after"]), outage["probes_after"]
