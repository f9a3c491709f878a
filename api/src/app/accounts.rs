//! Accounts: registration, sign-in and its sessions, the caller's own account, erasure.

use crate::app::auth::tokens::{self, AccessClaims, AUDIENCE, ISSUER};
use crate::app::auth::Caller;
use crate::app::error::{ApiError, ErrorCode};
use crate::app::phone_codes;
use crate::app::state::AppState;
use crate::app::throttle::{self, chrono, FailureKeys, Forgive, Purpose};
use smartcity_db::accounts::{self, NewUser, RefreshOutcome, UserRow};
use smartcity_db::agencies::{self, AgencyRow};
use smartcity_db::web_sessions;
use smartcity_db::DbError;
use smartcity_domain::account::{DisplayName, NewPassword, Role, PASSWORD_MAX_CHARS};
use smartcity_domain::phone::PhoneNumber;

/// Parsed and checked input for a new account of any role.
pub struct NewAccount {
    pub phone: PhoneNumber,
    pub display_name: DisplayName,
    pub password: NewPassword,
}

impl NewAccount {
    pub fn parse(phone: &str, display_name: &str, password: &str) -> Result<NewAccount, ApiError> {
        let phone = PhoneNumber::parse("phone", phone)?;
        let display_name = DisplayName::parse("display_name", display_name)?;
        let password =
            NewPassword::for_account("password", password, &phone, display_name.as_str())?;
        Ok(NewAccount { phone, display_name, password })
    }
}

/// Hashes the password and stores the account; a taken phone number is a 409 on `phone`.
pub async fn create(
    state: &AppState,
    account: NewAccount,
    role: Role,
    agency_id: Option<String>,
) -> Result<UserRow, ApiError> {
    let id = uuid::Uuid::new_v4().to_string();
    let password_hash = state.passwords.hash(account.password.expose().to_string()).await?;
    let created = state
        .db(move |conn| {
            let inserted = accounts::insert_user(
                conn,
                &NewUser {
                    id: &id,
                    phone: account.phone.e164(),
                    password_hash: &password_hash,
                    display_name: account.display_name.as_str(),
                    role,
                    agency_id: agency_id.as_deref(),
                    disabled: false,
                    created_at: smartcity_db::now(),
                    phone_verified_at: None,
                },
            );
            match inserted {
                Err(DbError::Duplicate(_)) => Ok(None),
                other => other.and_then(|()| accounts::find_user(conn, &id)),
            }
        })
        .await?;
    created.ok_or_else(|| ApiError::new(ErrorCode::PhoneTaken).with_field("phone"))
}

/// A citizen registers themselves, and a code is sent to prove the number. Every attempt counts against the number and the client's
/// address, kept or refused alike: "this number is taken" must not be askable without limit.
pub async fn register(
    state: &AppState,
    account: NewAccount,
    client: &str,
) -> Result<UserRow, ApiError> {
    let phone = &account.phone;
    let keys = FailureKeys::new(Purpose::Registration, phone.e164(), phone.masked(), client);
    let attempt = throttle::admit(state, &state.config.registration_throttle, keys).await?;
    match create(state, account, Role::Citizen, None).await {
        Err(error) if error.code.status() >= 500 => {
            // Nothing was decided, so nothing was learnt: not an attempt.
            attempt.give_back(state, Forgive::Nothing).await?;
            Err(error)
        }
        Err(refused) => {
            attempt.failed(state).await?;
            Err(refused)
        }
        Ok(user) => {
            // The account reads at once; the code lets it file and follow. A code that cannot
            // go now (the number's limits) is asked for again from the app.
            if let Err(error) = phone_codes::request_verification(state, &user, client).await {
                tracing::info!(%error, "no verification code sent at registration");
            }
            Ok(user)
        }
    }
}

/// An account as its owner sees it, with the agency a staff member works for.
pub struct Profile {
    pub user: UserRow,
    pub agency: Option<AgencyRow>,
}

pub async fn profile(state: &AppState, user: UserRow) -> Result<Profile, ApiError> {
    let agency = match user.agency_id.clone() {
        Some(id) => state.db(move |conn| agencies::find_agency(conn, &id)).await?,
        None => None,
    };
    Ok(Profile { user, agency })
}

/// An access token and the refresh token that renews it.
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in_secs: u64,
}

/// Signs in with phone and password, throttled per number and per client address: the attempt
/// is counted first, and a locked key is refused with 429 before the password is looked at.
pub async fn login(
    state: &AppState,
    phone: &str,
    password: String,
    client: &str,
) -> Result<TokenPair, ApiError> {
    let user = check_password(state, phone, password, client).await?;
    open_session(state, user).await
}

/// A browser signed in to the console: the cookie that stands for its session, and the token
/// its forms must carry.
pub struct BrowserSignIn {
    pub cookie_token: String,
    pub csrf_token: String,
}

