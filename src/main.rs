//! The `nexus` binary: parses the command line and runs the chosen command.
#![forbid(unsafe_code)]

use clap::Parser;

/// mimalloc instead of glibc's allocator: it hands freed memory back to the system (glibc kept
/// the Argon2 buffers of a login burst resident afterwards) and is faster for many small
/// short-lived allocations (docs/PERFORMANCE.md, log 13).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    nexus::cli::Cli::parse().run().await
}
