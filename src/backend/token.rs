//! API tokens: `{userId}.{secret}`.

use crate::domain::UserId;

/// Splits a token into its user id and secret (`{userId}.{secret}`).
pub fn split_token(token: &str) -> Option<(UserId, &str)> {
    let (user, secret) = token.split_once('.')?;
    let ok = secret.len() == TOKEN_SECRET_LEN
        && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    Some((UserId::parse(user)?, secret)).filter(|_| ok)
}

/// Random characters in a token's secret part.
pub const TOKEN_SECRET_LEN: usize = 32;
