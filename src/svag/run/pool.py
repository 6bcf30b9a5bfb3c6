"""Where batch work runs: in this process, in a local process pool, or on Ray actors.

All three share one contract. A *worker* is built once per process (or actor) by a picklable
``factory()`` — that is where models get loaded — and then handles one item at a time with
``worker.process(item)``, returning a result object (a worker reports its own failures in that
result; it does not raise). A pool yields ``(item, result)`` as items finish, in completion
order; when a worker process dies (killed, out of memory) the pool yields ``(item, WorkerDied)``
for the item it was running, starts a new worker and goes on; an exception that escapes a
worker comes back as the result.

``pool.running`` lists the items in flight, for progress reports.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

Factory = Callable[[], Any]


class WorkerDied(Exception):
    """The process or actor running an item ended without a result."""


class SequentialPool:
    """Everything in this process (the reference run)."""

    def __init__(self, factory: Factory) -> None:
        self.factory = factory
        self.running: list[Any] = []
        self._worker: Any = None

    def imap_unordered(self, items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        if self._worker is None:
            self._worker = self.factory()
        for item in items:
            self.running = [item]
            result = self._worker.process(item)
            self.running = []
            yield item, result

    def close(self, abort: bool = False) -> None:
        self._worker = None


_PROCESS_WORKER: Any = None


def _init_process(factory: Factory) -> None:
    global _PROCESS_WORKER
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle: it stops us
    _PROCESS_WORKER = factory()


def _process_item(item: Any) -> Any:
    return _PROCESS_WORKER.process(item)


class ProcessPool:
    """``workers`` local processes (spawned, so no state leaks from the parent), each with its own
    worker; at most one item in flight per process."""

    def __init__(self, factory: Factory, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.factory, self.workers = factory, workers
        self.running: list[Any] = []
        self._executor: Any = None

    def _start(self) -> Any:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        return ProcessPoolExecutor(self.workers, mp_context=mp.get_context("spawn"),
                                   initializer=_init_process, initargs=(self.factory,))

    def imap_unordered(self, items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        from collections import deque
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool
        todo = iter(items)
        # a dying process breaks the whole pool and fails every item in flight: those are re-run
        # one at a time, so that only the item that kills its process again is reported
        suspects: deque = deque()
        inflight: dict[Any, tuple[Any, bool]] = {}   # future -> (item, is a suspect)
        self._executor = self._executor or self._start()
        while True:
            if suspects and not inflight:
                item = suspects.popleft()
                inflight[self._executor.submit(_process_item, item)] = (item, True)
            while not suspects and len(inflight) < self.workers:
                item = next(todo, _END)
                if item is _END:
                    break
                inflight[self._executor.submit(_process_item, item)] = (item, False)
            self.running = [item for item, _ in inflight.values()]
            if not inflight:
                return
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                item, suspect = inflight.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool as exc:
                    broken = True
                    if suspect or self.workers == 1:
                        yield item, WorkerDied(f"worker process died ({exc}; out of memory or killed?)")
                    else:
                        suspects.append(item)
                    continue
                except Exception as exc:   # raised by the worker or in pickling: the item failed, not the process
                    result = exc
                yield item, result
            if broken:
                suspects.extend(item for item, _ in inflight.values())
                inflight.clear()
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = self._start()

    def close(self, abort: bool = False) -> None:
        """Stop the processes: after their current item, or (``abort``) at once."""
        if self._executor is not None:
            if abort:   # Ctrl-C: do not wait for videos in flight (their results would be dropped anyway)
                for proc in list(getattr(self._executor, "_processes", {}).values()):
                    proc.terminate()
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


class RayPool:
    """``workers`` Ray actors, each holding one worker, pinned to ``num_cpus``/``num_gpus`` each.
    Ray must be initialised (see :func:`svag.run.ray_session.ray_session`)."""

    def __init__(self, factory: Factory, workers: int, *, num_cpus: float = 1, num_gpus: float = 0) -> None:
        import ray
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self._ray = ray
        self._actor_cls = ray.remote(num_cpus=num_cpus, num_gpus=num_gpus, max_restarts=0)(_RayWorker)
        self.factory, self.workers = factory, workers
        self.running: list[Any] = []
        self._actors = [self._actor_cls.remote(factory) for _ in range(workers)]

    def imap_unordered(self, items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        ray = self._ray
        todo = iter(items)
        idle = list(self._actors)
        inflight: dict[Any, tuple[Any, Any]] = {}   # ref -> (actor, item)
        while True:
            while idle:
                item = next(todo, _END)
                if item is _END:
                    break
                actor = idle.pop()
                inflight[actor.process.remote(item)] = (actor, item)
            self.running = [item for _, item in inflight.values()]
            if not inflight:
                return
            (ref,), _ = ray.wait(list(inflight), num_returns=1)
            actor, item = inflight.pop(ref)
            try:
                result = ray.get(ref)
            except ray.exceptions.RayTaskError as exc:   # raised by the worker: the actor lives on
                result = exc
            except ray.exceptions.RayError as exc:       # the actor died (killed, out of memory)
                self._actors.remove(actor)
                actor = self._actor_cls.remote(self.factory)
                self._actors.append(actor)
                cause = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
                result = WorkerDied(f"Ray worker died ({type(exc).__name__}: {cause}; out of memory or killed?)")
            idle.append(actor)
            yield item, result

    def close(self, abort: bool = False) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []


class _RayWorker:
    def __init__(self, factory: Factory) -> None:
        self.worker = factory()

    def process(self, item: Any) -> Any:
        return self.worker.process(item)


_END = object()


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


@contextmanager
def open_pool(factory: Factory, *, workers: int = 0, ray: bool = False, ray_address: str | None = None,
              num_gpus: float = 0) -> Iterator[Any]:
    """The pool for these settings: Ray actors (``ray``; ``workers`` 0 = one per CPU of the
    cluster), else ``workers`` > 1 local processes, else this process. Closed on exit."""
    if ray:
        from svag.run.ray_session import ray_session
        local = ray_address in (None, "local")
        with ray_session(ray_address, num_cpus=max(workers, default_workers()) if local else None) as r:
            have = r.cluster_resources()
            if num_gpus and have.get("GPU", 0) < num_gpus:   # actors would wait for a GPU forever
                from svag.errors import InputError
                raise InputError(f"a stage is set to run on a GPU but the Ray cluster has {have.get('GPU', 0):g}")
            n = workers or max(1, int(have.get("CPU", 1)))
            pool: Any = RayPool(factory, n, num_cpus=1, num_gpus=num_gpus)
            with _closing(pool):
                yield pool
        return
    with _closing(ProcessPool(factory, workers) if workers > 1 else SequentialPool(factory)) as pool:
        yield pool


@contextmanager
def _closing(pool: Any) -> Iterator[Any]:
    try:
        yield pool
    except BaseException:
        pool.close(abort=True)
        raise
    pool.close()
