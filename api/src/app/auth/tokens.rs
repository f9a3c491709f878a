//! Access tokens: short-lived EdDSA (Ed25519) JWTs. Verification accepts EdDSA only, so a token
//! with `alg: none`, or an HS256 token "signed" with our public key, is refused.
//! Refresh tokens: opaque random strings, stored only as SHA-256 hashes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::SigningKey;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const ISSUER: &str = "smartcity";
pub const AUDIENCE: &str = "smartcity-app";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user's id.
    pub sub: String,
    /// The session (refresh-token family) the token was issued in; closing it ends the token.
    pub sid: String,
    pub role: String,
    pub iss: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    /// A new Ed25519 private key as PKCS#8 PEM.
    pub fn generate_private_pem() -> String {
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        key.to_pkcs8_pem(LineEnding::LF).expect("an Ed25519 key encodes").to_string()
    }

    pub fn from_private_pem(pem: &str) -> Result<TokenKeys, String> {
        let signing = SigningKey::from_pkcs8_pem(pem).map_err(|e| format!("signing key: {e}"))?;
        let public_pem = signing
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| format!("public key: {e}"))?;
        let encoding =
            EncodingKey::from_ed_pem(pem.as_bytes()).map_err(|e| format!("signing key: {e}"))?;
        let decoding = DecodingKey::from_ed_pem(public_pem.as_bytes())
            .map_err(|e| format!("public key: {e}"))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = 5;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        Ok(TokenKeys { encoding, decoding, validation })
    }

    pub fn issue(&self, claims: &AccessClaims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), claims, &self.encoding)
            .expect("signing with a valid key cannot fail")
    }

    /// The claims of a genuine, unexpired token of ours; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<AccessClaims> {
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// A new refresh token (256 random bits) and the hash that is stored in its place. A console
/// session's cookie is made the same way.
pub fn new_refresh_token() -> (String, String) {
    let token = random_secret("");
    let hash = hash_secret(&token);
    (token, hash)
}

/// A token a browser's forms carry to prove they were served to it (256 random bits): kept
/// as it is, since it grants nothing without the session's cookie.
pub fn new_form_token() -> String {
    random_secret("")
}

/// A new agency API key (`sck_` and 256 random bits) and the hash that is stored in its place.
pub fn new_api_key() -> (String, String) {
    let key = random_secret("sck_");
    let hash = hash_secret(&key);
    (key, hash)
}

/// A new Open311 `api_key` for a client app (`o311_` and 256 random bits), and its hash.
pub fn new_open311_key() -> (String, String) {
    let key = random_secret("o311_");
    let hash = hash_secret(&key);
    (key, hash)
}

fn random_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Secrets of 256 random bits need no slow hash: SHA-256 cannot be reversed or guessed.
pub fn hash_secret(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: u64) -> AccessClaims {
        AccessClaims {
            sub: "u".into(),
            sid: "s".into(),
            role: "citizen".into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: jsonwebtoken::get_current_timestamp(),
            exp,
        }
    }

    #[test]
    fn issued_tokens_verify_and_foreign_ones_do_not() {
        let keys = TokenKeys::from_private_pem(&TokenKeys::generate_private_pem()).unwrap();
        let now = jsonwebtoken::get_current_timestamp();
        let token = keys.issue(&claims(now + 60));
        assert_eq!(keys.verify(&token).unwrap().sub, "u");
        assert!(keys.verify(&keys.issue(&claims(now - 60))).is_none(), "expired");

        let other = TokenKeys::from_private_pem(&TokenKeys::generate_private_pem()).unwrap();
        assert!(other.verify(&token).is_none(), "another key's token");
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, hash_a) = new_refresh_token();
        let (b, _) = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(hash_secret(&a), hash_a);
        assert_eq!(hash_a.len(), 64);
    }
}
