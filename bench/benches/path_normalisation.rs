//! Micro-benchmark of the path normalisation every request goes through before routing
//! (`nexus::http::aliases::normalise`, PERFORMANCE.md log 23): a per-request cost too small for
//! the load harness to see on this machine, so it is timed on its own.
//!
//! `cargo bench -p nexus-bench --bench path_normalisation`

use axum::{body::Body, extract::Request};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn request(path: &str) -> Request {
    Request::builder().uri(path).body(Body::empty()).unwrap()
}

fn normalise(c: &mut Criterion) {
    let mut group = c.benchmark_group("normalise");
    for (name, path) in [
        ("liveness", "/health/liveness/"),
        ("list", "/api/v1/products/?ordering=-price&page=2"),
        ("detail", "/api/v1/products/wireless-mouse-42/"),
        ("no trailing slash", "/api/v1/cart/add"),
        ("alias", "/api/v1/orders/create/"),
    ] {
        // Building the request is part of every iteration, so it is timed alone as well.
        group.bench_function(format!("{name}: request only"), |b| {
            b.iter(|| black_box(request(black_box(path))))
        });
        group.bench_function(name, |b| {
            b.iter(|| black_box(nexus::http::aliases::normalise(request(black_box(path)))))
        });
    }
    group.finish();
}

criterion_group!(benches, normalise);
criterion_main!(benches);
