"""``image:`` with ``latest`` or no tag, and no digest."""

from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit


@rule
def check(project, ctx):
    for svc in project.services:
        ref = svc.image_ref
        if ref is None or "build" in svc.data or ref.digest is not None or not ref.is_latest_or_untagged:
            continue
        why = "the 'latest' tag" if ref.tag == "latest" else "no tag (so 'latest')"
        yield service_hit(svc, f"uses image '{svc.image_text}' with {why}: the version that runs changes "
                          "with every pull", ("image",), ".image")
