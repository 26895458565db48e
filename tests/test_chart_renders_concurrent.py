"""The renders of one chart (its default render, each CI scenario's, the perturbed renders of
values tracing) run as concurrent helm processes (src/shiplint/inputs/render/concurrent.py):
what is reported must not depend on which render finishes first, the run's --jobs bounds how
many run at once, and the chart is copied into the sandbox once for all of them."""

from __future__ import annotations

import os
import threading
import time

import pytest

from conftest import lint_files
from test_helm import helm  # noqa: F401  (the helm binary fixture)
from test_helm_scenarios import chart  # noqa: F401  (a chart with two CI scenarios)

from shiplint.engine.parallel import default_jobs, render_slots
from shiplint.reporters import json as json_report, sarif, text

#: More scenarios, each with findings of its own (traced to its values file) or a failed render.
SCENARIOS = {
    "escalation-values.yaml": "securityContext:\n  allowPrivilegeEscalation: true\n  privileged: true\n",
    "root-values.yaml": "securityContext:\n  runAsUser: 0\n  runAsNonRoot: false\n",
    "host-privileged-values.yaml": "hostNetwork: true\nsecurityContext:\n  privileged: true\n",
    "broken-values.yaml": "image: [unclosed\n",
}


def _outputs(report) -> dict:
    return {"json": json_report.render(report, {}), "sarif": sarif.render(report, {}),
            "text": text.render(report, {})}


class _Renders:
    """Wraps helm.run_tool: counts the renders in flight, and makes each render finish later
    the earlier it started (the completion order is the reverse of the start order)."""

    def __init__(self, real, delay: float) -> None:
        self.real, self.delay = real, delay
        self.lock = threading.Lock()
        self.started: list[int] = []
        self.finished: list[int] = []
        self.threads: set[str] = set()
        self.running = self.most = 0

    def __call__(self, argv, *args, **kwargs):
        with self.lock:
            n = len(self.started)
            self.started.append(n)
            self.running += 1
            self.most = max(self.most, self.running)
            self.threads.add(threading.current_thread().name)
        try:
            time.sleep(max(0.0, self.delay * (10 - n)))
            return self.real(argv, *args, **kwargs)
        finally:
            with self.lock:
                self.running -= 1
                self.finished.append(n)


@pytest.fixture
def busy_chart(chart):
    for name, body in SCENARIOS.items():
        (chart / "ci" / name).write_text(body)
    return chart


def test_findings_do_not_depend_on_the_order_renders_finish(busy_chart, helm, monkeypatch):
    from shiplint.inputs.render import helm as helm_mod

    real = helm_mod.run_tool
    # one slot: each render made when its turn comes, in this thread (the order of a plain loop)
    one = _Renders(real, 0.0)
    monkeypatch.setattr(helm_mod, "run_tool", one)
    sequential = lint_files([busy_chart], root=busy_chart.parent, helm_bin=helm, jobs=1)
    assert one.most == 1 and one.threads == {threading.main_thread().name}
    expected = _outputs(sequential)
    # the run says what it is meant to show: scenario-only findings, traced values, a failed render
    assert "only with CI scenario" in expected["text"] and "(set by " in expected["text"]
    assert "ci/broken-values.yaml" in expected["text"]

    # eight slots: the default render and the scenarios' started together, each finishing
    # 0.1 s after the one started after it (the reverse of the order they are linted in)
    many = _Renders(real, 0.1)
    monkeypatch.setattr(helm_mod, "run_tool", many)
    concurrent = lint_files([busy_chart], root=busy_chart.parent, helm_bin=helm, jobs=8)
    first = 1 + len(SCENARIOS) + 2
    assert many.most >= first  # all of them at once
    assert [n for n in many.finished if n < first][:3] == [first - 1, first - 2, first - 3]
    assert len(many.started) == len(one.started)  # the same renders: default, scenarios, tracing
    got = _outputs(concurrent)
    for fmt in expected:
        assert got[fmt] == expected[fmt], f"{fmt}: concurrent renders changed the output"


