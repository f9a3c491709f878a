//! A person's notifications: the in-app inbox, which kinds they get pushes for, and the phones
//! the pushes go to.

use crate::app::auth::Caller;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use chrono::NaiveDateTime;
use smartcity_db::devices::{self, NewDevice, Registered};
use smartcity_db::notifications::{self, NotificationRow};
use smartcity_domain::push::{device_lang, parse_kind, DeviceToken, NotificationKind, Platform};
use smartcity_domain::validation::clean_text;
use smartcity_domain::Lang;

/// One page of the inbox, newest first, and the unread count.
pub struct InboxPage {
    pub rows: Vec<NotificationRow>,
    /// Whether older notifications follow the page.
    pub more: bool,
    pub unread: i64,
}

/// Notifications older than `before` (`(created_at, id)` of the last one seen), at most `limit`.
pub async fn page(
    state: &AppState,
    caller: &Caller,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<InboxPage, ApiError> {
    let user_id = caller.user.id.clone();
    let (mut rows, unread) = state
        .db(move |conn| {
            let rows = notifications::page(conn, &user_id, before, limit)?;
            Ok((rows, notifications::unread_count(conn, &user_id)?))
        })
        .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(InboxPage { rows, more, unread })
}

pub async fn unread_count(state: &AppState, caller: &Caller) -> Result<i64, ApiError> {
    let user_id = caller.user.id.clone();
    state.db(move |conn| notifications::unread_count(conn, &user_id)).await
}

/// Marks one read; marking twice is fine, someone else's is not found.
pub async fn mark_read(state: &AppState, caller: &Caller, id: String) -> Result<(), ApiError> {
    let user_id = caller.user.id.clone();
    let found = state
        .db(move |conn| notifications::mark_read(conn, &user_id, &id, smartcity_db::now()))
        .await?;
    found.then_some(()).ok_or_else(ApiError::not_found)
}

/// Marks every unread one read; returns how many.
pub async fn mark_all_read(state: &AppState, caller: &Caller) -> Result<usize, ApiError> {
    let user_id = caller.user.id.clone();
    state.db(move |conn| notifications::mark_all_read(conn, &user_id, smartcity_db::now())).await
}

/// The kinds the person gets no push for (the inbox keeps them all).
pub async fn muted_kinds(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<NotificationKind>, ApiError> {
    let user_id = caller.user.id.clone();
    state.db(move |conn| notifications::muted_kinds(conn, &user_id)).await
}

/// Replaces the kinds turned off; returns them checked, without repeats, sorted.
pub async fn set_muted_kinds(
    state: &AppState,
    caller: &Caller,
    requested: &[String],
) -> Result<Vec<NotificationKind>, ApiError> {
    let mut kinds = Vec::with_capacity(requested.len());
    for (i, raw) in requested.iter().enumerate() {
        let kind = parse_kind(&format!("push_off[{i}]"), raw)?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds.sort_unstable_by_key(|kind| kind.as_str());
    let user_id = caller.user.id.clone();
    let stored = kinds.clone();
    state.db(move |conn| notifications::set_muted_kinds(conn, &user_id, &stored)).await?;
    Ok(kinds)
}

/// A phone's FCM registration as the app sends it.
pub struct DeviceRegistration {
    pub token: String,
    pub platform: String,
    pub app_version: String,
    /// The language pushes to this phone are written in (`vi`, `en`, or a regional tag).
    pub lang: String,
}

/// The registration as stored.
pub struct Device {
    pub token: DeviceToken,
    pub platform: Platform,
    pub app_version: String,
    pub lang: Lang,
}

/// Registers the phone under the caller's current sign-in (logging out of it removes it).
/// `true` for a new token; a known one moves to the caller (a shared phone).
pub async fn register_device(
    state: &AppState,
    caller: &Caller,
    registration: DeviceRegistration,
) -> Result<(bool, Device), ApiError> {
    let device = Device {
        token: DeviceToken::parse(&registration.token)?,
        platform: Platform::parse(&registration.platform)?,
        app_version: clean_text("app_version", &registration.app_version, 1, 100, false)?,
        lang: device_lang(&registration.lang)?,
    };
    let (token, platform, lang) = (device.token.as_str().to_string(), device.platform, device.lang);
    let app_version = device.app_version.clone();
    let (user_id, session_id) = (caller.user.id.clone(), caller.session_id.clone());
    let registered = state
        .db(move |conn| {
            devices::register(
                conn,
                &NewDevice {
                    token: &token,
                    user_id: &user_id,
                    session_id: &session_id,
                    platform,
                    app_version: &app_version,
                    lang,
                },
                smartcity_db::now(),
            )
        })
        .await?;
    if let Registered::MovedFrom { user_id: from } = &registered {
        // Phones change hands, so the last sign-in wins; the former holder is told nothing
        // (their other sessions must not learn who holds the phone now), but the operator can
        // see a token moving between accounts.
        tracing::info!(from = %from, to = %caller.user.id, platform = platform.as_str(),
            "a device token moved to another account");
    }
    Ok((registered == Registered::New, device))
}

pub async fn remove_device(
    state: &AppState,
    caller: &Caller,
    token: String,
) -> Result<(), ApiError> {
    let user_id = caller.user.id.clone();
    let removed = state.db(move |conn| devices::remove(conn, &user_id, &token)).await?;
    removed.then_some(()).ok_or_else(ApiError::not_found)
}
