//! `nexus createsuperuser`: creates an admin, from flags (`--no-input`) or by prompting.
//!
//! Idempotent, so deployment scripts can run it on every start: when the email already
//! belongs to a user, that user is made an active admin and the command succeeds.

use std::io::{BufRead, Write};

use anyhow::{bail, Context};

use crate::{
    accounts::{
        fields, password,
        password_rules::{self, UserAttributes},
        users,
    },
    db::{now_micros, Db},
    error::FieldErrors,
};

/// Arguments of `nexus createsuperuser`.
#[derive(Debug, clap::Args)]
pub struct CreateSuperuser {
    /// The admin's email address (also the login).
    #[arg(long)]
    email: Option<String>,
    /// The admin's username.
    #[arg(long)]
    username: Option<String>,
    /// The admin's password; prefer the environment variable, which stays out of the process list.
    #[arg(long, env = "NEXUS_SUPERUSER_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// Never prompt: every value must come from flags (or the environment).
    #[arg(long)]
    no_input: bool,
}

/// The text of the first error recorded for `field`, if any.
fn first_error(errors: &FieldErrors) -> String {
    serde_json::to_value(errors)
        .ok()
        .and_then(|v| v.as_object().and_then(|m| m.values().next().cloned()))
        .map(|messages| {
            messages
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

fn parse_email(raw: &str) -> Result<String, String> {
    let mut errors = FieldErrors::new();
    fields::email(&mut errors, "email", Some(raw)).ok_or_else(|| first_error(&errors))
}

async fn parse_username(db: &Db, raw: &str) -> anyhow::Result<Result<String, String>> {
    let mut errors = FieldErrors::new();
    let Some(username) = fields::username(&mut errors, "username", Some(raw)) else {
        return Ok(Err(first_error(&errors)));
    };
    if users::username_taken(&db.pool, &username, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        return Ok(Err(users::duplicate_message("username").to_owned()));
    }
    Ok(Ok(username))
}

fn check_password(secret: &str, email: &str, username: &str) -> Result<(), String> {
    if secret.trim().is_empty() {
        return Err("This field may not be blank.".to_owned());
    }
    let problems = password_rules::check(
        secret,
        UserAttributes {
            username,
            email,
            ..Default::default()
        },
    );
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join(" "))
    }
}

fn prompt(label: &str) -> anyhow::Result<String> {
    print!("{label}: ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        bail!("no input (end of file); use --no-input with --email, --username and --password");
    }
    Ok(line.trim().to_owned())
}

impl CreateSuperuser {
    /// Runs the command against a migrated database.
    pub async fn run(self, db: &Db) -> anyhow::Result<()> {
        if self.no_input {
            let missing: Vec<&str> = [
                ("--email", &self.email),
                ("--username", &self.username),
                ("--password", &self.password),
            ]
            .into_iter()
            .filter(|(_, v)| v.as_deref().is_none_or(|v| v.trim().is_empty()))
            .map(|(name, _)| name)
            .collect();
            if !missing.is_empty() {
                bail!(
                    "--no-input needs {} (the password may come from NEXUS_SUPERUSER_PASSWORD)",
                    missing.join(", ")
                );
            }
        }
        let email = match &self.email {
            Some(raw) => parse_email(raw).map_err(|e| anyhow::anyhow!("--email: {e}"))?,
            None => loop {
                match parse_email(&prompt("Email")?) {
                    Ok(email) => break email,
                    Err(e) => eprintln!("Error: {e}"),
                }
            },
        };
        if promote_existing(db, &email).await? {
            println!("User {email} already exists; it is now an active admin.");
            return Ok(());
        }
        let username = match &self.username {
            Some(raw) => parse_username(db, raw)
                .await?
                .map_err(|e| anyhow::anyhow!("--username: {e}"))?,
            None => loop {
                match parse_username(db, &prompt("Username")?).await? {
                    Ok(username) => break username,
                    Err(e) => eprintln!("Error: {e}"),
                }
            },
        };
        let secret = match self.password {
            Some(secret) => {
                check_password(&secret, &email, &username)
                    .map_err(|e| anyhow::anyhow!("--password: {e}"))?;
                secret
            }
            None => loop {
                let first = rpassword::prompt_password("Password: ")
                    .context("could not read the password")?;
                let again = rpassword::prompt_password("Password (again): ")
                    .context("could not read the password")?;
                if first != again {
                    eprintln!("Error: Your passwords didn't match.");
                } else if let Err(e) = check_password(&first, &email, &username) {
                    eprintln!("Error: {e}");
                } else {
                    break first;
                }
            },
        };
        // createsuperuser is an operator command: always the production hashing cost.
        let hash = password::hash(secret, false).await?;
        sqlx::query(
            "INSERT INTO users (email, username, password_hash, first_name, last_name, role, is_active, date_joined, last_login) \
             VALUES ($1, $2, $3, '', '', 'admin', TRUE, $4, NULL)",
        )
        .bind(&email)
        .bind(&username)
        .bind(&hash)
        .bind(now_micros())
        .execute(&db.pool)
        .await
        .context("could not create the user")?;
        println!("Superuser {email} created.");
        Ok(())
    }
}

/// Makes the user with `email` an active admin; false when there is no such user.
async fn promote_existing(db: &Db, email: &str) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE users SET role = 'admin', is_active = TRUE WHERE LOWER(email) = LOWER($1)",
    )
    .bind(email)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() > 0)
}
