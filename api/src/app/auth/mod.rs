//! Who is calling: a person by their access token, an agency's system by its API key.

pub mod passwords;
pub mod tokens;

use crate::app::error::{ApiError, ErrorCode};
use crate::app::state::AppState;
use smartcity_db::accounts::{self, UserRow};
use smartcity_db::web_sessions;
use smartcity_domain::account::Role;

/// A person with a valid access token whose session is open and whose account exists and is
/// enabled: checked against the database on every request, so logout and erasure take effect
/// at once rather than when the token expires.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserRow,
    pub role: Role,
    pub session_id: String,
}

impl Caller {
    /// The agency a staff member works for; anyone else is refused.
    pub fn staff_agency(&self) -> Result<String, ApiError> {
        match (self.role, &self.user.agency_id) {
            (Role::Staff, Some(agency_id)) => Ok(agency_id.clone()),
            _ => Err(ApiError::forbidden()),
        }
    }
}

/// A caller proven to be an administrator: what only administrators may do takes one, so it
/// cannot be reached without the check.
#[derive(Debug, Clone)]
pub struct Admin(Caller);

impl Admin {
    pub fn check(caller: Caller) -> Result<Admin, ApiError> {
        match caller.role {
            Role::Admin => Ok(Admin(caller)),
            _ => Err(ApiError::forbidden()),
        }
    }

    pub fn caller(&self) -> &Caller {
        &self.0
    }
}

/// Someone proven to act for an agency: its one-stop-shop system by its API key, or one of its
/// staff. What agencies write about their dossiers takes one.
#[derive(Debug, Clone)]
pub struct ActingAgency {
    agency_id: String,
    /// The account acting, when a person does (not the agency's system by its key).
    person_id: Option<String>,
}

impl ActingAgency {
    pub async fn by_key(state: &AppState, key: &str) -> Result<ActingAgency, ApiError> {
        Ok(ActingAgency { agency_id: agency_of_key(state, key).await?, person_id: None })
    }

    pub fn staff(caller: &Caller) -> Result<ActingAgency, ApiError> {
        Ok(ActingAgency {
            agency_id: caller.staff_agency()?,
            person_id: Some(caller.user.id.clone()),
        })
    }

    /// An administrator acting for the agency they chose (the console's dossier pages); the
    /// use case still finds that an unknown agency has nothing.
    pub fn chosen_by(admin: &Admin, agency_id: String) -> ActingAgency {
        ActingAgency { agency_id, person_id: Some(admin.caller().user.id.clone()) }
    }

    pub fn person_id(&self) -> Option<&str> {
        self.person_id.as_deref()
    }

    pub fn agency_id(&self) -> &str {
        &self.agency_id
    }
}

/// The caller a bearer token stands for.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let claims =
        state.tokens.verify(token).ok_or_else(|| ApiError::new(ErrorCode::InvalidToken))?;
    let (user_id, session_id) = (claims.sub.clone(), claims.sid.clone());
    let user = state
        .db(move |conn| accounts::user_of_live_session(conn, &user_id, &session_id))
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidToken))?;
    Ok(Caller { role: user.role, user, session_id: claims.sid })
}

/// Someone signed in to the console in a browser, with the token that browser's forms carry.
#[derive(Debug, Clone)]
pub struct BrowserCaller {
    pub caller: Caller,
    pub csrf_token: String,
}

/// The console's caller behind a session cookie: `None` when the cookie is unknown, signed
/// out, unused for longer than `SMARTCITY_CONSOLE_IDLE_MINUTES`, or its account is disabled.
pub async fn authenticate_browser(
    state: &AppState,
    cookie_token: &str,
) -> Result<Option<BrowserCaller>, ApiError> {
    if cookie_token.len() > 200 {
        return Ok(None);
    }
    let hash = tokens::hash_secret(cookie_token);
    let idle =
        chrono::Duration::from_std(state.config.console_idle).unwrap_or(chrono::Duration::MAX);
    let found = state
        .db(move |conn| {
            let now = smartcity_db::now();
            // Written back at most once a minute: the idle limit is in minutes.
            let touched_before = now - chrono::Duration::minutes(1);
            web_sessions::find_live(conn, &hash, now - idle, touched_before, now)
        })
        .await?;
    Ok(found.map(|session| BrowserCaller {
        caller: Caller {
            role: session.user.role,
            user: session.user,
            session_id: session.session_id,
        },
        csrf_token: session.csrf_token,
    }))
}

/// The agency whose one-stop-shop system holds this `X-Api-Key`.
async fn agency_of_key(state: &AppState, key: &str) -> Result<String, ApiError> {
    let hash = tokens::hash_secret(key);
    state
        .db(move |conn| smartcity_db::api_keys::agency_of_key(conn, &hash, smartcity_db::now()))
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidApiKey))
}
