"""KS101 image-not-pinned-by-digest: a container image without a digest."""

from shiplint.findings import Hit
from shiplint.imageref import parse_image_ref
from shiplint.rule import rule


@rule("KS101")
def check(resource, ctx):
    pod = resource.pod_template()
    if pod is None:
        return
    for container in pod.containers():
        image = container.image
        if not isinstance(image, str) or not image.strip():
            continue
        ref = parse_image_ref(image.strip())
        if ref.digest is not None:
            continue  # a malformed digest is KS103's finding
        yield Hit(
            f"container '{container.name}' uses image '{image}' by tag, not by digest",
            container.region_at(("image",)),
            subject=f"{container.subject}.image",
        )
