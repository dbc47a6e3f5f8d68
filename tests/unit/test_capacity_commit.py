"""Capacity group commit: what it does when the database is down (an in-memory stand-in for the driver; the
commit groups against the real Neo4j are tested in tests/integration/test_capacity_api.py)."""

from __future__ import annotations

import neo4j.exceptions

from accounts.models import Principal, User
from capacity import service
from core.errors import ServiceUnavailable
from graph import group_commit
from graph.driver import Graph


def test_database_down_answers_every_waiting_capacity_entry_at_once():
    """Group commit with the database down: the failing group and every entry queued behind it get the
    product's 503 error at once (not one driver retry period per group)."""
    class DownSession:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def execute_write(self, work, *args):
            raise neo4j.exceptions.ServiceUnavailable("connection refused")

    class DownDriver:
        def session(self, **kwargs):
            return DownSession()

    down = Graph.__new__(Graph)  # the real Graph (and its error translation) over a driver whose sessions fail
    down.uri, down.database, down.driver = "bolt://127.0.0.1:1", "neo4j", DownDriver()

    principal = Principal(User("contrib", "contributor"), via="test")
    committer = group_commit.GroupCommitter(service.transact(down), service._write_group, name="capacity",
                                            start=False)
    today = service.paris_today()
    entries = [service._Pending(principal, f"pl-{n}", {"available_women": 1}, today) for n in range(3)]
    later = service._Pending(principal, "pl-0", {"available_women": 2}, today)  # same place: next group
    committer.pending.extend([*entries, later])
    committer.commit(committer.next_group(linger=0))
    for pending in [*entries, later]:
        assert isinstance(pending.future.exception(timeout=0), ServiceUnavailable)
    assert not committer.pending
