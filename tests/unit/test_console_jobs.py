"""Background console exports: ownership, bounded queue, failures in French, restart and time-to-live."""

from __future__ import annotations

import threading
import time

import pytest

from core.errors import BadRequest, Conflict, NotFound
from graph.console_jobs import JobStore, TooManyJobs
from graph.results import QueryResult


def result(n: int = 3) -> QueryResult:
    return QueryResult(["x"], [[i] for i in range(n)], truncated=False, elapsed_ms=1.0)


def finished(store: JobStore, owner: str, job_id: str):
    deadline = time.monotonic() + 120  # a guard against a hung worker, not a performance assertion
    while time.monotonic() < deadline:
        job = store.get(owner, job_id)
        if job.state in ("done", "failed"):
            return job
        time.sleep(0.02)
    raise AssertionError("job never finished")


@pytest.fixture
def store(tmp_path):
    jobs = JobStore(tmp_path / "jobs", workers=1, ttl_s=3600)
    yield jobs
    jobs.shutdown()


def test_done_job_keeps_csv_and_json_for_its_owner_only(store):
    job = store.submit("ana", "console", "UNWIND …", {}, lambda job: result(3))
    done = finished(store, "ana", job.id)
    assert (done.state, done.rows, done.columns, done.truncated) == ("done", 3, ["x"], False)
    assert store.result_path("ana", job.id, "csv").read_text() == "x\n0\n1\n2\n"
    assert '"x": 2' in store.result_path("ana", job.id, "json").read_text()
    with pytest.raises(NotFound, match="autre utilisateur"):
        store.get("bob", job.id)
    with pytest.raises(NotFound):
        store.result_path("bob", job.id, "csv")
    assert [j.id for j in store.owned("ana")] == [job.id] and store.owned("bob") == []


def test_ids_that_are_not_job_ids_are_not_found(store):
    for bad in ("../../etc", "", "a/b", "x" * 100):
        with pytest.raises(NotFound):
            store.get("ana", bad)


def test_failures_are_reported_in_french(store):
    def refused(job):
        raise BadRequest("Requête invalide : division par zéro.")

    def broken(job):
        raise ZeroDivisionError

    bad = finished(store, "ana", store.submit("ana", "console", "q", {}, refused).id)
    assert (bad.state, bad.error, bad.error_code) == ("failed", "Requête invalide : division par zéro.", "bad_request")
    crashed = finished(store, "ana", store.submit("ana", "console", "q", {}, broken).id)
    assert crashed.state == "failed" and crashed.error == "Erreur interne pendant l'export."
    with pytest.raises(Conflict, match="en échec"):
        store.result_path("ana", bad.id, "csv")


def test_the_queue_is_bounded(store):
    release = threading.Event()
    blocked = [store.submit("ana", "console", "q", {}, lambda job: (release.wait(30), result(1))[1])
               for _ in range(5)]
    with pytest.raises(TooManyJobs, match="Trop d'exports"):
        store.submit("ana", "console", "q", {}, lambda job: result(1))
    assert store.get("ana", blocked[-1].id).state == "queued"
    release.set()
    assert all(finished(store, "ana", job.id).state == "done" for job in blocked)
    store.submit("ana", "console", "q", {}, lambda job: result(1))  # room again


def test_a_job_left_running_by_a_stopped_server_is_reported_interrupted(store, tmp_path):
    release = threading.Event()
    job = store.submit("ana", "console", "q", {}, lambda job: (release.wait(30), result(1))[1])
    restarted = JobStore(tmp_path / "jobs", workers=1)
    try:
        seen = restarted.get("ana", job.id)
        assert seen.state == "failed" and "redémarrage" in seen.error
    finally:
        release.set()
        restarted.shutdown()


def test_finished_jobs_expire_after_their_ttl(store):
    job = finished(store, "ana", store.submit("ana", "console", "q", {}, lambda job: result(1)).id)
    assert store.purge(now=job.finished_at + 3000) == 0
    assert store.purge(now=job.finished_at + 3601) == 1
    assert not (store.folder / job.id).exists()
    with pytest.raises(NotFound):
        store.get("ana", job.id)


def test_delete_removes_a_finished_export_cancels_a_waiting_one_and_refuses_a_running_one_it_cannot_stop(store):
    done = finished(store, "ana", store.submit("ana", "console", "q", {}, lambda job: result(1)).id)
    with pytest.raises(NotFound):
        store.delete("bob", done.id)
    store.delete("ana", done.id)
    assert not (store.folder / done.id).exists()

    started, release = threading.Event(), threading.Event()

    def blocking(job):
        started.set()
        release.wait(30)
        return result(1)

    running = store.submit("ana", "console", "q", {}, blocking)
    waiting = store.submit("ana", "console", "q", {}, lambda job: result(1))
    assert started.wait(30)
    with pytest.raises(Conflict, match="en cours"):
        store.delete("ana", running.id)
    store.delete("ana", waiting.id)
    with pytest.raises(NotFound):
        store.get("ana", waiting.id)
    release.set()
    assert finished(store, "ana", running.id).state == "done"


def test_delete_right_after_the_final_state_is_written_removes_the_export(store):
    """The worker writes `done` and leaves the live set in one step: `delete` never sees one without the other."""
    written, write = threading.Event(), store._write

    def slow_final_write(job):
        write(job)
        if job.state == "done":
            written.set()
            time.sleep(0.3)  # widens the window in which the old code still counted the job as running

    store._write = slow_final_write
    job = store.submit("ana", "console", "q", {}, lambda job: result(1))
    assert written.wait(30)
    store.delete("ana", job.id)
    with pytest.raises(NotFound):
        store.get("ana", job.id)


def test_delete_stops_a_running_export_then_removes_it(store):
    """`stop` is called until the worker is done: the first call may come before the transaction exists."""
    started, stopped, calls = threading.Event(), threading.Event(), []

    def long_query(job):
        started.set()
        if not stopped.wait(30):
            return result(1)
        raise BadRequest("Requête annulée.")

    def stop(job):
        calls.append(job.id)
        if len(calls) == 2:  # the first call found no transaction yet
            stopped.set()

    job = store.submit("ana", "console", "q", {}, long_query)
    assert started.wait(30)
    with pytest.raises(NotFound):
        store.delete("bob", job.id, stop=stop)
    store.delete("ana", job.id, stop=stop)
    assert calls == [job.id, job.id] and not (store.folder / job.id).exists()
    with pytest.raises(NotFound):
        store.get("ana", job.id)


def test_a_running_export_that_does_not_stop_in_time_is_kept_and_reported(store):
    started, release = threading.Event(), threading.Event()
    job = store.submit("ana", "console", "q", {}, lambda job: (started.set(), release.wait(30), result(1))[2])
    assert started.wait(30)
    with pytest.raises(Conflict, match="pas encore arrêté"):
        store.delete("ana", job.id, stop=lambda job: 0, wait_s=0.3)
    assert store.get("ana", job.id).state == "running"
    release.set()
    assert finished(store, "ana", job.id).state == "done"
