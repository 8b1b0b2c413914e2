"""Load generator, run as its own process: a fixed number of connections for a fixed time
(closed loop), or a fixed offered rate (open loop). Prints one JSON object.

    python bench/load.py --url URL --mode sale --connections 32 --duration 10
    python bench/load.py --url URL --mode sale --rate 100 --duration 30
    python bench/load.py --url URL --mode validate --keys keys.json --connections 32 --duration 10
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import sys
import time
from pathlib import Path
from urllib.parse import quote

import aiohttp

SAMPLE = (Path(__file__).resolve().parents[1] / "tests/fixtures/gumroad/01_sale_licensed_basic.txt").read_bytes().strip()
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def sale(tag: str, i: int) -> bytes:
    """A distinct sale: its own sale id and buyer address (the address finds the email)."""
    return (
        SAMPLE.replace(b"FO8TXN-dbxYaBdahG97Y-Q%3D%3D", quote(f"bench-{tag}-{i}==").encode())
        .replace(b"jane.doe%40example.com", quote(f"b{i}@{tag}.bench").encode())
    )


async def timed_post(session, url: str, **kwargs) -> tuple[float, str | int]:
    """One request: (seconds, HTTP status or the client error's name)."""
    started = time.perf_counter()
    try:
        response = await session.post(url, **kwargs)
        await response.read()
        status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        status = type(exc).__name__
    return time.perf_counter() - started, status


def record(latencies: list[float], errors: dict[str, int], took: float, status) -> None:
    latencies.append(took)
    if status != 200:
        errors[str(status)] = errors.get(str(status), 0) + 1


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def closed_loop(args) -> dict:
    counter = itertools.count()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    keys = json.loads(Path(args.keys).read_text()) if args.keys else []
    rng = random.Random(7)
    deadline = time.perf_counter() + args.duration
    connector = aiohttp.TCPConnector(limit=args.connections, force_close=False)

    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        async def worker():
            while time.perf_counter() < deadline:
                i = next(counter)
                if args.max_requests and i >= args.max_requests:
                    return
                if args.mode == "sale":
                    result = await timed_post(session, args.url, data=sale(args.tag, i), headers=FORM)
                else:
                    result = await timed_post(session, args.url, json={"key": rng.choice(keys)["key"]})
                record(latencies, errors, *result)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(args.connections)))
        elapsed = time.perf_counter() - began
    return summary(latencies, errors, elapsed)


async def open_loop(args) -> dict:
    """Sends sale i at start + i / rate whatever the answers; records when each was sent."""
    total = int(args.rate * args.duration)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    sent_at: dict[str, float] = {}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        async def one(i: int):
            sent_at[f"b{i}@{args.tag}.bench"] = time.time()
            record(latencies, errors, *await timed_post(session, args.url, data=sale(args.tag, i), headers=FORM))

        began = time.perf_counter()
        tasks = []
        for i in range(total):
            delay = began + i / args.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - began
    result = summary(latencies, errors, elapsed)
    result["sent_at"] = sent_at
    return result


def summary(latencies: list[float], errors: dict, elapsed: float) -> dict:
    ms = [x * 1000 for x in latencies]
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "errors": sum(errors.values()),
        "error_kinds": errors,
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--mode", choices=["sale", "validate"], required=True)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--rate", type=float, help="open loop: requests per second")
    p.add_argument("--max-requests", type=int, default=0)
    p.add_argument("--keys", help="validate: JSON list of {key, expect}")
    p.add_argument("--tag", default="t", help="makes sale ids unique across runs")
    args = p.parse_args()
    result = asyncio.run(open_loop(args) if args.rate else closed_loop(args))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
