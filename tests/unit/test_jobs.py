"""core.jobs.JobRunner, the one runner of console exports and FHIR $export: folders and state files, a bounded
pool, live jobs, a full queue refused, a waiting job cancelled."""

from __future__ import annotations

import threading

import pytest

from core.jobs import JobRunner, TooManyJobs


@pytest.fixture
def runner(tmp_path):
    made = JobRunner(tmp_path / "jobs", workers=1, name="test-job", max_waiting=1)
    yield made
    made.shutdown()


def test_state_files_and_ids(runner):
    job = runner.new_id()
    assert runner.path(job) is None and runner.read_state(job) is None
    runner.write_state(job, {"status": "en cours", "n": 1})
    assert runner.read_state(job) == {"status": "en cours", "n": 1}
    assert runner.path(job) == runner.folder / job and list(runner.ids()) == [job]
    assert [p.name for p in (runner.folder / job).iterdir()] == ["job.json"]  # no temporary file left
    for bad in ("../etc", "", "a" * 41, "short"):
        assert runner.path(bad) is None and runner.read_state(bad) is None
    runner.remove(job)
    assert runner.path(job) is None and list(runner.ids()) == []


def test_jobs_are_live_until_they_end_and_a_full_queue_is_refused(runner):
    started, release = threading.Event(), threading.Event()

    def blocking():
        started.set()
        assert release.wait(60)
        return "fini"

    first = runner.submit("a" * 32, blocking)
    assert started.wait(60)
    waiting = runner.submit("b" * 32, lambda: "jamais")  # one waits for the only worker
    assert runner.live("a" * 32) and runner.live("b" * 32) and runner.full()
    with pytest.raises(TooManyJobs, match="Trop"):
        runner.submit("c" * 32, lambda: None, refused="Trop d'exports.")
    assert runner.cancel("b" * 32) and waiting.cancelled() and not runner.live("b" * 32)
    assert not runner.cancel("a" * 32)  # running: it cannot be taken out of the queue
    release.set()
    assert first.result(timeout=60) == "fini"
    assert not runner.live("a" * 32) and not runner.full()


def test_a_job_can_leave_the_live_set_before_its_worker_returns(runner):
    seen = []

    def work():
        with runner.lock:
            runner.write_state("d" * 32, {"status": "terminé"})
            runner.release("d" * 32)
        seen.append(runner.live("d" * 32))

    runner.submit("d" * 32, work).result(timeout=60)
    assert seen == [False] and runner.read_state("d" * 32) == {"status": "terminé"}


def test_without_a_waiting_limit_jobs_queue_as_long_as_needed(tmp_path):
    unbounded = JobRunner(tmp_path, workers=1, name="test-job")
    try:
        futures = [unbounded.submit(f"{n:032d}", lambda n=n: n) for n in range(20)]
        assert [f.result(timeout=60) for f in futures] == list(range(20))
    finally:
        unbounded.shutdown()
