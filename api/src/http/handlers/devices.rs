//! The phones a person receives pushes on: `POST /v1/me/devices` registers the app's FCM
//! registration token under the current sign-in, `DELETE /v1/me/devices/{token}` removes it.

use crate::app::error::ApiError;
use crate::app::inbox::{self, DeviceRegistration};
use crate::app::state::AppState;
use crate::http::auth::SignedIn;
use crate::http::extract::json_body;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

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
    caller: SignedIn,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let RegisterDevice { token, platform, app_version, lang } = json_body(&req, body).await?;
    let registration = DeviceRegistration { token, platform, app_version, lang };
    let (created, device) = inbox::register_device(&state, &caller.0, registration).await?;
    let mut response = if created { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response.json(DeviceView {
        token: device.token.as_str().to_string(),
        platform: device.platform.as_str(),
        app_version: device.app_version,
        lang: device.lang.tag(),
    }))
}

/// `DELETE /v1/me/devices/{token}`
pub async fn remove(
    state: web::Data<AppState>,
    caller: SignedIn,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    inbox::remove_device(&state, &caller.0, token.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
