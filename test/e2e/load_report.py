"""Reads vegeta's results as JSON lines (`vegeta encode --to json`) on stdin; prints one JSON object:
requests sent, failed (any status but 2xx, connection errors included: vegeta records those as
status 0), the count of each status, the 2xx responses by the pod that gave them (the `pod` field
of the app's answer to /) and when each of those began, the start time of each failed request
(Unix seconds), and a one-line summary."""

import base64
import json
import re
import sys
from collections import Counter
from datetime import datetime

sent = 0
pods: Counter = Counter()
answered_at: dict = {}
codes: Counter = Counter()
errors: set = set()
failed_at: list = []
latencies: list = []
for line in sys.stdin:
    result = json.loads(line)
    sent += 1
    codes[str(result["code"])] += 1
    latencies.append(result["latency"])
    # Nanosecond timestamps: Python's parser takes microseconds at most.
    began = datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", result["timestamp"])).timestamp()
    if 200 <= result["code"] < 300:
        try:
            pod = json.loads(base64.b64decode(result["body"]))["pod"]
        except (ValueError, KeyError, TypeError):
            pod = "(no pod field)"
        pods[pod] += 1
        answered_at.setdefault(pod, []).append(began)
    else:
        failed_at.append(began)
        if result.get("error"):
            errors.add(result["error"])
failed = sum(count for code, count in codes.items() if not code.startswith("2"))
latencies.sort()
p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] / 1e6 if latencies else 0
summary = f"{sent} requests, {failed} failed"
if failed:
    summary += f" (status codes {dict(codes)}; errors {sorted(errors)[:3]})"
summary += f", by pod {dict(sorted(pods.items()))}, p99 {p99:.0f} ms"
print(
    json.dumps(
        {
            "sent": sent,
            "failed": failed,
            "codes": codes,
            "pods": pods,
            "answered_at": answered_at,
            "failed_at": failed_at,
            "summary": summary,
        }
    )
)
