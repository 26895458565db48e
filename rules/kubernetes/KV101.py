"""See KV101.yaml; the validation itself is in shiplint.model.k8s.apischema."""

from shiplint.model.k8s.apischema import UNKNOWN
from shiplint.registry.rule import rule
from shiplint.rules.kubernetes._validity import problem_hits


@rule
def check(index, ctx):
    yield from problem_hits(index, ctx, UNKNOWN)
