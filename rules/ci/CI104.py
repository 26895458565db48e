"""An image pushed with the ``latest`` tag, or with no immutable tag at all."""

from shiplint.core.findings import Hit
from shiplint.model.ci import tag_kind
from shiplint.registry.rule import rule


@rule
def check(pipeline, ctx):
    for job in pipeline.jobs.values():
        repos: dict[str, list] = {}
        for push in (e for e in job.events if e.kind == "push"):
            for why, region, path in push.latest:
                yield Hit(f"job '{job.id}' pushes the 'latest' tag: {why}", region, path=path,
                          subject=f"{job.id}:latest:{why}")
            for tag in push.tags or ():
                kind = tag_kind(tag.tag)
                repos.setdefault(tag.repository, []).append((kind, tag))
                if kind == "latest":
                    how = "the 'latest' tag" if tag.tag else "no tag, so the registry gets 'latest'"
                    yield Hit(f"job '{job.id}' pushes '{tag.ref}' with {how}; push an immutable tag "
                              "(commit SHA or version) and deploy by digest", tag.region, path=tag.path,
                              subject=f"{job.id}:{tag.ref}")
        for repo, tags in repos.items():
            if tags and all(kind == "mutable" for kind, _ in tags):
                first = tags[0][1]
                names = ", ".join(sorted({t.tag or "" for _, t in tags}))
                yield Hit(f"job '{job.id}' pushes '{repo}' only with mutable tags ({names}); add an "
                          "immutable tag (commit SHA or version)", first.region, path=first.path,
                          subject=f"{job.id}:{repo}:mutable")
