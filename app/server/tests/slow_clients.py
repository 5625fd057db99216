"""Hostile clients against a running server, as commands for the container test and the benchmark.

The clients are in slow_connections.py (silent connections, slowloris trickles, a holder) and
floods.py (a normal client timed while they are open, slow uploads), which pytest imports. Each
command exits non-zero when the server fails its check:

    python slow_clients.py siege PORT [--pid PID]    1000 silent + 50 slowloris; normal p99 < 100 ms
    python slow_clients.py deadline PORT SECONDS    trickling clients are cut off at the head deadline
    python slow_clients.py hold PORT COUNT SECONDS  keep COUNT silent connections open, reopening
                                                    any the server closes, as an attacker would
    python slow_clients.py uploads PORT COUNT BYTES  COUNT slow uploads of BYTES each held open while
                                                    others' requests, an upload among them, get no 5xx
"""

from __future__ import annotations

import argparse
import sys

from floods import MEMORY_LIMIT_BYTES, siege, tree_rss_bytes, upload_flood
from slow_connections import cut_off_after, hold_silent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    siege_args = commands.add_parser("siege")
    siege_args.add_argument("port", type=int)
    siege_args.add_argument("--pid", type=int, help="the server's process, whose tree's memory is measured")
    deadline_args = commands.add_parser("deadline")
    deadline_args.add_argument("port", type=int)
    deadline_args.add_argument("seconds", type=float)
    hold_args = commands.add_parser("hold")
    hold_args.add_argument("port", type=int)
    hold_args.add_argument("count", type=int)
    hold_args.add_argument("seconds", type=float)
    uploads_args = commands.add_parser("uploads")
    uploads_args.add_argument("port", type=int)
    uploads_args.add_argument("count", type=int)
    uploads_args.add_argument("bytes", type=int)
    args = parser.parse_args()

    if args.command == "uploads":
        result = upload_flood(args.port, args.count, args.bytes)
        print(f"uploads: {args.count} slow uploads of {args.bytes} bytes got {result.flood}; "
              f"meanwhile another client's GETs and 200 kB POSTs got {result.others}")
        no_5xx = "5xx" not in result.flood and "5xx" not in result.others and "none" not in result.others
        return 0 if no_5xx and "none" not in result.flood else 1
    if args.command == "hold":
        print(f"hold: {args.count} silent connections for {args.seconds:.0f} s, "
              f"{hold_silent(args.port, args.count, args.seconds)} reopened after the server closed them")
        return 0
    if args.command == "deadline":
        closed = cut_off_after(args.port, 3, args.seconds + 5)
        print(f"deadline: 3 trickling clients cut off after {', '.join(f'{t:.1f}' for t in closed)} s "
              f"(head deadline {args.seconds:.0f} s)")
        return 0 if len(closed) == 3 and all(args.seconds <= t <= args.seconds + 2.5 for t in closed) else 1

    memory: list[int] = []
    result = siege(args.port, 1000, 50, 200, lambda: memory.append(tree_rss_bytes(args.pid)) if args.pid else None)
    print(
        f"siege: 1000 silent + 50 slowloris held ({result.silent_still_open} and "
        f"{result.slowloris_still_open} still open at the end, {result.seconds:.1f} s); "
        + ", ".join(f"{path} p99 {ms:.1f} ms over 200" for path, ms in result.p99_ms.items())
        + (f"; server memory (RSS of every process) {memory[0] / 2**20:.0f} MiB" if memory else "")
    )
    ok = (
        all(ms < 100 for ms in result.p99_ms.values())
        and result.silent_still_open == 1000
        and result.slowloris_still_open == 50
        and all(m < MEMORY_LIMIT_BYTES for m in memory)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
