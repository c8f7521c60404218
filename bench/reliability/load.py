"""Load: volunteers logging visits and browsing, against gunicorn on loopback.

Seeds a fresh migrated database with N volunteers (each paired with 2–3 children, holding an API
token, and a password hashed with the production argon2id parameters), starts
``gunicorn -w W wsgi:app`` (development profile) on 127.0.0.1 and runs one thread per virtual
user. Each user loops, with a seeded think time (default 1–3 s) after every request:

- ``GET /api/v1/children`` (what is due), and a third of the time ``GET /api/v1/me``;
- ``POST /api/v1/logs``: a talk or a home visit for one of the children listed (expects 201);
- a fifth of the time, the web page 今日待办 ``GET /activities/today`` with a browser session,
  logging in through the form (CSRF token from the page) the first time.

After ``--warmup`` seconds (15, not measured) every request's latency is measured. An error is
any exception or unexpected status (API: 200, logs: 201, login: a redirect away from /login),
counted from the start, warm-up included. The report gives throughput and p50/p95/p99 per
endpoint and overall, the error count, the machine's load average and the server's CPU time.
``--ramp 10,25,50`` runs steps of ``--step`` seconds with more users each time (users already
running keep going) and reports the first step whose p95 exceeds ``--goal-ms`` (300).

Usage::

    .venv/bin/python bench/reliability/load.py --db postgresql --users 50 --duration 300 [--workers 4]
    .venv/bin/python bench/reliability/load.py --db sqlite --ramp 10,25,50,75,100,150 [--step 60]

Exit status 0; 1 when any request failed (``--max-errors`` to allow some); 2 when the run could
not be set up. Loopback only, bounded in time: it stops by itself.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

CHILDREN, ME, LOG, TODAY = "GET /api/v1/children", "GET /api/v1/me", "POST /api/v1/logs", "GET /activities/today"
LOGIN_PAGE, LOGIN = "GET /login", "POST /login"
ENDPOINTS = (CHILDREN, ME, LOG, TODAY, LOGIN_PAGE, LOGIN)


@dataclass
class Sample:
    at: float  # time.monotonic() when the answer was complete
    name: str
    ms: float
    ok: bool


@dataclass
class VirtualUser:
    """One volunteer with a phone (API token) and, now and then, a browser (session cookie)."""

    port: int
    volunteer: harness.Seeded
    rng: random.Random
    think: tuple[float, float]
    html_rate: float = 0.2
    me_rate: float = 0.33
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    jar: dict = field(default_factory=dict)
    logged_in: bool = False

    def __post_init__(self):
        self.api = http.client.HTTPConnection(harness.HOST, self.port, timeout=30)
        self.web = http.client.HTTPConnection(harness.HOST, self.port, timeout=30)
        self.auth = {"Authorization": f"Bearer {self.volunteer.token}", "Accept": "application/json"}

    def run(self, stop: threading.Event) -> None:
        if stop.wait(self.rng.uniform(0, self.think[1])):  # users do not all start at once
            return
        while not stop.is_set():
            self.iteration(stop)
        self.api.close()
        self.web.close()

    def iteration(self, stop: threading.Event) -> None:
        answer = self.call(CHILDREN, self.api, "GET", "/api/v1/children", headers=self.auth)
        child_id = self.pick_child(answer)
        if self.pause(stop):
            return
        if self.rng.random() < self.me_rate:
            self.call(ME, self.api, "GET", "/api/v1/me", headers=self.auth)
            if self.pause(stop):
                return
        body = harness.log_body(self.rng, str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), child_id)
        self.call(LOG, self.api, "POST", "/api/v1/logs", body, headers=self.auth, expect=(201,))
        if self.pause(stop):
            return
        if self.rng.random() < self.html_rate and (self.logged_in or self.login()):
            self.call(TODAY, self.web, "GET", "/activities/today", jar=self.jar)
            self.pause(stop)

    def pause(self, stop: threading.Event) -> bool:
        return stop.wait(self.rng.uniform(*self.think))

    def pick_child(self, answer) -> int:
        """A child from the list the server gave (it must be one of ours), else one of ours."""
        mine = self.volunteer.child_ids
        if answer is None:
            return self.rng.choice(mine)
        listed = [item["id"] for item in json.loads(answer[2])["items"]]
        if sorted(listed) != sorted(mine):
            self.errors.append(f"{CHILDREN}: listed {listed}, paired {mine}")
        return self.rng.choice(listed or mine)

    def login(self) -> bool:
        from tests.conftest import csrf_from

        page = self.call(LOGIN_PAGE, self.web, "GET", "/login", jar=self.jar)
        if page is None:
            return False
        form = urlencode({"username": self.volunteer.username, "password": harness.PASSWORD,
                          "csrf_token": csrf_from(page[2].decode())})
        answer = self.call(LOGIN, self.web, "POST", "/login", form.encode(), jar=self.jar, expect=(302, 303),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.logged_in = answer is not None and "/login" not in answer[1].get("location", "/login")
        return self.logged_in

    def call(self, name: str, conn, method: str, path: str, body=None, *, headers=None, jar=None,
             expect=(200,)):
        """Time one request; (status, headers, body) when its status is expected, else None."""
        started = time.perf_counter()
        try:
            status, headers_in, data = harness.send(conn, method, path, body, headers, jar)
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            self.record(name, started, False, f"{name}: {type(exc).__name__}: {exc}")
            return None
        ok = status in expect
        self.record(name, started, ok, None if ok else f"{name}: HTTP {status} {data[:300]!r}")
        return (status, headers_in, data) if ok else None

    def record(self, name: str, started: float, ok: bool, error: str | None) -> None:
        self.samples.append(Sample(time.monotonic(), name, (time.perf_counter() - started) * 1000, ok))
        if error:
            self.errors.append(error)


# --- statistics --------------------------------------------------------------------------------

def percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_ms:
        return 0.0
    return sorted_ms[min(len(sorted_ms) - 1, max(0, int(round(q / 100 * len(sorted_ms) + 0.5)) - 1))]


def summarise(samples: list[Sample], seconds: float) -> dict:
    """Per endpoint and overall: count, errors, requests/s, p50/p95/p99/max in ms."""
    groups = defaultdict(list)
    for s in samples:
        groups[s.name].append(s)
        groups["overall"].append(s)
    out = {}
    for name in (*ENDPOINTS, "overall"):
        group = groups.get(name)
        if not group:
            continue
        ms = sorted(s.ms for s in group)
        out[name] = {"count": len(group), "errors": sum(not s.ok for s in group),
                     "rps": len(group) / seconds, "p50": percentile(ms, 50), "p95": percentile(ms, 95),
                     "p99": percentile(ms, 99), "max": ms[-1]}
    return out


def print_table(stats: dict) -> None:
    print(f"  {'endpoint':24} {'count':>7} {'err':>4} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8}")
    for name, s in stats.items():
        print(f"  {name:24} {s['count']:>7} {s['errors']:>4} {s['rps']:>7.2f} {s['p50']:>8.1f} {s['p95']:>8.1f} "
              f"{s['p99']:>8.1f} {s['max']:>8.1f}")


class LoadMonitor:
    """Samples the 1-minute load average every 5 s in the background."""

    def __init__(self):
        self.values: list[tuple[float, float]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            self.values.append((time.monotonic(), os.getloadavg()[0]))
            if self.stop.wait(5):
                return

    def between(self, start: float, end: float) -> str:
        vals = [v for t, v in self.values if start <= t <= end] or [os.getloadavg()[0]]
        return f"{min(vals):.1f}–{max(vals):.1f} (mean {sum(vals) / len(vals):.1f})"


# --- the run -----------------------------------------------------------------------------------

class Crowd:
    """The virtual users, started as asked and stopped together."""

    def __init__(self, port: int, volunteers: list[harness.Seeded], args):
        self.port, self.volunteers, self.args = port, volunteers, args
        self.users: list[VirtualUser] = []
        self.threads: list[threading.Thread] = []
        self.stop = threading.Event()

    def grow(self, count: int) -> None:
        while len(self.users) < count:
            n = len(self.users)
            user = VirtualUser(self.port, self.volunteers[n], random.Random(f"{self.args.seed}-{n}"),
                               self.args.think, html_rate=self.args.html_rate)
            thread = threading.Thread(target=user.run, args=(self.stop,), daemon=True)
            self.users.append(user)
            self.threads.append(thread)
            thread.start()

    def halt(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(40)

    def samples(self, start: float, end: float) -> list[Sample]:
        return [s for u in self.users for s in u.samples if start <= s.at <= end]

    def errors(self) -> list[str]:
        return [e for u in self.users for e in u.errors]


def run_steps(crowd: Crowd, steps: list[int], seconds: float, monitor: LoadMonitor) -> list[dict]:
    results = []
    for users in steps:
        crowd.grow(users)
        start = time.monotonic()
        time.sleep(seconds)
        end = time.monotonic()
        stats = summarise(crowd.samples(start, end), end - start)
        results.append({"users": users, "seconds": end - start, "load": monitor.between(start, end),
                        "stats": stats})
        o = stats.get("overall", {})
        print(f"step {users:>4} users: {o.get('rps', 0):6.1f} req/s, p50 {o.get('p50', 0):6.1f} ms, "
              f"p95 {o.get('p95', 0):7.1f} ms, p99 {o.get('p99', 0):7.1f} ms, errors {o.get('errors', 0)}; "
              f"load {results[-1]['load']}", flush=True)
    return results


def load_run(args, db: harness.Database, workdir: Path) -> int:
    steps = args.ramp or [args.users]
    seconds = args.step if args.ramp else args.duration
    started = time.monotonic()
    volunteers = harness.seed_volunteers(db.url, max(steps), real_password_hash=True,
                                         rng=random.Random(args.seed))
    print(f"seeded {len(volunteers)} volunteers, {sum(len(v.child_ids) for v in volunteers)} children "
          f"in {time.monotonic() - started:.1f} s", flush=True)
    server = harness.Server(db.url, args.workers, workdir / "gunicorn.log", threads=args.threads)
    monitor = LoadMonitor()
    crowd = Crowd(server.port, volunteers, args)
    try:
        server.start()
        print(f"gunicorn -w {args.workers}{f' --threads {args.threads}' if args.threads > 1 else ''} "
              f"healthy in {server.wait_healthy():.1f} s", flush=True)
        server.settle()  # every worker has imported the app
        crowd.grow(steps[0])
        time.sleep(args.warmup)  # first requests of a worker are slow (statement caches): not measured
        cpu_before = server.cpu_seconds()
        results = run_steps(crowd, steps, seconds, monitor)
        server_cpu = server.cpu_seconds() - cpu_before
    finally:
        crowd.halt()
        server.stop()
        monitor.stop.set()
    return report(args, results, crowd, server, server_cpu)


def _cpu(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def report(args, results: list[dict], crowd: Crowd, server: harness.Server, server_cpu: float) -> int:
    total = sum(r["stats"].get("overall", {}).get("count", 0) for r in results)
    errors = crowd.errors()
    tracebacks = server.log.read_text(errors="replace").count("Traceback")
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(f"\nload on {args.db}: gunicorn -w {args.workers} (sync workers"
          f"{f', {args.threads} threads' if args.threads > 1 else ''}), think {args.think[0]:g}–{args.think[1]:g} s, "
          f"seed {args.seed}; CPU: server {server_cpu:.0f} s "
          f"({server_cpu / max(total, 1) * 1000:.1f} ms per request), load generator {_cpu(own):.0f} s")
    for r in results:
        print(f"\n{r['users']} users for {r['seconds']:.0f} s — load average {r['load']}:")
        print_table(r["stats"])
    if args.ramp:
        over = next((r["users"] for r in results if r["stats"].get("overall", {}).get("p95", 0) > args.goal_ms), None)
        print(f"\np95 first above {args.goal_ms:g} ms at: {f'{over} users' if over else 'never (up to the last step)'}")
    print(f"\nerrors: {len(errors)}; tracebacks in the server log: {tracebacks}")
    for e in errors[:20]:
        print(f"  {e}")
    if args.out:
        Path(args.out).write_text(json.dumps({"args": {k: v for k, v in vars(args).items()}, "results": results,
                                              "errors": errors[:200], "server_cpu_s": server_cpu}, indent=1,
                                             default=str))
    failed = len(errors) > args.max_errors or tracebacks
    print("RESULT: " + ("FAILED" if failed else "ok"))
    return 1 if failed else 0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=300, help="seconds (without --ramp)")
    parser.add_argument("--ramp", type=lambda s: [int(x) for x in s.split(",")], help="e.g. 10,25,50,75,100,150")
    parser.add_argument("--step", type=float, default=60, help="seconds per ramp step")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread when > 1)")
    parser.add_argument("--think", type=lambda s: tuple(float(x) for x in s.split(",")), default=(1.0, 3.0),
                        help="think time range in seconds, e.g. 1,3")
    parser.add_argument("--html-rate", type=float, default=0.2, help="share of iterations that open the web page")
    parser.add_argument("--warmup", type=float, default=15, help="seconds with the first step's users, not measured")
    parser.add_argument("--goal-ms", type=float, default=300)
    parser.add_argument("--max-errors", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="write the figures as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the database and the server log")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    return harness.run_on_scratch_database(args.db, "load", args.keep,
                                           lambda db, workdir: load_run(args, db, workdir))


if __name__ == "__main__":
    sys.exit(main())
