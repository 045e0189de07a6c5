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
        notices, password,
        password_rules::{self, UserAttributes},
        role::Role,
        store::{
            refresh_tokens, reset_links,
            users::{self, NewUser, User},
        },
    },
    cache::{Cache, CacheSettings},
    db::Db,
    validation::{self, is_username, messages, EMAIL_MAX, NAME_MAX},
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

/// A valid email address, its domain lowercased; or the message the API would answer.
fn parse_email(raw: &str) -> Result<String, String> {
    let email = required_text(raw, EMAIL_MAX)?;
    validation::normalize_email(&email).ok_or_else(|| messages::INVALID_EMAIL.to_owned())
}

/// A well-formed username; or the message the API would answer.
fn username(raw: &str) -> Result<String, String> {
    let username = required_text(raw, NAME_MAX)?;
    if is_username(&username) {
        Ok(username)
    } else {
        Err(messages::INVALID_USERNAME.to_owned())
    }
}

/// `raw` trimmed, neither blank nor longer than `max` characters, as a text field reads it.
fn required_text(raw: &str, max: usize) -> Result<String, String> {
    let text = raw.trim();
    if text.is_empty() {
        Err(messages::NOT_BLANK.to_owned())
    } else if text.chars().count() > max {
        Err(messages::max_length(max))
    } else {
        Ok(text.to_owned())
    }
}

/// A well-formed username nobody has yet.
async fn parse_username(db: &Db, raw: &str) -> anyhow::Result<Result<String, String>> {
    let username = match username(raw) {
        Ok(username) => username,
        Err(message) => return Ok(Err(message)),
    };
    if users::username_taken(&db.pool, &username, None).await? {
        return Ok(Err(users::duplicate_message("username").to_owned()));
    }
    Ok(Ok(username))
}

fn check_password(secret: &str, email: &str, username: &str) -> Result<(), String> {
    if secret.trim().is_empty() {
        return Err(messages::NOT_BLANK.to_owned());
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
    /// Runs the command against a migrated database; `cache` says where the servers keep the
    /// accounts version a promotion bumps.
    pub async fn run(self, db: &Db, cache: &CacheSettings) -> anyhow::Result<()> {
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
        if let Some(existing) = users::find_by_email(&db.pool, &email).await? {
            return self.promote(db, cache, existing).await;
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
        let admin = NewUser {
            email: &email,
            username: &username,
            password_hash: &hash,
            first_name: "",
            last_name: "",
            role: Role::Admin,
        };
        users::insert(&db.pool, &admin)
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
    async fn promote(self, db: &Db, cache: &CacheSettings, existing: User) -> anyhow::Result<()> {
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
            if username(raw).ok().as_deref() != Some(existing.username.as_str()) {
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
        users::promote_to_admin(&mut *tx, existing.id, tokens_valid_after).await?;
        users::set_password_hash(&mut *tx, existing.id, &hash).await?;
        // Whoever held the account before must not keep a way in: their refresh tokens and any
        // reset link they requested would otherwise outlive the new password.
        refresh_tokens::revoke_all_for_user(&mut *tx, existing.id).await?;
        reset_links::void_all_for_user(&mut tx, existing.id).await?;
        // The account's owner hears of it like any password change. This process has no live
        // hub to announce on: open streams show the notice when next woken, or on reconnect.
        let _ = notices::password_changed(&mut tx, existing.id).await?;
        tx.commit().await?;
        end_cached_sessions(cache).await?;
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

/// Servers sharing Redis keep callers per accounts version (`accounts::callers`): bumping it
/// makes them read the promoted account afresh, so the previous holder's tokens stop at once
/// there too. Without Redis every server reads the row on each request and there is nothing to do.
async fn end_cached_sessions(settings: &CacheSettings) -> anyhow::Result<()> {
    let cache = Cache::new(settings)?;
    if !cache.shares_versions() {
        return Ok(());
    }
    cache.bump_accounts_version().await;
    if cache.accounts_version().await.is_none() {
        eprintln!(
            "Warning: Redis did not answer, so servers that already served this account may let \
             its old tokens act, with its old role, for up to {} s more.",
            super::callers::CALLER_TTL.as_secs()
        );
    }
    Ok(())
}
