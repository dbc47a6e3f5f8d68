"""graph.group_commit with several groups in flight: a key is in one group in flight at most, so a key's items are
committed one after the other in arrival order (an in-memory stand-in for the transaction)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from graph import group_commit


@dataclass
class Item(group_commit.Pending):
    n: int = 0


def test_a_key_in_flight_waits_for_its_group_to_be_committed():
    committed: list[list[int]] = []

    def write_group(tx, group):
        committed.append([p.n for p in group])
        return [p.n for p in group]

    committer = group_commit.GroupCommitter(lambda work: work(None), write_group, name="t", start=False)
    items = [Item(key="a", n=0), Item(key="b", n=1), Item(key="a", n=2), Item(key="c", n=3), Item(key="b", n=4)]
    committer.pending.extend(items)
    first = committer.next_group(linger=0)
    assert [p.n for p in first] == [0, 1, 3] and committer.in_flight == {"a", "b", "c"}
    assert not committer.ready()  # a and b are in flight: their later items wait (next_group would block)
    assert [p.n for p in committer.pending] == [2, 4]
    committer.commit(first)
    assert not committer.in_flight and [p.future.result(timeout=0) for p in first] == [0, 1, 3]
    second = committer.next_group(linger=0)
    committer.commit(second)
    assert committed == [[0, 1, 3], [2, 4]] and not committer.pending


def test_workers_commit_a_keys_items_in_order_never_two_at_once():
    lock = threading.Lock()
    busy: set[str] = set()
    seen: dict[str, list[int]] = {}
    overlaps: list[str] = []
    gate = threading.Barrier(2, timeout=60)  # the first two groups are in flight together

    def write_group(tx, group):
        with lock:
            for p in group:
                if p.key in busy:
                    overlaps.append(p.key)
                busy.add(p.key)
                seen.setdefault(p.key, []).append(p.n)
        if group[0].n in (0, 1):
            gate.wait()
        with lock:
            busy.difference_update(p.key for p in group)
        return [p.n for p in group]

    committer = group_commit.GroupCommitter(lambda work: work(None), write_group, name="t", max_group=1,
                                            linger=0, workers=3)
    items = [Item(key=f"k{n % 5}", n=n) for n in range(200)]
    futures = [committer.submit(item) for item in items]
    assert [f.result(timeout=60) for f in futures] == list(range(200))
    assert not overlaps
    assert all(ns == sorted(ns) for ns in seen.values()) and sum(map(len, seen.values())) == 200
