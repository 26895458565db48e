"""A long-running service with no ``healthcheck`` (nor one in the Dockerfile of its local
``build:``). One-shot services — awaited with ``service_completed_successfully``, or Swarm jobs —
are exempt; ``healthcheck: {disable: true}`` is a deliberate choice and is respected."""

from shiplint.model.compose import build_declares_healthcheck
from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit


@rule
def check(project, ctx):
    for svc in project.services:
        if svc.is_partial:
            continue  # an override fragment: its base may set it
        if "healthcheck" in svc.data or svc.is_one_shot:
            continue
        if "build" in svc.data:
            declared = build_declares_healthcheck(project, svc)
            if declared:
                continue
            where = ("and its Dockerfile declares no HEALTHCHECK" if declared is False
                     else "(and its Dockerfile, outside the scanned tree or unreadable, was not looked at)")
        else:
            where = "(its image may declare one, but this file does not say so)"
        yield service_hit(svc, f"has no healthcheck {where}: Compose cannot tell a hung container from a "
                          "healthy one, and depends_on: service_healthy cannot wait for it", ("healthcheck",),
                          ".healthcheck")
