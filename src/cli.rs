//! The command line: `serve` (default), `migrate`, `createsuperuser`, `seed`, `jobs`,
//! `analytics`, `import-django`, `check`, `openapi`.

use std::{net::SocketAddr, process::ExitCode};

use clap::{Parser, Subcommand};

use crate::{config::Settings, db::Db, startup::Application, telemetry};

/// Nexus Commerce server and admin commands.
#[derive(Debug, Parser)]
#[command(name = "nexus", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve {
        /// Address to listen on (overrides BIND_ADDR).
        #[arg(long)]
        bind: Option<SocketAddr>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an admin user, interactively or from flags with --no-input.
    Createsuperuser(crate::accounts::CreateSuperuser),
    /// Load a deterministic demo catalogue (`seed --demo`) into a fresh database.
    Seed(crate::seed::Seed),
    /// Show the job queue (counts and failed jobs) or retry failed jobs.
    Jobs(crate::jobs::JobsCommand),
    /// Copy a Django shop backend's database into this (empty) one: users and their
    /// passwords, addresses, catalog, carts, orders, reviews.
    ImportDjango(crate::django_import::ImportDjango),
    /// Analytics upkeep: `analytics rollup` runs the daily roll-up now.
    Analytics(crate::analytics::AnalyticsCommand),
    /// Check the configuration and connectivity; exits 1 when any check is an ERROR.
    Check,
    /// Print the OpenAPI document as JSON.
    Openapi,
}

impl Cli {
    /// Runs the command; errors are printed and turned into a non-zero exit code.
    pub async fn run(self) -> ExitCode {
        match self.execute().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: {err:#}");
                ExitCode::FAILURE
            }
        }
    }

    async fn execute(self) -> anyhow::Result<()> {
        let command = self.command.unwrap_or(Command::Serve { bind: None });
        if let Command::Openapi = command {
            let (_, openapi) = crate::startup::api();
            println!("{}", serde_json::to_string_pretty(&openapi)?);
            return Ok(());
        }
        if let Command::Check = command {
            return crate::check::run().await;
        }
        let mut settings = Settings::from_env()?;
        // Held until the command returns, so every queued log line is written before exit.
        let _log_writer = telemetry::init(&settings.log_level, settings.log_format);
        match command {
            Command::Serve { bind } => {
                if let Some(bind) = bind {
                    settings.bind_addr = bind;
                }
                Application::build(settings)
                    .await?
                    .run_until_stopped()
                    .await
            }
            Command::Migrate => {
                let db = command_db(&settings).await?;
                db.migrate().await?;
                println!("migrations applied");
                Ok(())
            }
            Command::Createsuperuser(args) => {
                let db = command_db(&settings).await?;
                db.migrate().await?;
                args.run(&db, &settings.cache).await
            }
            Command::Seed(args) => {
                let db = command_db(&settings).await?;
                db.migrate().await?;
                args.run(&db).await
            }
            Command::Jobs(args) => {
                let db = command_db(&settings).await?;
                db.migrate().await?;
                args.run(&db).await
            }
            Command::ImportDjango(args) => {
                let db = command_db(&settings).await?;
                db.migrate().await?;
                args.run(&db, &settings).await
            }
            Command::Analytics(args) => {
                let db = command_db(&settings).await?;
                db.migrate().await?;
                args.run(&db).await
            }
            Command::Openapi | Command::Check => unreachable!("handled above"),
        }
    }
}

/// One connection for an admin command, waiting for PostgreSQL like `serve` does, so a one-shot
/// `nexus migrate` started beside its database (compose, systemd) doesn't race it.
async fn command_db(settings: &Settings) -> anyhow::Result<Db> {
    Db::connect_patiently(
        &settings.database_url,
        1,
        settings.database_acquire_timeout,
        settings.database_connect_timeout,
        settings.sqlite_synchronous,
    )
    .await
}
