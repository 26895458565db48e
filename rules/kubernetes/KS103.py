"""``@`` followed by something that is not a sha256 digest, or preceded by an empty tag
(``repo:@sha256:…``)."""

from shiplint.core.findings import Hit
from shiplint.sources.imageref import digest_problem
from shiplint.registry.rule import rule


@rule
def check(resource, ctx):
    for container in resource.containers():
        ref = container.image_ref
        if ref is None:
            continue
        image = container.image_text
        if ref.digest is None:
            continue
        if ref.tag == "":
            # 'repo:@sha256:…' (what kustomize renders from newTag: "@sha256:…"): the runtime
            # refuses the reference, digest or not
            yield Hit(
                f"container '{container.name}' image '{image}' has an empty tag before '@': an "
                "invalid reference the runtime cannot pull; write repo@sha256:<digest>",
                container.region_at(("image",)),
                subject=f"{container.subject}.image",
            )
            continue
        if digest_problem(ref.digest) is None:
            continue
        if ref.digest_valid:
            why = f"uses a {ref.digest.split(':', 1)[0]} digest; pin with sha256"
        else:
            why = "has a malformed digest (expected 'sha256:' and 64 lower-case hex characters)"
        yield Hit(
            f"container '{container.name}' image '{image}' {why}",
            container.region_at(("image",)),
            subject=f"{container.subject}.image",
        )
