#!/usr/bin/env python3
"""Median latency of one checkout against a running `nexus serve`, over real HTTP.

A simple local measurement, not the load harness: one client, sequential requests.
Usage: bench/checkout_latency.py BASE_URL ADMIN_EMAIL ADMIN_PASSWORD [N]
(create the admin first with `nexus createsuperuser ... --no-input`; run the server with
`RATE_LIMIT_ENABLED=false`, or the 60/minute burst limit throttles the run).
"""
import json
import statistics
import sys
import time
import urllib.request
import uuid


def call(base, method, path, body=None, token=None):
    request = urllib.request.Request(base + "/api/v1/" + path, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(request, data) as response:
        return json.loads(response.read() or b"null")


def main():
    base, email, password = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 200
    admin = call(base, "POST", "auth/jwt/create/", {"email": email, "password": password})["access"]
    category = call(base, "POST", "categories/", {"name": "Bench " + uuid.uuid4().hex[:6]}, admin)["id"]
    product = call(base, "POST", "products/",
                   {"title": "Bench item", "price": "9.99", "category": category, "stock_quantity": 1_000_000}, admin)["id"]
    name = "bench" + uuid.uuid4().hex[:8]
    customer = call(base, "POST", "auth/users/", {"email": name + "@example.com", "username": name,
                                                  "password": "a-long-bench-passphrase-9"})["access"]
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        call(base, "POST", "orders/", {"items": [{"product_id": product, "quantity": 1}]}, customer)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(f"{n} sequential checkouts: median {statistics.median(timings):.2f} ms, "
          f"p95 {timings[int(n * 0.95) - 1]:.2f} ms, max {timings[-1]:.2f} ms")


if __name__ == "__main__":
    main()
