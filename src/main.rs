//! The `nexus` binary: parses the command line and runs the chosen command.
#![forbid(unsafe_code)]

use clap::Parser;

/// mimalloc instead of glibc's allocator: it hands freed memory back to the system (glibc kept
/// the 19 MiB Argon2 buffers of a login burst: ~290 MiB resident afterwards) and is faster for
/// many small short-lived allocations (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    nexus::cli::Cli::parse().run().await
}
