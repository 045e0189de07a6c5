//! `nexus createsuperuser`: creates an admin, from flags (`--no-input`) or by prompting.
//!
//! An existing account (same email or username) is refused: anyone can register an address
//! before the operator runs the command, and promoting that account would hand admin rights to
//! whoever registered it. `--promote-existing` makes such an account an active admin *and* sets
//! the given password, ending the sessions (access tokens included) and reset links the previous
//! password opened.

use std::io::{BufRead, Write};

use anyhow::{bail, Context};

use crate::{
    accounts::{
        fields, password, password_reset,
        password_rules::{self, UserAttributes},
        refresh_tokens, users,
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
    /// When the email already has an account, make it an active admin with the given password
    /// (its sessions and reset links are revoked) instead of refusing.
    #[arg(long)]
    promote_existing: bool,
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
        if let Some(existing) = users::find_by_email(&db.pool, &email)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
        {
            return self.promote(db, existing).await;
        }
        let username = match &self.username {
            Some(raw) => parse_username(db, raw).await?.map_err(|e| {
                if e == users::duplicate_message("username") {
                    anyhow::anyhow!(
                        "--username: {e} It was not made an admin: choose another username, or \
                         pass that account's own email with --promote-existing"
                    )
                } else {
                    anyhow::anyhow!("--username: {e}")
                }
            })?,
            None => loop {
                match parse_username(db, &prompt("Username")?).await? {
                    Ok(username) => break username,
                    Err(e) => eprintln!("Error: {e}"),
                }
            },
        };
        let secret = read_password(self.password, &email, &username)?;
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

/// The password from the flag (checked against the rules) or prompted for twice.
fn read_password(flag: Option<String>, email: &str, username: &str) -> anyhow::Result<String> {
    if let Some(secret) = flag {
        check_password(&secret, email, username).map_err(|e| anyhow::anyhow!("--password: {e}"))?;
        return Ok(secret);
    }
    loop {
        let first =
            rpassword::prompt_password("Password: ").context("could not read the password")?;
        let again = rpassword::prompt_password("Password (again): ")
            .context("could not read the password")?;
        if first != again {
            eprintln!("Error: Your passwords didn't match.");
        } else if let Err(e) = check_password(&first, email, username) {
            eprintln!("Error: {e}");
        } else {
            return Ok(first);
        }
    }
}

impl CreateSuperuser {
    /// The email already has an account: refused, unless `--promote-existing`, which makes it an
    /// active admin with the given password and ends what the old password opened.
    async fn promote(self, db: &Db, existing: users::User) -> anyhow::Result<()> {
        if !self.promote_existing {
            bail!(
                "an account with the email {} already exists (username {:?}); it was not made an \
                 admin. Pass --promote-existing to make it an active admin with the given \
                 password (its sessions are ended), or use another email",
                existing.email,
                existing.username
            );
        }
        if let Some(raw) = &self.username {
            let mut errors = FieldErrors::new();
            let given = fields::username(&mut errors, "username", Some(raw));
            if given.as_deref() != Some(existing.username.as_str()) {
                bail!(
                    "--username {raw:?} is not the username of the account with the email {} \
                     ({:?}); nothing was changed",
                    existing.email,
                    existing.username
                );
            }
        }
        let secret = read_password(self.password, &existing.email, &existing.username)?;
        let hash = password::hash(secret, false).await?;
        // Access tokens are stateless: refusing every token issued in or before this second
        // (JWT `iat` is whole seconds) is what ends the ones the previous holder already has,
        // which would otherwise act with admin rights until they expire.
        let mut tx = db.begin_write().await?;
        let tokens_valid_after = chrono::Utc::now().timestamp() + 1;
        sqlx::query(
            "UPDATE users SET role = 'admin', is_active = TRUE, tokens_valid_after = $1 WHERE id = $2",
        )
        .bind(tokens_valid_after)
        .bind(existing.id)
        .execute(&mut *tx)
        .await?;
        users::set_password_hash(&mut *tx, existing.id, &hash)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        // Whoever held the account before must not keep a way in: their refresh tokens and any
        // reset link they requested would otherwise outlive the new password.
        refresh_tokens::revoke_all_for_user(&mut *tx, existing.id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        password_reset::void_reset_links(&mut tx, existing.id).await?;
        tx.commit().await?;
        // A login still within the cutoff second would get a token that is refused at once; wait
        // (under a second) until the clock passes it, so a script that promotes and then signs
        // in gets a token that works.
        let wait_ms = tokens_valid_after * 1000 - chrono::Utc::now().timestamp_millis();
        if let Ok(wait_ms) = u64::try_from(wait_ms) {
            tokio::time::sleep(std::time::Duration::from_millis(wait_ms)).await;
        }
        println!(
            "User {} already existed; it is now an active admin with the given password, and its \
             sessions were ended.",
            existing.email
        );
        Ok(())
    }
}
