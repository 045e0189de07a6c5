//! The `nexus` binary: parses the command line and runs the chosen command.
#![forbid(unsafe_code)]

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    nexus::cli::Cli::parse().run().await
}
