"""Benchmark: the overview's data requests over 10M responses, with 4 concurrent clients.

The warehouse is the one of ``benchmarks/metrics.py`` (synthetic responses on the demo's
model, fixed seed). A server (``touchpoints.web.app.create_server`` under uvicorn, in its own
process) answers the overview's data requests — the overview page itself (``GET /``: the MTSI
tree, the monthly trends, the changes) and the three API requests a script would make for the
same figures (``/api/v1/index``, ``/api/v1/metrics?period=month``,
``/api/v1/changes?period=month``) — from 4 client threads:

- touchpoints: the server as shipped, its result cache kept until the data changes. The first
  request of each kind (a cold cache) is timed on its own; then ``--requests`` requests (200),
  the four kinds in turn, give the median and p95;
- baseline: the same server and requests with the cache off (``cache_size=0``): every request
  computes its figures, as a server without any cache or pre-aggregation would;
- the command line's own time for the same queries (``touchpoints index`` and
  ``touchpoints metrics --period month``, process start included);
- after an ingest through the API (one answer), the next ``/api/v1/metrics`` is timed and its
  ``n`` checked: the cache never answers with figures older than the ingest;
- after another ingest and a wait (``--warm-wait``), the four requests again: the server's
  warmer has answered them for the new data in the meantime.

    python benchmarks/web.py --rows 10000000 --workspace /tmp/bench-web
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx
from harness import machine
from metrics import build

from touchpoints.services.access import add_user, create_token, operations
from touchpoints.services.workspace import Workspace

USER, PASSWORD = "bench", "benchmark password 1"
KINDS = ("/", "/api/v1/index", "/api/v1/metrics?period=month", "/api/v1/changes?period=month")
SERVER = (
    "import sys, uvicorn; from pathlib import Path; from touchpoints.web.app import create_server;"
    "uvicorn.run(create_server(Path(sys.argv[1]), cache_size=int(sys.argv[2])),"
    "host='127.0.0.1', port=int(sys.argv[3]), log_level='warning')"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """The app in its own process, with a logged-in session and an analyst's token."""

    def __init__(self, root: Path, cache_size: int, token: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(root), str(cache_size), str(self.port)]
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                httpx.get(self.base + "/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        login = httpx.post(
            self.base + "/login", data={"name": USER, "password": PASSWORD}, timeout=30
        )
        # The session cookie is set on the login's redirect (303) to the overview.
        first = login.history[0] if login.history else login
        self.cookies = dict(first.cookies) or dict(login.cookies)
        self.token = token

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base,
            cookies=self.cookies,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=600,
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def timed(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    # A page is asked with its session cookie, the API with the bearer token.
    answer = client.get(path)
    answer.raise_for_status()
    return time.perf_counter() - started


def concurrent(server: Server, paths: list[str], clients: int = 4) -> list[tuple[str, float]]:
    """Each path requested once, by ``clients`` threads taking the next from a shared list."""
    queue = list(reversed(paths))
    lock = threading.Lock()
    found: list[tuple[str, float]] = []

    def work() -> None:
        with server.client() as client:
            while True:
                with lock:
                    if not queue:
                        return
                    path = queue.pop()
                seconds = timed(client, path)
                with lock:
                    found.append((path, seconds))

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return found


def summary(found: list[tuple[str, float]]) -> dict[str, Any]:
    seconds = sorted(s for _, s in found)
    p95 = seconds[max(0, round(0.95 * len(seconds)) - 1)]
    return {
        "requests": len(seconds),
        "median_ms": round(1000 * statistics.median(seconds), 1),
        "p95_ms": round(1000 * p95, 1),
        "max_ms": round(1000 * seconds[-1], 1),
        "by_kind_median_ms": {
            k: round(1000 * statistics.median([s for p, s in found if p == k]), 1)
            for k in KINDS
            if any(p == k for p, _ in found)
        },
    }


def cli_seconds(root: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "touchpoints", *args, "-w", str(root), "--format", "json"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def ingest_one(client: httpx.Client) -> None:
    record = {
        "response_id": f"bench-{time.time_ns()}",
        "ts": "2025-06-01T10:00:00Z",
        "channel": "web",
        "touchpoint": "web_checkout",
        "nps": 9,
    }
    client.post("/api/v1/ingest/responses", json=[record]).raise_for_status()


def cached_side(root: Path, token: str, requests: int) -> dict[str, Any]:
    """Cold requests, then ``requests`` concurrent ones, then one right after an ingest."""
    out: dict[str, Any] = {}
    server = Server(root, 256, token)
    try:
        with server.client() as client:
            out["cold_ms"] = {k: round(1000 * timed(client, k), 1) for k in KINDS}
        paths = [KINDS[i % len(KINDS)] for i in range(requests)]
        out["cached"] = summary(concurrent(server, paths))
        with server.client() as client:
            before = client.get("/api/v1/metrics").json()[0]["n"]
            ingest_one(client)
            started = time.perf_counter()
            after = client.get("/api/v1/metrics").json()[0]["n"]
            out["after_ingest"] = {
                "ms": round(1000 * (time.perf_counter() - started), 1),
                "n_before": before,
                "n_after": after,
                "correct": after == before + 1,
            }
    finally:
        server.stop()
    return out


def warmed_side(root: Path, token: str, wait: float) -> dict[str, Any]:
    """The four requests asked once (cold), an ingest, a wait with no request, then the four
    again: the server's warmer has answered them for the new data meanwhile."""
    server = Server(root, 256, token)
    try:
        with server.client() as client:
            for kind in KINDS:
                timed(client, kind)
            before = client.get("/api/v1/metrics").json()[0]["n"]
            ingest_one(client)
            time.sleep(wait)
            found = {k: round(1000 * timed(client, k), 1) for k in KINDS}
            after = client.get("/api/v1/metrics").json()[0]["n"]
    finally:
        server.stop()
    return {
        "wait_s": wait,
        "ms": found,
        "n_before": before,
        "n_after": after,
        "correct": after == before + 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--workspace", type=Path, default=Path("/tmp/bench-web"))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--uncached", type=int, default=8, help="requests without a cache")
    parser.add_argument(
        "--warm-wait", type=float, default=150, help="seconds to wait after an ingest"
    )
    parser.add_argument("--sides", default="cached,uncached,cli,warm")
    args = parser.parse_args()
    root = args.workspace
    if not (root / "touchpoints.yaml").exists():
        started = time.perf_counter()
        build(root, args.rows)
        print(f"built {args.rows:,} responses in {time.perf_counter() - started:.0f} s")
    workspace = Workspace.open(root)
    if operations(workspace).user(USER) is None:  # made by an earlier run
        add_user(workspace, USER, PASSWORD, "analyst")
    token = create_token(workspace, "analyst").token
    out: dict[str, Any] = {"machine": machine(), "rows": args.rows}

    sides = set(args.sides.split(","))
    if "cached" in sides:
        out |= cached_side(root, token, args.requests)
    if "uncached" in sides:
        server = Server(root, 0, token)
        try:
            paths = [KINDS[i % len(KINDS)] for i in range(args.uncached)]
            out["uncached"] = summary(concurrent(server, paths))
        finally:
            server.stop()
    if "cli" in sides:
        out["cli_seconds"] = {
            "index": round(cli_seconds(root, "index"), 2),
            "metrics --period month": round(cli_seconds(root, "metrics", "--period", "month"), 2),
            "changes --period month": round(cli_seconds(root, "changes", "--period", "month"), 2),
        }
    if "warm" in sides:
        out["after_ingest_warmed"] = warmed_side(root, token, args.warm_wait)
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
