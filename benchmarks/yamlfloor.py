"""The YAML floor: what parsing the 2,000-Deployment file costs at each layer, in one process.

* ``events (ruamel CParser)``: libyaml's events through ruamel.yaml's C parser, nothing built
  (what shiplint's composer consumes);
* ``events (PyYAML CParser)``: the same file through PyYAML's libyaml binding, when PyYAML with
  libyaml is importable (it is not a dependency of shiplint);
* ``PyYAML CSafeLoader (compose + construct)``: PyYAML's own C-backed loader building plain
  Python objects, without positions (the practical floor of "libyaml + a tree");
* ``shiplint parse_yaml_stream``: shiplint's composer (positions, duplicates, typing).

Each figure is the best of ``runs`` CPU times (``time.process_time``) of one call, in this
process; every layer reads the same text.  Measurements, not tests.
"""

from __future__ import annotations

import gc
import time


def _best(fn, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def measure(text: str, runs: int = 5) -> list[tuple[str, float]]:
    from ruamel.yaml.cyaml import CParser

    from shiplint.sources.yamlsrc import parse_yaml_stream

    def ruamel_events():
        parser = CParser(text)
        try:
            while parser.check_event():
                parser.get_event()
        finally:
            parser.dispose()

    rows = [("events (ruamel CParser)", _best(ruamel_events, runs))]
    try:
        import yaml

        if getattr(yaml, "__with_libyaml__", False):
            rows.append(("events (PyYAML CParser)", _best(lambda: list(yaml.parse(text, Loader=yaml.CSafeLoader)), runs)))
            rows.append(("PyYAML CSafeLoader (compose + construct, no positions)",
                         _best(lambda: list(yaml.load_all(text, Loader=yaml.CSafeLoader)), runs)))
    except ImportError:
        pass
    rows.append(("shiplint parse_yaml_stream (positions)", _best(lambda: parse_yaml_stream(text), runs)))
    return rows


def print_table(rows: list[tuple[str, float]], docs: int) -> None:
    floor = rows[0][1]
    print("| layer | CPU s (best) | × events | µs / document |")
    print("|---|---:|---:|---:|")
    for label, s in rows:
        print(f"| {label} | {s:.3f} | {s / floor:.2f} | {s / docs * 1e6:.0f} |")


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import run as bench  # noqa: E402

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = bench.generate_deployments(Path(tmp) / "d.yaml")
        rows = measure(path.read_text(encoding="utf-8"))
    print_table(rows, 2000)
