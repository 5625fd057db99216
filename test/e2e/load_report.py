"""Reads `vegeta report -type json` on stdin; prints one line: requests sent, requests failed (any
status but 2xx, connection errors included: vegeta records those as status 0), and a summary."""

import json
import sys

report = json.load(sys.stdin)
codes = report.get("status_codes") or {}
failed = sum(count for code, count in codes.items() if not code.startswith("2"))
errors = sorted(set(report.get("errors") or []))
summary = f"{report['requests']} requests in {report['duration'] / 1e9:.0f} s, {failed} failed"
if failed:
    summary += f" (status codes {codes}; errors {errors[:3]})"
summary += f", p99 {report['latencies']['99th'] / 1e6:.0f} ms"
print(report["requests"], failed, summary)
