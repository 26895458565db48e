#!/bin/sh
# Scan each repository of repos.tsv with shiplint (JSON), one report per repository.
#   scan.sh CHECKOUTS OUT [REPOS]
# REPOS is the list of repositories (default: repos.tsv beside this script; a later round keeps
# its own list, e.g. round-2026-11-30/repos.tsv).
# CHECKOUTS holds one checkout per repository, named owner+name, at the commit repos.tsv gives
# (git clone https://github.com/OWNER/NAME CHECKOUTS/OWNER+NAME && git -C … checkout COMMIT).
# OUT receives OWNER+NAME.json (the report) and OWNER+NAME.err (shiplint's stderr).
# shiplint, helm and kubectl (or kustomize) are taken from PATH.
set -u
checkouts=${1:?usage: scan.sh CHECKOUTS OUT}
out=${2:?usage: scan.sh CHECKOUTS OUT [REPOS]}
here=$(cd "$(dirname "$0")" && pwd)
repos=${3:-$here/repos.tsv}
mkdir -p "$out"
out=$(cd "$out" && pwd)
grep -v '^#' "$repos" | tail -n +2 | while IFS="$(printf '\t')" read -r repo commit _; do
    name=$(echo "$repo" | tr / +)
    dir="$checkouts/$name"
    if [ ! -d "$dir" ]; then
        echo "scan.sh: no checkout of $repo at $dir" >&2
        continue
    fi
    # exit status 1 means findings: expected
    (cd "$dir" && shiplint check --format json --no-config . >"$out/$name.json" 2>"$out/$name.err")
    echo "$repo: $(grep -c '"code"' "$out/$name.json") findings" >&2
done
