//! Public cameras: administrators keep the registry, everyone reads the cameras of a map's
//! box and their snapshots, which the server fetches itself (see [`camera_cache`]).
//!
//! [`camera_cache`]: crate::app::camera_cache

use crate::app::auth::Admin;
use crate::app::camera_cache::{Snapshot, SnapshotAnswer};
use crate::app::error::{ApiError, ErrorCode};
use crate::app::state::AppState;
use smartcity_db::cameras::{self, CameraFields, CameraRow};
use smartcity_domain::camera::{map_box, CameraKind, CameraName, CameraUrl};
use smartcity_domain::geo::LatLon;
use smartcity_domain::Word;

/// The most cameras one map answer lists (a city registers hundreds; a box of 2° holds them).
pub const MAX_LISTED: usize = 500;

/// A camera as an administrator sends it.
pub struct CameraDraft {
    pub name: String,
    pub kind: String,
    pub lat: f64,
    pub lon: f64,
    pub snapshot_url: String,
    pub stream_url: Option<String>,
    pub active: bool,
}

fn fields(state: &AppState, draft: CameraDraft) -> Result<CameraFields, ApiError> {
    let position = LatLon::parse(draft.lat, draft.lon, state.areas.region())?;
    Ok(CameraFields {
        name: CameraName::parse("name", &draft.name)?.into_string(),
        kind: CameraKind::parse_word("kind", &draft.kind)?,
        lat: position.lat(),
        lon: position.lon(),
        snapshot_url: CameraUrl::parse("snapshot_url", &draft.snapshot_url)?.into_string(),
        stream_url: draft
            .stream_url
            .map(|url| CameraUrl::parse("stream_url", &url).map(CameraUrl::into_string))
            .transpose()?,
        active: draft.active,
    })
}

pub async fn create(
    state: &AppState,
    _: &Admin,
    draft: CameraDraft,
) -> Result<CameraRow, ApiError> {
    let fields = fields(state, draft)?;
    state.db(move |conn| cameras::create(conn, &fields, smartcity_db::now())).await
}

/// Replaces a camera's description (a retired one comes back when `active`); 404 when there is
/// no such camera.
pub async fn update(
    state: &AppState,
    _: &Admin,
    id: String,
    draft: CameraDraft,
) -> Result<CameraRow, ApiError> {
    let fields = fields(state, draft)?;
    let key = id.clone();
    let row = state
        .db(move |conn| cameras::update(conn, &key, &fields, smartcity_db::now()))
        .await?
        .ok_or_else(ApiError::not_found)?;
    state.cameras.forget(&id);
    Ok(row)
}

/// Retires an active camera; 404 when there is none.
pub async fn retire(state: &AppState, _: &Admin, id: String) -> Result<(), ApiError> {
    let key = id.clone();
    let retired = state.db(move |conn| cameras::retire(conn, &key, smartcity_db::now())).await?;
    state.cameras.forget(&id);
    if retired {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}

/// The active cameras of a map's box (`bbox=minLon,minLat,maxLon,maxLat`), by name, at most
/// [`MAX_LISTED`]; true when there were more.
pub async fn in_box(state: &AppState, bbox: &str) -> Result<(Vec<CameraRow>, bool), ApiError> {
    let bbox = map_box("bbox", bbox).map_err(|e| ApiError::from(e).in_query())?;
    let limit = MAX_LISTED as i64 + 1;
    let mut rows = state.db(move |conn| cameras::in_box(conn, &bbox, limit)).await?;
    let truncated = rows.len() > MAX_LISTED;
    rows.truncate(MAX_LISTED);
    Ok((rows, truncated))
}

/// An active camera; 404 for a retired or unknown one.
pub async fn show(state: &AppState, id: String) -> Result<CameraRow, ApiError> {
    state
        .db(move |conn| cameras::find(conn, &id))
        .await?
        .filter(|row| row.active)
        .ok_or_else(ApiError::not_found)
}

/// The camera's latest snapshot: the one held while fresh, else fetched once for everyone
/// asking. 404 for a retired or unknown camera; 503 `camera_unavailable` with `Retry-After`
/// while the camera is down (its last image is not served as if it were current).
pub async fn snapshot(state: &AppState, id: &str) -> Result<Snapshot, ApiError> {
    match state.cameras.snapshot(&state.database, id).await? {
        SnapshotAnswer::Image(snapshot) => Ok(snapshot),
        SnapshotAnswer::NoSuchCamera => Err(ApiError::not_found()),
        SnapshotAnswer::Down { retry_at } => {
            let wait = (retry_at - smartcity_db::now()).num_milliseconds().max(0);
            let secs = u64::try_from(wait).unwrap_or(0).div_ceil(1000).max(1);
            Err(ApiError::new(ErrorCode::CameraUnavailable).retry_after(secs))
        }
    }
}
