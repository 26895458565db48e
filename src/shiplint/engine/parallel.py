"""``--jobs N``: the same fold as a one-process run, over results computed in forked workers.

Workers inherit the loaded rules and plugins by ``fork`` (no re-import, no re-initialisation)
and return one :class:`~shiplint.engine.result.FileResult` per input; the parent yields them in
input order, so the fold, and so the output, does not depend on N."""

from __future__ import annotations

import os

#: Starting worker processes costs about 50 ms on the reference machine (2 cores), which pays
#: off from about a quarter of a second of work: runs estimated below ``PARALLEL_MIN_WORK``
#: (bytes to read, plus ``RENDER_WORK`` per Helm chart or kustomization to render) stay in
#: one process.  Measured: 100 small Dockerfiles (30 KB) 0.13 s in one process, 0.18 s with
#: two; the corpus's 225 Dockerfiles (0.44 MB) 0.55 s and 0.39 s.
PARALLEL_MIN_WORK = 300_000
RENDER_WORK = 200_000

_WORK = None  # (checker, inputs) of the run being spread over forked workers; set only around a pool's life


def _worker_init() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def _worker_check(i: int):
    checker, inputs = _WORK
    return checker.check_input(inputs[i])


def default_jobs() -> int:
    """The number of CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def parallel_jobs(jobs: int | None, inputs: list) -> int:
    """How many processes to check ``inputs`` with: 1 (in this process) unless more than one
    job is asked for, there are two inputs or more and enough work to pay for the workers, and
    processes can be forked."""
    jobs = default_jobs() if not jobs or jobs < 1 else jobs
    if jobs <= 1 or len(inputs) < 2:
        return 1
    work = 0
    for inp in inputs:
        if inp.kind in ("helm-chart", "kustomize"):
            work += RENDER_WORK
        elif inp.abspath is not None:
            try:
                work += os.path.getsize(inp.abspath)
            except OSError:
                pass
        if work >= PARALLEL_MIN_WORK:
            break
    else:
        return 1
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(jobs, len(inputs))


def render_slots(jobs: int | None, workers: int) -> int:
    """How many helm renders of one chart (its CI scenarios, values tracing) each of ``workers``
    processes may run at once: ``--jobs`` (default: the CPUs) bounds the processes of the run,
    so the workers share it; at least one each."""
    jobs = default_jobs() if not jobs or jobs < 1 else jobs
    return max(1, jobs // max(1, workers))


def map_inputs(checker, inputs: list, jobs: int):
    """``checker.check_input`` of each input, in input order, computed by ``jobs`` workers."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _WORK
    _WORK = (checker, inputs)
    n = len(inputs)
    chunksize = max(1, min(16, n // (jobs * 32)))
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=_worker_init)
    try:
        yield from pool.map(_worker_check, range(n), chunksize=chunksize)
    except BrokenProcessPool:
        raise RuntimeError("a worker process died; run again with --jobs 1 to see why") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _WORK = None
