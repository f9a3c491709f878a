//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes), always run on the
//! blocking pool by callers: it is deliberately slow.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any password")
        .to_string()
}

pub fn verify(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// Verifies against a throw-away hash, so an unknown phone number takes as long to refuse as a
/// wrong password (no telling which numbers are registered by timing).
pub fn verify_against_nothing(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not a real password, only for timing"));
    let _ = verify(password, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_only_the_right_password() {
        let stored = hash("ca phe sua da");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("ca phe sua da", &stored));
        assert!(!verify("ca phe sua nong", &stored));
        assert!(!verify("anything", "not a hash"));
    }
}
