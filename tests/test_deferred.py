"""Deferred hits: a rule hands work to a run-wide batch and gets its findings back on the
subject that yielded it — resolved at once when the caller keeps no pending list, with a
missing tool said as a note and a bug in the rule's answer reported, not raised."""

from __future__ import annotations

from types import SimpleNamespace

from shiplint.core.errors import RuleUnavailable
from shiplint.core.findings import Deferred, Hit, Region
from shiplint.engine.checker import Batches, Checker
from shiplint.engine.options import Options


class CountingBatch:
    made = 0

    def __init__(self):
        CountingBatch.made += 1
        self.added = []
        self.processes = 1

    def add(self, item):
        self.added.append(item)

    def results(self):
        for item in self.added:
            yield item, RuleUnavailable("the tool is missing") if item.word == "missing" else item.word.upper()

    def close(self):
        self.added = []


class Shout(Deferred):
    batch = CountingBatch

    def __init__(self, word):
        self.word = word

    def hits(self, answer):
        if self.word == "bug":
            raise ValueError("cannot read the answer")
        return [Hit(answer, Region(2, 3), subject=self.word)]


def _checker(words):
    def check(subject, ctx):
        for w in words:
            yield Shout(w)
        yield Hit("direct", Region(1, 1))

    r = SimpleNamespace(code="XX601", name="shout", level="warning", target="resource", check=check,
                        meta=SimpleNamespace(autofix=None, options={}))
    return Checker(Options(), {"XX601": r}, {"XX601": r}, {}, ".", {})


def test_without_a_pending_list_deferred_hits_are_resolved_in_one_batch():
    CountingBatch.made = 0
    notes = []
    found = _checker(["a", "b"]).run_rules("resource", SimpleNamespace(identity="Pod/ns/p"), "x.yaml", None, notes)
    assert [(f.message, f.region.line, f.path, f.resource) for f in found] == [
        ("direct", 1, "x.yaml", "Pod/ns/p"), ("A", 2, "x.yaml", "Pod/ns/p"), ("B", 2, "x.yaml", "Pod/ns/p")]
    assert CountingBatch.made == 1 and notes == []


def test_pending_entries_wait_for_the_run_batch():
    CountingBatch.made = 0
    checker = _checker(["a", "missing", "bug"])
    pending, notes = [], []
    found = checker.run_rules("resource", SimpleNamespace(identity="Pod/ns/p"), "x.yaml", None, notes,
                              pending=pending)
    assert [f.message for f in found] == ["direct"] and len(pending) == 3 and CountingBatch.made == 0
    batches = Batches(checker)
    batches.add(pending)
    later = batches.findings(notes)
    assert [(f.code, f.message, f.path) for f in later] == [("XX601", "A", "x.yaml")]
    assert [(n.kind, n.message) for n in notes] == [
        ("unavailable", "the tool is missing"),
        ("internal-error", "rule XX601 failed on x.yaml: ValueError: cannot read the answer")]
    assert batches.processes == 1
    batches.close()
