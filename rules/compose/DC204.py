"""``cap_add`` of a dangerous capability (option ``dangerous-capabilities``)."""

from shiplint.model.k8s.model import capability_name
from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit


@rule
def check(project, ctx):
    option = ctx.option("dangerous-capabilities") or []
    if isinstance(option, str):
        option = option.split(",")
    dangerous = {capability_name(c) for c in option if str(c).strip()}
    for svc in project.services:
        caps = svc.get("cap_add")
        if not isinstance(caps, list):
            continue
        for i, cap in enumerate(caps):
            name = capability_name(cap)
            if name in dangerous:
                what = "every capability" if name == "ALL" else name
                yield service_hit(svc, f"adds {what}: close to root on the host", ("cap_add", i), f".cap_add[{name}]")
