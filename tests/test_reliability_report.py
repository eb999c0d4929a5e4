"""docs/RELIABILITY.md quotes only the kept run: its measured part is what loadtest/report.py
renders from docs/reliability/*.json, and every figure in it comes from those files."""

import copy

from loadtest import report


def test_the_docs_measured_part_is_rendered_from_the_kept_results():
    kept = report.load(report.KEPT)
    assert report.measured_part(report.DOC.read_text()) == report.render(kept)


def test_the_kept_run_is_clean_and_records_its_commit():
    kept = report.load(report.KEPT)
    assert len(kept["run"]["commit"]) >= 40 and kept["run"]["date"]
    assert sum(kept["fuzz"]["server_errors"].values()) == 0
    for load in kept["loads"]:
        assert load["answers_lost"] == load["answers_doubled"] == 0, load["fault"]
        assert load["http_5xx_other_than_503"] == 0 and not load["learners_failed"], load["fault"]


def test_the_figures_come_from_the_results_not_from_the_report():
    kept = report.load(report.KEPT)
    changed = copy.deepcopy(kept)
    target = next(iter(changed["fuzz"]["server_errors"]))
    changed["fuzz"]["server_errors"][target] = 7
    changed["loads"][2]["answers_lost"] = 3
    changed["loads"][2]["answers_doubled"] = 4
    outage = next(f for f in changed["loads"][2]["faults"] if f["fault"] == "restart-db")
    outage["during_outage"]["503_with_retry_after_and_page"] = 0
    outage["workers_after"] = [1, 2, 3]
    changed["loads"][2]["retry_after_values"] = ["5", "none"]
    text = report.render(changed)
    assert f"| {target} | {kept['fuzz']['requests'][target]} | 7 |" in text
    assert f"**{sum(kept['fuzz']['requests'].values())}** | **7** |" in text
    load = changed["loads"][2]
    assert (
        f"| restart-db | {load['answers_acknowledged']} | {load['reviews_stored']} | 3 | 4 |"
        in text
    )
    assert "| … answered 503 with `Retry-After` and the *Back in a moment* page | 0 |" in text
    assert "→ [1, 2, 3] (different)" in text
    assert "| 5, none |" in text