/// Signs a staff member or an administrator in to the console, with the same checks and the
/// same throttle as [`login`]. A citizen with the right password is told the console is not
/// theirs; anyone else learns nothing more than from the API.
pub async fn sign_in_browser(
    state: &AppState,
    phone: &str,
    password: String,
    client: &str,
) -> Result<BrowserSignIn, ApiError> {
    let user = check_password(state, phone, password, client).await?;
    if user.role == Role::Citizen {
        return Err(ApiError::forbidden().with_detail(
            "Bảng điều khiển dành cho cán bộ và quản trị viên; người dân dùng ứng dụng",
            "The console is for agency staff and administrators; residents use the app",
        ));
    }
    let (cookie_token, cookie_hash) = tokens::new_refresh_token();
    let csrf_token = tokens::new_form_token();
    let csrf = csrf_token.clone();
    state
        .db(move |conn| {
            web_sessions::open(conn, &user.id, &cookie_hash, &csrf, smartcity_db::now())
        })
        .await?;
    Ok(BrowserSignIn { cookie_token, csrf_token })
}

/// Ends the console session of a cookie, whoever holds it.
pub async fn sign_out_browser(state: &AppState, cookie_token: &str) -> Result<(), ApiError> {
    let hash = tokens::hash_secret(cookie_token);
    state.db(move |conn| web_sessions::end(conn, &hash, smartcity_db::now())).await
}

/// The enabled account whose password this is, counted against the number and the address.
async fn check_password(
    state: &AppState,
    phone: &str,
    password: String,
    client: &str,
) -> Result<UserRow, ApiError> {
    let phone = PhoneNumber::parse("phone", phone)?;
    if password.chars().count() > PASSWORD_MAX_CHARS {
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    }
    let keys = FailureKeys::new(Purpose::Login, phone.e164(), phone.masked(), client);
    let attempt = throttle::admit(state, &state.config.login_throttle, keys).await?;

    let e164 = phone.e164().to_string();
    let user = state.db(move |conn| accounts::find_user_by_phone(conn, &e164)).await?;
    let stored = user.as_ref().map(|user| user.password_hash.clone());
    let matches = match state.passwords.verify(password, stored).await {
        Ok(matches) => matches,
        Err(busy) => {
            // Not checked, so not a failure.
            attempt.give_back(state, Forgive::Nothing).await?;
            return Err(busy);
        }
    };
    let Some(user) = user.filter(|user| matches && !user.disabled) else {
        attempt.failed(state).await?;
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    };
    attempt.give_back(state, Forgive::Subject).await?;
    Ok(user)
}

fn access_token(state: &AppState, user: &UserRow, session_id: &str) -> String {
    let now = jsonwebtoken::get_current_timestamp();
    state.tokens.issue(&AccessClaims {
        sub: user.id.clone(),
        sid: session_id.to_string(),
        role: user.role.as_str().to_string(),
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        iat: now,
        exp: now + state.config.access_token_ttl.as_secs(),
    })
}

async fn open_session(state: &AppState, user: UserRow) -> Result<TokenPair, ApiError> {
    let (refresh_token, refresh_hash) = tokens::new_refresh_token();
    let refresh_ttl = chrono(state.config.refresh_token_ttl);
    let user_id = user.id.clone();
    let session_id = state
        .db(move |conn| {
            let now = smartcity_db::now();
            accounts::open_session(conn, &user_id, &refresh_hash, now, now + refresh_ttl)
        })
        .await?;
    Ok(TokenPair {
        access_token: access_token(state, &user, &session_id),
        refresh_token,
        expires_in_secs: state.config.access_token_ttl.as_secs(),
    })
}

/// Trades a refresh token for a new pair. A spent token presented again revokes its whole
/// session: someone has a copy.
pub async fn refresh(state: &AppState, presented: &str) -> Result<TokenPair, ApiError> {
    if presented.len() > 200 {
        return Err(ApiError::new(ErrorCode::InvalidRefreshToken));
    }
    let old_hash = tokens::hash_secret(presented);
    let (refresh_token, new_hash) = tokens::new_refresh_token();
    let refresh_ttl = chrono(state.config.refresh_token_ttl);
    let outcome = state
        .db(move |conn| {
            let now = smartcity_db::now();
            accounts::rotate_refresh_token(conn, &old_hash, &new_hash, now, now + refresh_ttl)
        })
        .await?;
    match outcome {
        RefreshOutcome::Rotated { user, session_id } => Ok(TokenPair {
            access_token: access_token(state, &user, &session_id),
            refresh_token,
            expires_in_secs: state.config.access_token_ttl.as_secs(),
        }),
        RefreshOutcome::ReuseDetected => Err(ApiError::new(ErrorCode::RefreshTokenReused)),
        RefreshOutcome::Refused => Err(ApiError::new(ErrorCode::InvalidRefreshToken)),
    }
}

/// Ends the session the refresh token belongs to; its access tokens stop working at once.
/// Whether or not the token was known: there is nothing to tell a stranger.
pub async fn logout(state: &AppState, refresh_token: &str) -> Result<(), ApiError> {
    let hash = tokens::hash_secret(refresh_token);
    state
        .db(move |conn| accounts::revoke_session_of_token(conn, &hash, smartcity_db::now()))
        .await?;
    Ok(())
}

/// Erases the caller's account and sessions. The last administrator cannot erase themselves:
/// the city would be left with nobody to run it.
pub async fn erase(state: &AppState, caller: &Caller) -> Result<(), ApiError> {
    let user_id = caller.user.id.clone();
    let is_admin = caller.role == Role::Admin;
    let erased = state
        .db(move |conn| {
            if is_admin {
                accounts::delete_admin_unless_last(conn, &user_id)
            } else {
                accounts::delete_user(conn, &user_id)
            }
        })
        .await?;
    if erased {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::LastAdmin))
    }
}
