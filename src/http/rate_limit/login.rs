//! Login budgets (SPEC §5): besides every attempt counting against the client IP (the
//! middleware's `login_ip` rule), *failed* attempts count per account from one client IP
//! (`login_ip_account`) and per account from all IPs together (`login_account`).
//!
//! The account budgets are checked before the password is verified (so a refused guess costs no
//! Argon2 work and the right password is refused too while they are spent) and spent only after
//! it turned out wrong, so an owner who logs in successfully spends nothing, and an attacker's
//! wrong guesses from one IP lock that IP out of the account, not the owner on theirs.

use sha2::{Digest, Sha256};

use super::{ClientKey, RateLimiter, Rule};
use crate::error::ApiError;

/// The two account budgets one login attempt is checked against.
#[derive(Clone, Debug)]
pub struct LoginBudget {
    account: String,
    ip_account: String,
}

impl LoginBudget {
    /// The budgets of `email` (matched ignoring case and surrounding space) from `client`. Keys
    /// are digests, so limiter state (Redis included) holds no email addresses.
    pub fn new(client: &ClientKey, email: &str) -> Self {
        let account = hex::encode(Sha256::digest(email.trim().to_lowercase().as_bytes()));
        Self {
            ip_account: format!("{}:{account}", client.0),
            account,
        }
    }

    /// The hex SHA-256 of the lower-cased email: how logs name the account.
    pub fn account_digest(&self) -> &str {
        &self.account
    }

    fn rules(&self) -> [(Rule, &str); 2] {
        [
            (Rule::LoginIpAccount, &self.ip_account),
            (Rule::LoginAccount, &self.account),
        ]
    }
}

impl RateLimiter {
    /// `429` when either account budget is spent; spends nothing.
    pub async fn check_login(&self, budget: &LoginBudget) -> Result<(), ApiError> {
        for (rule, key) in budget.rules() {
            self.enforce_with(rule, key, true).await?;
        }
        Ok(())
    }

    /// Spends one failed attempt from both account budgets. A budget already spent by attempts
    /// running at the same time stays spent (GCRA refusals write nothing).
    pub async fn spend_failed_login(&self, budget: &LoginBudget) {
        for (rule, key) in budget.rules() {
            let _ = self.check_with(rule, key, false).await;
        }
    }
}
