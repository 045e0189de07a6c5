"""Latency of anonymous catalog reads against a running server (docs/cache.md, "Measured").

Usage: python3 bench/cache_reads.py [BASE_URL] [REQUESTS] [all|lists]
Sends REQUESTS (2000) sequential GETs spread over 52 catalog URLs of a `nexus seed --demo`
database (10 list pages, the 40 newest products, the category tree, brands); compare with the
server run with CACHE_ENABLED=false, and read the hit/miss counts from /health/cache/.
"""
import json
import random
import statistics
import sys
import time
import urllib.request

base = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/") + "/api/v1/"
count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
lists_only = len(sys.argv) > 3 and sys.argv[3] == "lists"
random.seed(1)
with urllib.request.urlopen(base + "products/?page_size=40") as response:
    newest = [product["id"] for product in json.load(response)["results"]]
paths = (
    [f"products/?page={p}&page_size=20" for p in range(1, 11)]
    + [f"products/{i}/" for i in newest]
    + ["categories/?tree=true", "brands/"]
)
if lists_only:
    # Product-list pages with filters and orderings only (the reads issue 4 asks about).
    paths = [f"products/?page={p}&page_size=20" for p in range(1, 6)] + [
        f"products/?category={c}&ordering={o}" for c in (1, 3, 11) for o in ("price", "-created_at")
    ] + ["products/?price_min=20&price_max=200&in_stock=true", "products/?ordering=title&page=3"]
latencies = []
for _ in range(count):
    started = time.perf_counter()
    with urllib.request.urlopen(base + random.choice(paths)) as response:
        response.read()
    latencies.append((time.perf_counter() - started) * 1000)
latencies.sort()
print(f"{count} requests over {len(paths)} URLs: p50={statistics.median(latencies):.2f}ms "
      f"p95={latencies[int(len(latencies) * 0.95)]:.2f}ms")
