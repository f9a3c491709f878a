//! The in-app inbox (`/v1/me/notifications`): newest first with a cursor, the unread count,
//! marking read; and which kinds a person gets pushes for (`/v1/me/notification-settings`).

use super::{cursor_after, json_body, parse_cursor, request_lang, utc};
use crate::auth::AuthUser;
use crate::extract::ApiQuery;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use smartcity_db::notifications::{self, NotificationRow};
use smartcity_domain::push::{parse_kind, KINDS};
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
    kind: String,
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
        kind: row.kind,
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

const MAX_LIMIT: i64 = 100;

/// `GET /v1/me/notifications`
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AuthUser,
    query: ApiQuery<InboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let limit = query.limit.unwrap_or(20);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_query(
            "limit",
            format!("`limit` phải từ 1 đến {MAX_LIMIT}"),
            format!("`limit` must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let before = query.cursor.as_deref().map(parse_cursor).transpose()?;
    let user_id = caller.user.id;
    let (mut rows, unread_count) = state
        .db(move |conn| {
            let rows = notifications::page(conn, &user_id, before, limit)?;
            Ok((rows, notifications::unread_count(conn, &user_id)?))
        })
        .await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor =
        rows.last().filter(|_| has_more).map(|last| cursor_after(last.created_at, &last.id));
    let lang = request_lang(&req);
    let items = rows.into_iter().map(|row| notification_view(row, lang)).collect();
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(InboxPage {
        items,
        next_cursor,
        unread_count,
    }))
}

#[derive(Debug, Serialize)]
pub struct UnreadCount {
    unread_count: i64,
}

/// `GET /v1/me/notifications/unread-count`: for the badge, without loading the inbox.
pub async fn unread(
    state: web::Data<AppState>,
    caller: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.user.id;
    let unread_count = state.db(move |conn| notifications::unread_count(conn, &user_id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(UnreadCount { unread_count }))
}

/// `POST /v1/me/notifications/{id}/read`; marking twice is fine.
pub async fn mark_read(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user_id = caller.user.id;
    let found = state
        .db(move |conn| notifications::mark_read(conn, &user_id, &id, smartcity_db::now()))
        .await?;
    if found {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found())
    }
}

#[derive(Debug, Serialize)]
pub struct Marked {
    marked: usize,
}

/// `POST /v1/me/notifications/read-all`
pub async fn mark_all_read(
    state: web::Data<AppState>,
    caller: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.user.id;
    let marked = state
        .db(move |conn| notifications::mark_all_read(conn, &user_id, smartcity_db::now()))
        .await?;
    Ok(HttpResponse::Ok().json(Marked { marked }))
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// Kinds the person gets no push for (the inbox keeps them all).
    push_off: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SettingsView {
    push_off: Vec<String>,
    /// Every kind there is, to build the settings screen from.
    kinds: &'static [&'static str],
}

/// `GET /v1/me/notification-settings`
pub async fn settings(
    state: web::Data<AppState>,
    caller: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.user.id;
    let push_off = state.db(move |conn| notifications::muted_kinds(conn, &user_id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(SettingsView { push_off, kinds: KINDS }))
}

/// `PUT /v1/me/notification-settings`: replaces the kinds turned off.
pub async fn set_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AuthUser,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: NotificationSettings = json_body(&req, body).await?;
    let mut kinds = Vec::with_capacity(body.push_off.len());
    for (i, raw) in body.push_off.iter().enumerate() {
        let kind = parse_kind(&format!("push_off[{i}]"), raw)?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds.sort_unstable();
    let user_id = caller.user.id;
    let stored = kinds.clone();
    state.db(move |conn| notifications::set_muted_kinds(conn, &user_id, &stored)).await?;
    let push_off = kinds.into_iter().map(String::from).collect();
    Ok(HttpResponse::Ok().json(SettingsView { push_off, kinds: KINDS }))
}
