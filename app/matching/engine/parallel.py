"""Process-pool parallelism: independent parts solved in spawned worker processes.

OR-Tools holds the GIL, so parts (counties) are solved in processes. Spawned, not forked: the
parent holds the whole graph, and a fork would share (then copy) it. A worker that dies (killed
for memory, say) breaks the pool; its part and those not yet sent are then solved in the parent.
"""

from __future__ import annotations

import concurrent.futures as cf
import ctypes
import os
import sys
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

import numpy as np

from . import tuning
from .arcs import local_ends
from .flow import flow_used, narrow


def new_pool(workers: int) -> cf.ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes whose heap keeps its memory (worker_init)."""
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                  initializer=worker_init)


def part_args(nc: int, nv: int, kids: np.ndarray, vols: np.ndarray, ci: np.ndarray,
              vj: np.ndarray, cost: np.ndarray, U: np.ndarray, caps: np.ndarray,
              tier: np.ndarray, disc: np.ndarray, churn: int) -> tuple:
    """The arguments of county.solve_part for children ``kids``, volunteers ``vols`` and the
    arcs ``(ci, vj, cost)`` between them; compacted while they wait for a worker (it widens
    them again)."""
    lci, lvj = local_ends(nc, nv, kids, vols, ci, vj)
    return (kids.size, vols.size, narrow(lci), narrow(lvj), narrow(cost), U, caps, tier,
            disc, churn)


def warm() -> None:
    """Worker: nothing (unpickling this function imports the solver and its libraries)."""


def worker_init() -> None:
    """Worker start: glibc keeps freed memory for reuse instead of returning it to the system.
    A county solve allocates and frees arrays of tens of MB many times; by default each is a
    fresh mapping whose pages fault in again, and a worker ran up to twice as slow as the same
    solve in the parent (bench/matching/HISTORY.md). The worker's heap keeps its peak instead
    (about one county solve's)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD: allocations up to 1 GiB from the heap
        libc.mallopt(-1, (1 << 31) - 1)  # M_TRIM_THRESHOLD: never give the heap back
    except (OSError, AttributeError):
        pass  # not glibc: its defaults stay


def county_workers(n_parts: int, n_arcs: int) -> int:
    if n_parts < 2 or n_arcs < tuning.PARALLEL_MIN_ARCS:
        return 1
    return max(1, min(tuning.MAX_COUNTY_WORKERS, os.cpu_count() or 1, n_parts))


def run_parallel(parts: list, workers: int, prepare, apply, work=None) -> int:
    """Solve independent parts in ``workers`` spawned processes, largest first, with at most
    ``workers`` parts' arrays in flight (memory); results are applied in the parent. When a
    worker process dies (killed for memory, say) its part and those not yet sent are solved in
    this process instead; returns how many."""
    work = work or flow_used
    todo = sorted(parts, key=lambda x: -x[1].size)
    running: dict = {}
    here = 0
    with new_pool(workers) as pool:
        while todo or running:
            while todo and len(running) < workers:
                kids, idx, vols, caps, label = part = todo.pop(0)
                try:
                    fut = pool.submit(work, prepare(kids, idx, vols, caps))
                except BrokenProcessPool:
                    todo.insert(0, part)
                    break
                running[fut] = part
            if not running:  # the pool is broken: the rest is solved here
                for kids, idx, vols, caps, label in todo:
                    apply(kids, idx, vols, *work(prepare(kids, idx, vols, caps)), label=label)
                return here + len(todo)
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                kids, idx, vols, caps, label = running.pop(fut)
                try:
                    out = fut.result()
                except BrokenProcessPool:
                    here += 1
                    out = work(prepare(kids, idx, vols, caps))
                apply(kids, idx, vols, *out, label=label)
    return here
