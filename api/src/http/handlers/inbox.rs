//! The in-app inbox (`/v1/me/notifications`): newest first with a cursor, the unread count,
//! marking read; and which kinds a person gets pushes for (`/v1/me/notification-settings`).

use super::{cursor_after, limit, parse_cursor, utc};
use crate::app::error::ApiError;
use crate::app::inbox;
use crate::app::state::AppState;
use crate::http::auth::SignedIn;
use crate::http::extract::{json_body, ApiQuery, RequestLang};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use smartcity_db::notifications::NotificationRow;
use smartcity_domain::push::{NotificationKind, KINDS};
use smartcity_domain::Lang;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    cursor: Option<String>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct NotificationView {
    id: String,
    kind: &'static str,
    title: String,
    body: String,
    /// What the app routes on: `complaint_id` or `dossier_code`, the new `status`, …
    data: Value,
    created_at: String,
    read: bool,
}

fn notification_view(row: NotificationRow, lang: Lang) -> NotificationView {
    let (title, body) = match lang {
        Lang::Vi => (row.title_vi, row.body_vi),
        Lang::En => (row.title_en, row.body_en),
    };
    NotificationView {
        id: row.id,
        kind: row.kind.as_str(),
        title,
        body,
        data: serde_json::from_str(&row.data).unwrap_or(Value::Null),
        created_at: utc(row.created_at),
        read: row.read_at.is_some(),
    }
}

#[derive(Debug, Serialize)]
pub struct InboxPage {
    items: Vec<NotificationView>,
    next_cursor: Option<String>,
    unread_count: i64,
}

/// `GET /v1/me/notifications`
pub async fn list(
    state: web::Data<AppState>,
    caller: SignedIn,
    lang: RequestLang,
    query: ApiQuery<InboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = limit(query.0.limit, 20, 100)?;
    let before = query.0.cursor.as_deref().map(parse_cursor).transpose()?;
    let page = inbox::page(&state, &caller.0, before, limit).await?;
    let next_cursor =
        page.rows.last().filter(|_| page.more).map(|last| cursor_after(last.created_at, &last.id));
    let items = page.rows.into_iter().map(|row| notification_view(row, lang.0)).collect();
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(InboxPage {
        items,
        next_cursor,
        unread_count: page.unread,
    }))
}

#[derive(Debug, Serialize)]
pub struct UnreadCount {
    unread_count: i64,
}

/// `GET /v1/me/notifications/unread-count`: for the badge, without loading the inbox.
pub async fn unread(
    state: web::Data<AppState>,
    caller: SignedIn,
) -> Result<HttpResponse, ApiError> {
    let unread_count = inbox::unread_count(&state, &caller.0).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(UnreadCount { unread_count }))
}

/// `POST /v1/me/notifications/{id}/read`; marking twice is fine.
pub async fn mark_read(
    state: web::Data<AppState>,
    caller: SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    inbox::mark_read(&state, &caller.0, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize)]
pub struct Marked {
    marked: usize,
}

/// `POST /v1/me/notifications/read-all`
pub async fn mark_all_read(
    state: web::Data<AppState>,
    caller: SignedIn,
) -> Result<HttpResponse, ApiError> {
    let marked = inbox::mark_all_read(&state, &caller.0).await?;
    Ok(HttpResponse::Ok().json(Marked { marked }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// Kinds the person gets no push for (the inbox keeps them all).
    push_off: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SettingsView {
    push_off: Vec<&'static str>,
    /// Every kind there is, to build the settings screen from.
    kinds: &'static [&'static str],
}

fn words(kinds: Vec<NotificationKind>) -> Vec<&'static str> {
    kinds.into_iter().map(NotificationKind::as_str).collect()
}

/// `GET /v1/me/notification-settings`
pub async fn settings(
    state: web::Data<AppState>,
    caller: SignedIn,
) -> Result<HttpResponse, ApiError> {
    let push_off = inbox::muted_kinds(&state, &caller.0).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(SettingsView { push_off: words(push_off), kinds: KINDS }))
}

/// `PUT /v1/me/notification-settings`: replaces the kinds turned off.
pub async fn set_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: SignedIn,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: NotificationSettings = json_body(&req, body).await?;
    let push_off = inbox::set_muted_kinds(&state, &caller.0, &body.push_off).await?;
    Ok(HttpResponse::Ok().json(SettingsView { push_off: words(push_off), kinds: KINDS }))
}
