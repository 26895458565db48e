"""Rebuild this slice from the full public corpus.

    python tests/corpus/refresh.py [FULL_CORPUS]     # default: ../shared/corpus beside the checkout

Copies, byte for byte, the files that SELECTION picks; writes PROVENANCE.tsv with their lines
from the full corpus's PROVENANCE.tsv (same columns, same order) and copies the licence of each
repository they come from.  Everything else under tests/corpus except this script, SELECTION and
README.md is removed first.  After a refresh, recompute the figures the corpus tests expect of the
slice (each of those tests says how).
"""

from __future__ import annotations

import fnmatch
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OWN = {"refresh.py", "SELECTION", "README.md"}


def patterns(text: str) -> tuple[list[str], list[str]]:
    keep, drop = [], []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            (drop if line.startswith("!") else keep).append(line.lstrip("!"))
    return keep, drop


def selected(rows: list[list[str]], selection: str) -> list[list[str]]:
    """The PROVENANCE rows (without header) whose local path SELECTION picks, in their order."""
    keep, drop = patterns(selection)

    def picked(path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, p) for p in keep) and not any(fnmatch.fnmatchcase(path, p) for p in drop)

    return [row for row in rows if picked(row[3])]


def read_provenance(path: Path) -> tuple[str, list[list[str]]]:
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    return header, [line.split("\t") for line in lines if line]


def licence_name(repo: str) -> str:
    return repo.replace("/", "__") + ".LICENSE"


def main(argv: list[str]) -> int:
    full = Path(argv[1]) if len(argv) > 1 else HERE.parents[2] / "shared" / "corpus"
    if not (full / "PROVENANCE.tsv").is_file():
        print(f"{full}: no PROVENANCE.tsv, not the full corpus", file=sys.stderr)
        return 2
    header, rows = read_provenance(full / "PROVENANCE.tsv")
    rows = selected(rows, (HERE / "SELECTION").read_text(encoding="utf-8"))
    for child in HERE.iterdir():
        if child.name not in OWN:
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for row in rows:
        dest = HERE / row[3]
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(full / row[3], dest)
    (HERE / "licenses").mkdir()
    for repo in sorted({row[0] for row in rows}):
        shutil.copyfile(full / "licenses" / licence_name(repo), HERE / "licenses" / licence_name(repo))
    (HERE / "PROVENANCE.tsv").write_text("\n".join([header, *("\t".join(r) for r in rows)]) + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file())
    print(f"{len(rows)} files from {len({r[0] for r in rows})} repositories, {size / 1e6:.2f} MB in {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
