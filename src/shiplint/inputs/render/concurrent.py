"""The renders of one chart started together: the default render, each CI scenario's and the
perturbed renders of values tracing are separate ``helm template`` processes, so the threads
that wait for them cost nothing while the engine lints the renders already made.

Only the waiting is concurrent: a render's text is linted, and a tracer resumed, by the thread
that asked for it, in the order it asked, so the findings and everything they carry are the
same whatever render finishes first.  ``slots`` bounds the renders running at once (the run
shares its ``--jobs`` between its worker processes and their renders); with one slot nothing
runs ahead: each render is made when its result is asked for, as a plain loop would."""

from __future__ import annotations


class _Later:
    """A call made when its result is first asked for (one slot: nothing runs ahead)."""

    def __init__(self, fn, args, kwargs) -> None:
        self._call = (fn, args, kwargs)
        self._done = False
        self._value = None
        self._error: BaseException | None = None

    def result(self):
        if not self._done:
            fn, args, kwargs = self._call
            self._done = True
            try:
                self._value = fn(*args, **kwargs)
            except Exception as exc:
                self._error = exc
        if self._error is not None:
            raise self._error
        return self._value


class Renders:
    """At most ``slots`` calls running at once, each in a thread of its own; use as a context
    manager: leaving it waits for what still runs and drops what has not started."""

    def __init__(self, slots: int) -> None:
        self.slots = max(1, int(slots or 1))
        self._pool = None
        if self.slots > 1:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.slots, thread_name_prefix="shiplint-render")

    def submit(self, fn, *args, **kwargs):
        """Start ``fn(*args, **kwargs)`` (when a slot is free); an object whose ``result()``
        waits for it and returns its value or raises its exception."""
        if self._pool is None:
            return _Later(fn, args, kwargs)
        return self._pool.submit(fn, *args, **kwargs)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "Renders":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Tracers:
    """Drives values tracers (:func:`shiplint.inputs.render.values_trace.tracer`): each
    perturbed render a tracer asks for is submitted to ``renders`` at once; :meth:`finish`
    resumes the tracers with their results, in the order the renders were asked for."""

    def __init__(self, renders: Renders, shared=None) -> None:
        self.renders = renders
        #: the copy of the chart the tracers' renders share with the chart's other renders
        self.shared = shared
        #: the values files the tracers have parsed, by path (each reads the chart's values.yaml)
        self.read: dict = {}
        self._waiting: list = []  # (tracer, pending render), oldest first

    def start(self, tracer) -> None:
        self._resume(tracer, None, None)

    def _resume(self, tracer, value, error) -> None:
        try:
            request = tracer.send(value) if error is None else tracer.throw(error)
        except StopIteration:
            return
        self._waiting.append((tracer, self.renders.submit(request)))

    def finish(self) -> None:
        """Run every tracer started to its end."""
        while self._waiting:
            tracer, pending = self._waiting.pop(0)
            try:
                value, error = pending.result(), None
            except Exception as exc:
                value, error = None, exc
            self._resume(tracer, value, error)
