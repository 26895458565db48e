"""``image:`` without a digest (an image that is built here, with ``build:``, is not pulled)."""

from shiplint.registry.rule import rule

from shiplint.rules.compose._compose import service_hit


@rule
def check(project, ctx):
    for svc in project.services:
        ref = svc.image_ref
        if ref is None or "build" in svc.data or ref.digest is not None:
            continue
        how = f"by tag '{ref.tag}'" if ref.tag else "with no tag"
        yield service_hit(svc, f"uses image '{svc.image_text}' {how}, not by digest: the image behind it "
                          "can change without the file changing", ("image",), ".image")
