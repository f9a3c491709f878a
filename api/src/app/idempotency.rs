//! Idempotent requests: a client that may send a request twice (a phone on a flaky network)
//! sends an `Idempotency-Key` with it. A retry under the key with the same request is answered
//! with what the first created; another request under a used key is refused, naming the header:
//! the client has mixed up its keys. Every route that creates something takes one this way.

use crate::app::error::{ApiError, ErrorCode};
use crate::app::state::AppState;
use sha2::{Digest, Sha256};
use smartcity_db::idempotency::{self, FirstRequest, IdempotencyKey};

/// The header that carries a key.
pub const HEADER: &str = "Idempotency-Key";

/// A client's key for one request, and a digest of the request.
pub struct Idempotency {
    pub key: String,
    pub fingerprint: String,
}

impl Idempotency {
    /// The key within `scope` (whose key it is), as stored.
    pub fn scoped(&self, scope: String) -> IdempotencyKey {
        IdempotencyKey { scope, key: self.key.clone(), fingerprint: self.fingerprint.clone() }
    }
}

/// A digest of a request's parts, whatever order they came in: two sendings of one request
/// have the same, a different request a different one.
pub fn fingerprint<'a>(parts: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut parts: Vec<(&str, &[u8])> = parts.into_iter().collect();
    parts.sort();
    let mut hasher = Sha256::new();
    for (name, value) in parts {
        // Lengths first, so no two different lists of parts run together alike.
        hasher.update(format!("{}:{name}={}:", name.len(), value.len()));
        hasher.update(value);
        hasher.update(b"\n");
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What the first request under `key` created, when this is a retry of it: `None` for a key
/// not used yet; a refusal for a key used with another request.
pub async fn replay_of(state: &AppState, key: &IdempotencyKey) -> Result<Option<String>, ApiError> {
    let (scope, name) = (key.scope.clone(), key.key.clone());
    let first = state.db(move |conn| idempotency::first(conn, &scope, &name)).await?;
    first.map(|first| same_request(&first, key)).transpose()
}

/// The resource the first request created, if `key` comes with the same request.
pub fn same_request(first: &FirstRequest, key: &IdempotencyKey) -> Result<String, ApiError> {
    if first.fingerprint == key.fingerprint {
        return Ok(first.resource_id.clone());
    }
    Err(ApiError::new(ErrorCode::IdempotencyKeyReused).with_field(HEADER).with_detail(
        "Idempotency-Key này đã dùng cho một yêu cầu khác; dùng một khoá mới",
        "This Idempotency-Key was used for a different request; use a new key",
    ))
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn a_fingerprint_ignores_the_order_of_parts_and_nothing_else() {
        let a = fingerprint([("category", &b"trees"[..]), ("description", &b"x"[..])]);
        let b = fingerprint([("description", &b"x"[..]), ("category", &b"trees"[..])]);
        assert_eq!(a, b);
        assert_ne!(a, fingerprint([("category", &b"trees"[..]), ("description", &b"y"[..])]));
        // Where one part ends and the next begins is part of the request.
        assert_ne!(fingerprint([("a", &b"bc"[..])]), fingerprint([("ab", &b"c"[..])]));
    }
}
