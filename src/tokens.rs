//! JSON Web Tokens with the claims SimpleJWT used, so existing clients can read them.
//!
//! A top-level module rather than part of `accounts`: the auth extractors, the rate limiter (it
//! reads the bearer token's user id without a database read) and `AppState` (which holds the
//! keys) all need it, and none of them should have to depend on the accounts feature for it.
//!
//! HS256 is pinned: a token signed with any other algorithm (or `alg: none`) fails validation.

use std::time::Duration;

use jsonwebtoken::{
    decode, encode, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// `access` or `refresh`, carried in the `token_type` claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Access,
    Refresh,
}

/// The claims of both token types.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    pub token_type: TokenType,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub user_id: i64,
}

impl Claims {
    /// Whether the token was issued before its user's `tokens_valid_after` (epoch seconds, set
    /// when `createsuperuser --promote-existing` ends every earlier session), so it is refused.
    pub fn issued_before(&self, tokens_valid_after: Option<i64>) -> bool {
        tokens_valid_after.is_some_and(|cutoff| self.iat < cutoff)
    }
}

/// Why a token was refused, in SimpleJWT's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    Invalid,
    Expired,
    WrongType,
}

impl TokenError {
    pub fn message(self) -> &'static str {
        match self {
            TokenError::Invalid => "Token is invalid",
            TokenError::Expired => "Token is expired",
            TokenError::WrongType => "Token has wrong type",
        }
    }
}

/// Signing keys and lifetimes.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_lifetime: Duration,
    pub refresh_lifetime: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("access_lifetime", &self.access_lifetime)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    pub fn new(
        secret: &SecretString,
        access_lifetime: Duration,
        refresh_lifetime: Duration,
    ) -> Self {
        let secret = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_lifetime,
            refresh_lifetime,
        }
    }

    /// Signs a new token of `token_type` for `user_id`; returns it with its claims.
    pub fn issue(&self, token_type: TokenType, user_id: i64) -> (String, Claims) {
        let now = chrono::Utc::now().timestamp();
        let lifetime = match token_type {
            TokenType::Access => self.access_lifetime,
            TokenType::Refresh => self.refresh_lifetime,
        };
        let claims = Claims {
            token_type,
            exp: now + lifetime.as_secs() as i64,
            iat: now,
            jti: uuid::Uuid::new_v4().simple().to_string(),
            user_id,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing with an in-memory key cannot fail");
        (token, claims)
    }

    /// Verifies signature, expiry and type.
    pub fn decode(&self, token: &str, expected: TokenType) -> Result<Claims, TokenError> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|err| match err.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?
            .claims;
        if claims.token_type != expected {
            return Err(TokenError::WrongType);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn keys() -> TokenKeys {
        TokenKeys::new(
            &SecretString::from("test-secret"),
            Duration::from_secs(900),
            Duration::from_secs(3600),
        )
    }

    #[test]
    fn a_token_is_refused_only_when_issued_before_the_cutoff() {
        let (_, claims) = keys().issue(TokenType::Access, 7);
        assert!(!claims.issued_before(None));
        assert!(!claims.issued_before(Some(claims.iat)));
        assert!(claims.issued_before(Some(claims.iat + 1)));
    }

    #[test]
    fn issued_tokens_decode_with_their_type_only() {
        let keys = keys();
        let (token, claims) = keys.issue(TokenType::Access, 7);
        assert_eq!(keys.decode(&token, TokenType::Access).unwrap().user_id, 7);
        assert_eq!(claims.jti.len(), 32);
        assert_eq!(
            keys.decode(&token, TokenType::Refresh).unwrap_err(),
            TokenError::WrongType
        );
    }

    #[test]
    fn unsigned_and_foreign_tokens_are_rejected() {
        let keys = keys();
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let claims = serde_json::json!({"token_type": "access", "exp": 4102444800i64, "iat": 0, "jti": "x", "user_id": 1});
        let unsigned = format!(
            "{}.{}.",
            b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
            b64.encode(claims.to_string())
        );
        assert_eq!(
            keys.decode(&unsigned, TokenType::Access).unwrap_err(),
            TokenError::Invalid
        );
        let other = TokenKeys::new(
            &SecretString::from("other"),
            Duration::from_secs(60),
            Duration::from_secs(60),
        );
        let (token, _) = other.issue(TokenType::Access, 1);
        assert_eq!(
            keys.decode(&token, TokenType::Access).unwrap_err(),
            TokenError::Invalid
        );
    }

    #[test]
    fn expired_tokens_say_so() {
        let keys = TokenKeys::new(&SecretString::from("s"), Duration::ZERO, Duration::ZERO);
        let (token, _) = keys.issue(TokenType::Access, 1);
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(
            keys.decode(&token, TokenType::Access).unwrap_err(),
            TokenError::Expired
        );
    }
}
