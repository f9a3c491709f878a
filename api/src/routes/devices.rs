//! The phones a person receives pushes on: `POST /v1/me/devices` registers the app's FCM
//! registration token under the current sign-in (logging out of it removes it), and
//! `DELETE /v1/me/devices/{token}` removes it.

use super::json_body;
use crate::auth::AuthUser;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::devices::{self, NewDevice};
use smartcity_domain::push::{device_lang, DeviceToken, Platform};
use smartcity_domain::validation::clean_text;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterDevice {
    token: String,
    platform: String,
    app_version: String,
    /// The language pushes to this phone are written in (`vi`, `en`, or a regional tag).
    lang: String,
}

#[derive(Debug, Serialize)]
pub struct DeviceView {
    token: String,
    platform: &'static str,
    app_version: String,
    lang: &'static str,
}

/// `POST /v1/me/devices`: 201 for a new token, 200 when it was known (to this person or, on a
/// shared phone, to whoever signed in there before: it moves to the caller).
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AuthUser,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: RegisterDevice = json_body(&req, body).await?;
    let token = DeviceToken::parse(&body.token)?;
    let platform = Platform::parse(&body.platform)?;
    let app_version = clean_text("app_version", &body.app_version, 1, 100, false)?;
    let lang = device_lang(&body.lang)?;
    let view = DeviceView {
        token: token.as_str().to_string(),
        platform: platform.as_str(),
        app_version: app_version.clone(),
        lang: lang.tag(),
    };
    let created = state
        .db(move |conn| {
            devices::register(
                conn,
                &NewDevice {
                    token: token.as_str(),
                    user_id: &caller.user.id,
                    session_id: &caller.session_id,
                    platform: platform.as_str(),
                    app_version: &app_version,
                    lang: lang.tag(),
                },
                smartcity_db::now(),
            )
        })
        .await?;
    let mut response = if created { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response.json(view))
}

/// `DELETE /v1/me/devices/{token}`
pub async fn remove(
    state: web::Data<AppState>,
    caller: AuthUser,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let removed = state.db(move |conn| devices::remove(conn, &caller.user.id, &token)).await?;
    if removed {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found())
    }
}
