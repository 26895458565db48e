"""See KV104.yaml; the validation itself is in shiplint.model.k8s.apischema."""

from shiplint.model.k8s.apischema import INVALID
from shiplint.registry.rule import rule
from shiplint.rules.kubernetes._validity import problem_hits


@rule
def check(index, ctx):
    yield from problem_hits(index, ctx, INVALID)