def test_the_chart_is_copied_once_and_the_copy_removed(busy_chart, helm, monkeypatch):
    from shiplint.inputs.render import helm as helm_mod, sandbox

    copies = []
    real = sandbox._Copier.copy

    def copy(self, trees):
        copies.append(self.dest)
        return real(self, trees)

    monkeypatch.setattr(sandbox._Copier, "copy", copy)
    renders = _Renders(helm_mod.run_tool, 0.02)
    monkeypatch.setattr(helm_mod, "run_tool", renders)
    report = lint_files([busy_chart], root=busy_chart.parent, helm_bin=helm, jobs=3)
    assert 2 <= renders.most <= 3  # --jobs 3, one chart: three renders at once at most
    assert any("only with CI scenario" in f.message for f in report.findings)  # scenarios rendered
    assert len(copies) == 1
    assert not os.path.exists(copies[0])


def test_a_copy_that_fails_fails_every_render_the_same_way(busy_chart, helm, monkeypatch):
    """A tree the sandbox refuses to copy (here: too many files): each render says so, the
    default one and every scenario's, as when each made its own copy."""
    from shiplint.inputs.render import sandbox

    def too_large(self, src, dst):
        raise sandbox.SandboxError("the tree to render holds more than 3 files")

    monkeypatch.setattr(sandbox._Copier, "_tree", too_large)
    runs = [lint_files([busy_chart], root=busy_chart.parent, helm_bin=helm, jobs=jobs, select=["SL007"])
            for jobs in (1, 3)]
    for report in runs:
        assert len(report.findings) == 1 + len(list((busy_chart / "ci").glob("*-values.yaml")))
        assert all("not run: the tree to render holds more than 3 files" in f.message for f in report.findings)
    assert [(f.path, f.message) for f in runs[0].findings] == [(f.path, f.message) for f in runs[1].findings]


def test_jobs_are_shared_between_workers_and_renders():
    assert render_slots(1, 1) == 1  # --jobs 1: one process at a time, renders included
    assert render_slots(4, 1) == 4  # one chart in one process: its renders take the jobs
    assert render_slots(4, 2) == 2 and render_slots(3, 2) == 1 and render_slots(2, 2) == 1
    assert render_slots(2, 8) == 1  # never none
    assert render_slots(None, 1) == render_slots(0, 1) == default_jobs()


def test_the_tracing_budget_counts_no_wait_for_a_slot(tmp_path, helm, monkeypatch):
    """A trace's budget counts its own work and renders, not the time its renders wait behind
    the chart's slow scenario renders: a batch that breaks the render is still split and the
    key still named, one render at a time (the traces' renders made after the scenarios') as
    with several at once."""
    import test_values_trace as vt

    from shiplint.inputs.render import helm as helm_mod, values_trace

    c = tmp_path / "web"
    (c / "templates").mkdir(parents=True)
    (c / "ci").mkdir()
    (c / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 1.2.0\n")
    (c / "templates" / "_helpers.tpl").write_text(vt.HELPERS)
    (c / "templates" / "deployment.yaml").write_text(vt.DEPLOYMENT)
    # a template that compares the value's type: the first perturbed render fails, and is split
    (c / "templates" / "configmap.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict\ndata:\n"
        "  mode: {{ if eq .Values.strict false }}relaxed{{ else }}strict{{ end }}\n")
    (c / "values.yaml").write_text(vt.VALUES + "strict: false\n")
    for i in range(4):  # scenarios that change nothing: their findings are the default render's, traced once
        (c / "ci" / f"s{i}-values.yaml").write_text(f"unused: s{i}\n")
    real = helm_mod.run_tool

    def slow_scenarios(argv, *args, **kwargs):
        if not any("perturb-" in a for a in argv):
            time.sleep(0.6)
        return real(argv, *args, **kwargs)

    monkeypatch.setattr(helm_mod, "run_tool", slow_scenarios)
    monkeypatch.setattr(values_trace, "TRACE_BUDGET", 3.5)  # less than the scenarios' 5 x 0.6 s
    for jobs in (1, 2):
        report = lint_files([c], root=tmp_path, helm_bin=helm, select=["KS403"], jobs=jobs)
        ro = report.findings
        assert ro and all("(set by controller.containerSecurityContext.readOnlyRootFilesystem" in f.message
                          for f in ro), f"--jobs {jobs}: {[f.message for f in report.findings]}"
