//! Every way an access token can be wrong is refused with 401.

use crate::helpers::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use diesel::prelude::*;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePublicKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{json, Value};
use smartcity_db::schema::users;

struct Forger {
    private_pem: String,
    public_pem: String,
}

async fn forger(app: &TestApp) -> Forger {
    let private_pem = app
        .with_db(|conn| {
            smartcity_db::signing_keys::get_or_create(conn, smartcity_db::now(), || {
                unreachable!("the server made its key at start")
            })
            .unwrap()
        })
        .await;
    let public_pem = ed25519_dalek::SigningKey::from_pkcs8_pem(&private_pem)
        .unwrap()
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    Forger { private_pem, public_pem }
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn assert_refused(app: &TestApp, token: &str) {
    let res = app.get_auth("/v1/me", token).await;
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
}

#[tokio::test]
async fn a_genuine_token_is_accepted_and_a_signed_copy_of_its_claims_too() {
    let app = spawn_app().await;
    let token = app.citizen_token().await;
    let forger = forger(&app).await;
    // Control: re-signing the same claims with the real key works, so the refusals below are
    // about what was changed, not about how the test signs.
    let resigned = jsonwebtoken::encode(
        &Header::new(Algorithm::EdDSA),
        &claims_of(&token),
        &EncodingKey::from_ed_pem(forger.private_pem.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_eq!(app.get_auth("/v1/me", &resigned).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn alg_none_and_hs256_with_the_public_key_are_refused() {
    let app = spawn_app().await;
    let token = app.citizen_token().await;
    let forger = forger(&app).await;
    let claims = claims_of(&token);

    let header = URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT"}).to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    assert_refused(&app, &format!("{header}.{payload}.")).await;

    let hs256 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(forger.public_pem.as_bytes()),
    )
    .unwrap();
    assert_refused(&app, &hs256).await;
}

#[tokio::test]
async fn tampered_expired_and_foreign_tokens_are_refused() {
    let app = spawn_app().await;
    let token = app.citizen_token().await;
    let forger = forger(&app).await;
    let key = EncodingKey::from_ed_pem(forger.private_pem.as_bytes()).unwrap();

    // Promote ourselves to admin without re-signing.
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let mut claims = claims_of(&token);
    claims["role"] = json!("admin");
    parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
    assert_refused(&app, &parts.join(".")).await;

    let mut expired = claims_of(&token);
    let now = jsonwebtoken::get_current_timestamp();
    expired["iat"] = json!(now - 3600);
    expired["exp"] = json!(now - 1800);
    assert_refused(
        &app,
        &jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &expired, &key).unwrap(),
    )
    .await;

    let other_key = smartcity_api::app::auth::tokens::TokenKeys::generate_private_pem();
    let foreign = jsonwebtoken::encode(
        &Header::new(Algorithm::EdDSA),
        &claims_of(&token),
        &EncodingKey::from_ed_pem(other_key.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_refused(&app, &foreign).await;

    assert_refused(&app, "not.a.jwt").await;
}

#[tokio::test]
async fn tokens_of_disabled_or_deleted_users_are_refused() {
    let app = spawn_app().await;
    let token = app.citizen_token().await;
    let user_id = claims_of(&token)["sub"].as_str().unwrap().to_string();

    let id = user_id.clone();
    app.with_db(move |conn| {
        diesel::update(users::table.find(id)).set(users::disabled.eq(true)).execute(conn).unwrap()
    })
    .await;
    assert_refused(&app, &token).await;
    assert_problem(
        app.login(CITIZEN_PHONE, STRONG_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;

    app.with_db(move |conn| smartcity_db::accounts::delete_user(conn, &user_id).unwrap()).await;
    assert_refused(&app, &token).await;
}

#[tokio::test]
async fn a_missing_or_malformed_authorization_header_is_refused() {
    let app = spawn_app().await;
    let res = app.get("/v1/me").await;
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_problem(res, StatusCode::UNAUTHORIZED, "authentication_required").await;
    let res = app
        .client
        .get(app.url("/v1/me"))
        .header("authorization", "Basic YTpi")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let res =
        app.client.get(app.url("/v1/me")).header("authorization", "Bearer ").send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
}
