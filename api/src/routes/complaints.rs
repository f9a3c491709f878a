//! Complaints: filing with photos, the nearby check before filing, the public map and detail,
//! the reporter's own list, following and "me too", and the photos themselves.

use super::complaint_form::{self, ComplaintForm, StoredPhotos};
use super::{cursor_after, parse_cursor, utc};
use crate::auth::AuthUser;
use crate::extract::ApiQuery;
use crate::geography::{agency_for, area_at};
use crate::photos::ProcessedPhoto;
use crate::problem::{ApiError, ErrorCode};
use crate::state::AppState;
use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use smartcity_db::complaints::{
    self, BoxQuery, ComplaintDetail, ComplaintRow, EventRow, FileOutcome, FirstFiling, NewComplaint,
};
use smartcity_db::places;
use smartcity_domain::complaint::{
    complaint_notice, due_at, is_overdue, Category, ComplaintStatus, NoticeKind,
};
use smartcity_domain::geo::{bounding_box, LatLon};
use smartcity_domain::validation::clean_text;
use std::collections::HashMap;

const OPEN: &[&str] = &["new", "acknowledged", "in_progress"];

fn coordinate(fields: &HashMap<String, String>, field: &str) -> Result<Option<f64>, ApiError> {
    match fields.get(field).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(raw) => raw.parse::<f64>().map(Some).map_err(|_| {
            ApiError::invalid_field(
                field,
                format!("`{field}` phải là một số"),
                format!("`{field}` must be a number"),
            )
        }),
    }
}

/// The complaint's position: the pin the reporter chose, else the first photo's GPS.
fn location(
    state: &AppState,
    fields: &HashMap<String, String>,
    photos: &[ProcessedPhoto],
) -> Result<LatLon, ApiError> {
    let region = state.areas.region();
    match (coordinate(fields, "lat")?, coordinate(fields, "lon")?) {
        (Some(lat), Some(lon)) => Ok(LatLon::parse(lat, lon, region)?),
        (Some(_), None) => Err(ApiError::invalid_field("lon", "Thiếu `lon`", "`lon` is missing")),
        (None, Some(_)) => Err(ApiError::invalid_field("lat", "Thiếu `lat`", "`lat` is missing")),
        (None, None) => {
            let (lat, lon) = photos.iter().find_map(|p| p.gps).ok_or_else(|| {
                ApiError::invalid_field(
                    "lat",
                    "Cần vị trí: gửi `lat`/`lon` hoặc một ảnh có toạ độ GPS",
                    "A location is needed: send `lat`/`lon` or a photo with GPS coordinates",
                )
            })?;
            Ok(LatLon::parse(lat, lon, region)?)
        }
    }
}

fn flag(form: &ComplaintForm, field: &str) -> Result<bool, ApiError> {
    match form.fields.get(field).map(|v| v.trim()) {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(ApiError::invalid_field(
            field,
            format!("`{field}` là true hoặc false"),
            format!("`{field}` is true or false"),
        )),
    }
}

const IDEMPOTENCY_HEADER: &str = "idempotency-key";

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 100)
        .map(|v| Some(v.to_string()))
        .ok_or_else(|| {
            ApiError::invalid_field(
                "Idempotency-Key",
                "Idempotency-Key: 1–100 ký tự ASCII",
                "Idempotency-Key: 1–100 ASCII characters",
            )
        })
}

/// `POST /v1/complaints` (multipart): category, description, lat/lon, address, anonymous,
/// `attribute[CODE]` answers, 0–5 photos. An `Idempotency-Key` makes a retry return the first
/// complaint instead of filing a second.
pub async fn file(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AuthUser,
    multipart: Multipart,
) -> Result<HttpResponse, ApiError> {
    if !complaint_form::is_multipart(&req) {
        return Err(ApiError::new(ErrorCode::UnsupportedMediaType)
            .with_field("Content-Type")
            .with_detail(
                "Gửi phản ánh dạng multipart/form-data",
                "Send the complaint as multipart/form-data",
            ));
    }
    let key = idempotency_key(&req)?;
    let reporter_id = caller.user.id.clone();
    let mut form = complaint_form::read(multipart, &complaint_form::FILING).await?;
    let fingerprint = key.as_ref().map(|_| form.fingerprint());
    if let Some(key) = key.clone() {
        let reporter = reporter_id.clone();
        if let Some(first) =
            state.db(move |conn| complaints::find_by_idempotency_key(conn, &reporter, &key)).await?
        {
            return replay(&state, &first, fingerprint.as_deref()).await;
        }
    }
    let category_code =
        form.fields.get("category").map(|c| c.trim().to_string()).unwrap_or_default();
    if category_code.is_empty() {
        return Err(ApiError::invalid_field(
            "category",
            "Thiếu `category`",
            "`category` is missing",
        ));
    }
    let lookup = category_code.clone();
    let category: Category =
        state.db(move |conn| places::find_category(conn, &lookup)).await?.ok_or_else(|| {
            ApiError::invalid_field("category", "Không có loại phản ánh này", "No such category")
        })?;
    let description = clean_text(
        "description",
        form.fields.get("description").map(String::as_str).unwrap_or(""),
        1,
        4000,
        true,
    )?;
    let address = match form.fields.get("address").map(|a| a.trim()).filter(|a| !a.is_empty()) {
        Some(a) => Some(clean_text("address", a, 1, 300, false)?),
        None => None,
    };
    let anonymous = flag(&form, "anonymous")?;
    let answers = category.check_answers(&form.attributes)?;

    let processed =
        complaint_form::process_photos(&state, std::mem::take(&mut form.photos)).await?;
    let position = location(&state, &form.fields, &processed)?;
    let area = area_at(&state, position).await?;
    let agency_id = agency_for(&state, &category.code, area.as_deref()).await?;

    let StoredPhotos { rows: photo_rows, keys: stored } =
        complaint_form::store_photos(&state, &processed).await?;

    let now = Utc::now();
    let id = uuid::Uuid::new_v4().to_string();
    let complaint = NewComplaint {
        id: id.clone(),
        category_code: category.code.clone(),
        description,
        lat: position.lat(),
        lon: position.lon(),
        address,
        area_code: area,
        agency_id,
        reporter_id: Some(reporter_id),
        anonymous,
        answers: serde_json::to_string(&answers).expect("answers serialize"),
        due_at: due_at(now, category.sla_hours).naive_utc(),
        idempotency_key: key,
        idempotency_fingerprint: fingerprint.clone(),
        open311: None,
        created_at: smartcity_db::now(),
    };
    let staff_notice =
        complaint_notice(NoticeKind::Assigned, &id, &category, Some(&complaint.description));
    let outcome =
        state.db(move |conn| complaints::file(conn, &complaint, &photo_rows, &staff_notice)).await;
    match outcome {
        Ok(FileOutcome::Created) => {
            let detail = load(&state, &id).await?;
            Ok(HttpResponse::Created()
                .insert_header((header::LOCATION, format!("/v1/complaints/{id}")))
                .json(view(&detail, Audience::Reporter)))
        }
        Ok(FileOutcome::Replayed(first)) => {
            complaint_form::remove_stored(&state, &stored).await;
            replay(&state, &first, fingerprint.as_deref()).await
        }
        Err(err) => {
            // Nothing half-written: the photos go with the failed row.
            complaint_form::remove_stored(&state, &stored).await;
            Err(err)
        }
    }
}

/// The first complaint filed under a key, for a retry of the same filing; a different filing
/// under a used key is refused (422 naming the header): the client has mixed up its keys.
async fn replay(
    state: &AppState,
    first: &FirstFiling,
    fingerprint: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    if first.fingerprint.as_deref() != fingerprint {
        return Err(ApiError::invalid_field(
            "Idempotency-Key",
            "Idempotency-Key này đã dùng cho một phản ánh khác; dùng một khoá mới",
            "This Idempotency-Key was used for a different complaint; use a new key",
        ));
    }
    let id = first.id.as_str();
    let detail = load(state, id).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/complaints/{id}")))
        .insert_header(("idempotent-replayed", "true"))
        .json(view(&detail, Audience::Reporter)))
}

pub(super) async fn load(state: &AppState, id: &str) -> Result<ComplaintDetail, ApiError> {
    let id = id.to_string();
    state.db(move |conn| complaints::detail(conn, &id)).await?.ok_or_else(ApiError::not_found)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Audience {
    Public,
    Reporter,
    /// Staff and admins acting on it: internal notes included.
    Staff,
}

#[derive(Debug, Serialize)]
struct StatusView {
    code: String,
    label: &'static str,
    label_en: &'static str,
}

fn status_view(code: &str) -> StatusView {
    match ComplaintStatus::parse("status", code) {
        Ok(s) => StatusView { code: code.to_string(), label: s.label_vi(), label_en: s.label_en() },
        Err(_) => StatusView { code: code.to_string(), label: "", label_en: "" },
    }
}

#[derive(Debug, Serialize)]
struct PhotoView {
    display_url: String,
    thumbnail_url: String,
    width: i32,
    height: i32,
    kind: String,
}

#[derive(Debug, Serialize)]
struct TimelineEntry {
    #[serde(rename = "type")]
    event_type: String,
    status: Option<StatusView>,
    text: Option<String>,
    /// A `resolved` event's photos of the fix.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    photos: Vec<PhotoView>,
    at: String,
}

/// A complaint as the public sees it; the reporter also sees `anonymous`.
#[derive(Debug, Serialize)]
pub(super) struct ComplaintView {
    id: String,
    category: String,
    description: String,
    status: StatusView,
    lat: f64,
    lon: f64,
    address: Option<String>,
    area: Option<String>,
    agency_id: String,
    /// The reporter's display name; absent for anonymous reports.
    reporter_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    anonymous: Option<bool>,
    answers: serde_json::Value,
    photos: Vec<PhotoView>,
    timeline: Vec<TimelineEntry>,
    follower_count: i32,
    me_too_count: i32,
    due_at: String,
    overdue: bool,
    created_at: String,
    resolved_at: Option<String>,
}

fn photo_view(photo: &smartcity_db::complaints::PhotoRow) -> PhotoView {
    PhotoView {
        display_url: format!("/v1/photos/{}/display", photo.id),
        thumbnail_url: format!("/v1/photos/{}/thumbnail", photo.id),
        width: photo.width,
        height: photo.height,
        kind: photo.kind.clone(),
    }
}

/// The photos sent with a `resolved` event: `after` photos stored at the event's time.
fn after_photos(detail: &ComplaintDetail, event: &EventRow) -> Vec<PhotoView> {
    if event.event_type != "resolved" {
        return Vec::new();
    }
    detail
        .photos
        .iter()
        .filter(|p| p.kind == "after" && p.created_at == event.created_at)
        .map(photo_view)
        .collect()
}

fn overdue(row: &ComplaintRow) -> bool {
    ComplaintStatus::parse("status", &row.status)
        .map(|s| is_overdue(s, DateTime::from_naive_utc_and_offset(row.due_at, Utc), Utc::now()))
        .unwrap_or(false)
}

pub(super) fn view(detail: &ComplaintDetail, audience: Audience) -> ComplaintView {
    let c = &detail.complaint;
    ComplaintView {
        id: c.id.clone(),
        category: c.category_code.clone(),
        description: c.description.clone(),
        status: status_view(&c.status),
        lat: c.lat,
        lon: c.lon,
        address: c.address.clone(),
        area: c.area_code.clone(),
        agency_id: c.agency_id.clone(),
        reporter_name: detail
            .reporter_name
            .clone()
            .filter(|_| !c.anonymous || audience == Audience::Reporter),
        anonymous: (audience == Audience::Reporter).then_some(c.anonymous),
        answers: serde_json::from_str(&c.answers).unwrap_or(serde_json::Value::Null),
        photos: detail.photos.iter().map(photo_view).collect(),
        timeline: detail
            .events
            .iter()
            .filter(|e| e.is_public || audience == Audience::Staff)
            .map(|e| TimelineEntry {
                event_type: e.event_type.clone(),
                status: e.status_after.as_deref().map(status_view),
                text: e.body.clone(),
                photos: after_photos(detail, e),
                at: utc(e.created_at),
            })
            .collect(),
        follower_count: c.follower_count,
        me_too_count: c.me_too_count,
        due_at: utc(c.due_at),
        overdue: overdue(c),
        created_at: utc(c.created_at),
        resolved_at: c.resolved_at.map(utc),
    }
}

/// `GET /v1/complaints/{id}`: the public view, for everyone; the reporter's own fields are in
/// `GET /v1/me/complaints`.
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let detail = load(&state, &id).await?;
    Ok(HttpResponse::Ok().json(view(&detail, Audience::Public)))
}

#[derive(Debug, Serialize)]
struct ComplaintList {
    items: Vec<ComplaintView>,
}

/// `GET /v1/me/complaints`: the caller's own, with their private fields.
pub async fn mine(state: web::Data<AppState>, caller: AuthUser) -> Result<HttpResponse, ApiError> {
    let user_id = caller.user.id.clone();
    let details = state
        .db(move |conn| {
            let rows = complaints::by_reporter(conn, &user_id)?;
            let mut details = Vec::with_capacity(rows.len());
            for row in rows {
                if let Some(detail) = complaints::detail(conn, &row.id)? {
                    details.push(detail);
                }
            }
            Ok(details)
        })
        .await?;
    let items = details.iter().map(|d| view(d, Audience::Reporter)).collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(ComplaintList { items }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NearbyQuery {
    lat: f64,
    lon: f64,
    category: Option<String>,
}

#[derive(Debug, Serialize)]
struct NearbyItem {
    id: String,
    category: String,
    status: StatusView,
    description: String,
    distance_m: f64,
    follower_count: i32,
    me_too_count: i32,
    created_at: String,
    thumbnail_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct NearbyList {
    radius_m: u32,
    items: Vec<NearbyItem>,
}

/// `GET /v1/complaints/nearby`: open complaints within the category's radius (250 m unless the
/// category says otherwise), nearest first, then newest, so the app can offer "already
/// reported: follow it" instead of a duplicate.
pub async fn nearby(
    state: web::Data<AppState>,
    query: ApiQuery<NearbyQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let center = LatLon::parse(query.lat, query.lon, state.areas.region()).map_err(|e| {
        let mut error = ApiError::from(e);
        error.code = ErrorCode::InvalidQuery;
        error
    })?;
    let radius_m = match &query.category {
        Some(code) => {
            let code = code.clone();
            state
                .db(move |conn| places::find_category(conn, &code))
                .await?
                .ok_or_else(|| ApiError::new(ErrorCode::InvalidQuery).with_field("category"))?
                .nearby_radius_m
        }
        None => smartcity_domain::complaint::DEFAULT_NEARBY_RADIUS_M,
    };
    let bbox = bounding_box(center, f64::from(radius_m));
    let category = query.category.clone();
    let (rows, photos) = state
        .db(move |conn| {
            let rows = complaints::in_box(
                conn,
                &BoxQuery {
                    bbox,
                    category: category.as_deref(),
                    statuses: OPEN,
                    created_since: None,
                    before: None,
                    limit: 500,
                },
            )?;
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            Ok((rows, complaints::first_photos(conn, &ids)?))
        })
        .await?;
    let thumbs: HashMap<String, String> = photos
        .into_iter()
        .map(|p| (p.complaint_id.clone(), format!("/v1/photos/{}/thumbnail", p.id)))
        .collect();
    let mut items: Vec<NearbyItem> = rows
        .into_iter()
        .filter_map(|r| {
            let here = LatLon::parse(r.lat, r.lon, state.areas.region()).ok()?;
            let distance_m = center.distance_m(here);
            (distance_m <= f64::from(radius_m)).then(|| NearbyItem {
                thumbnail_url: thumbs.get(&r.id).cloned(),
                status: status_view(&r.status),
                created_at: utc(r.created_at),
                distance_m: (distance_m * 10.0).round() / 10.0,
                id: r.id,
                category: r.category_code,
                description: r.description,
                follower_count: r.follower_count,
                me_too_count: r.me_too_count,
            })
        })
        .collect();
    items.sort_by(|a, b| {
        a.distance_m.total_cmp(&b.distance_m).then_with(|| b.created_at.cmp(&a.created_at))
    });
    Ok(HttpResponse::Ok().json(NearbyList { radius_m, items }))
}

/// `POST /v1/complaints/{id}/followers` and `…/me-too`: counted once per person.
pub async fn follow(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    count_in(state, caller, id.into_inner(), false).await
}

pub async fn me_too(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    count_in(state, caller, id.into_inner(), true).await
}

#[derive(Debug, Serialize)]
struct Counts {
    follower_count: i32,
    me_too_count: i32,
}

async fn count_in(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: String,
    me_too: bool,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.user.id.clone();
    let (newly, row) = state
        .db(move |conn| {
            if complaints::detail(conn, &id)?.is_none() {
                return Ok((false, None));
            }
            let newly = complaints::follow(conn, &user_id, &id, me_too, smartcity_db::now())?;
            Ok((newly, complaints::detail(conn, &id)?))
        })
        .await?;
    let row = row.ok_or_else(ApiError::not_found)?;
    let counts = Counts {
        follower_count: row.complaint.follower_count,
        me_too_count: row.complaint.me_too_count,
    };
    let mut response = if newly { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response.json(counts))
}

#[derive(Debug, Deserialize)]
pub struct PhotoPath {
    id: String,
    variant: String,
}

/// `GET /v1/photos/{id}/{display|thumbnail}`: the stored JPEG, metadata-free.
pub async fn photo(
    state: web::Data<AppState>,
    path: web::Path<PhotoPath>,
) -> Result<HttpResponse, ApiError> {
    let PhotoPath { id, variant } = path.into_inner();
    let row = state
        .db(move |conn| complaints::photo(conn, &id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let key = match variant.as_str() {
        "display" => row.display_key,
        "thumbnail" => row.thumbnail_key,
        _ => return Err(ApiError::not_found()),
    };
    let bytes = state.photos.get(&key).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(bytes))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapQuery {
    min_lat: Option<f64>,
    max_lat: Option<f64>,
    min_lon: Option<f64>,
    max_lon: Option<f64>,
    lat: Option<f64>,
    lon: Option<f64>,
    radius_m: Option<u32>,
    category: Option<String>,
    status: Option<String>,
    since: Option<DateTime<chrono::FixedOffset>>,
    cursor: Option<String>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
struct MapItem {
    id: String,
    category: String,
    status: StatusView,
    lat: f64,
    lon: f64,
    created_at: String,
    follower_count: i32,
    me_too_count: i32,
    overdue: bool,
}

#[derive(Debug, Serialize)]
struct MapPage {
    items: Vec<MapItem>,
    /// Pass as `cursor` for the next page; absent on the last.
    next_cursor: Option<String>,
}

const MAX_RADIUS_M: u32 = 50_000;

/// `GET /v1/complaints`: the public map. A bounding box (`min_lat`…`max_lon`) or a centre and
/// radius (`lat`, `lon`, `radius_m`); category, status, created since; newest first, cursor
/// paging.
pub async fn map(
    state: web::Data<AppState>,
    query: ApiQuery<MapQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let region = *state.areas.region();
    let (bbox, circle) = match (q.min_lat, q.max_lat, q.min_lon, q.max_lon, q.lat, q.lon) {
        (Some(min_lat), Some(max_lat), Some(min_lon), Some(max_lon), None, None) => {
            if !(min_lat <= max_lat && min_lon <= max_lon)
                || [min_lat, max_lat, min_lon, max_lon].iter().any(|v| !v.is_finite())
            {
                return Err(ApiError::invalid_query(
                    "min_lat",
                    "Khung toạ độ không hợp lệ",
                    "The bounding box is not valid",
                ));
            }
            (smartcity_domain::geo::BoundingBox { min_lat, max_lat, min_lon, max_lon }, None)
        }
        (None, None, None, None, Some(lat), Some(lon)) => {
            let center = LatLon::parse(lat, lon, &region).map_err(|e| {
                let mut error = ApiError::from(e);
                error.code = ErrorCode::InvalidQuery;
                error
            })?;
            let radius = q.radius_m.unwrap_or(1_000);
            if radius == 0 || radius > MAX_RADIUS_M {
                return Err(ApiError::invalid_query(
                    "radius_m",
                    "`radius_m` từ 1 đến 50000",
                    "`radius_m` is 1–50000",
                ));
            }
            (bounding_box(center, f64::from(radius)), Some((center, f64::from(radius))))
        }
        _ => return Err(ApiError::invalid_query(
            "min_lat",
            "Gửi một khung (min_lat, max_lat, min_lon, max_lon) hoặc một tâm (lat, lon, radius_m)",
            "Send a box (min_lat, max_lat, min_lon, max_lon) or a centre (lat, lon, radius_m)",
        )),
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid_query("limit", "`limit` từ 1 đến 200", "`limit` is 1–200"));
    }
    let status = match q.status {
        Some(raw) => Some(
            ComplaintStatus::parse("status", &raw)
                .map_err(|_| {
                    ApiError::invalid_query(
                        "status",
                        "`status` không hợp lệ",
                        "`status` is not a complaint status",
                    )
                })?
                .as_str(),
        ),
        None => None,
    };
    let before = q.cursor.as_deref().map(parse_cursor).transpose()?;
    let since = q.since.map(|s| s.naive_utc());
    let category = q.category;
    // One more than asked: whether there is a next page.
    let rows = state
        .db(move |conn| {
            let statuses: Vec<&str> = status.into_iter().collect();
            complaints::in_box(
                conn,
                &BoxQuery {
                    bbox,
                    category: category.as_deref(),
                    statuses: &statuses,
                    created_since: since,
                    before,
                    limit: limit + 1,
                },
            )
        })
        .await?;
    let has_more = rows.len() as i64 > limit;
    let page: Vec<ComplaintRow> = rows.into_iter().take(limit as usize).collect();
    // The cursor follows the last row scanned, also when the circle leaves it out.
    let next_cursor =
        page.last().filter(|_| has_more).map(|last| cursor_after(last.created_at, &last.id));
    let items: Vec<MapItem> = page
        .into_iter()
        .filter(|r| match circle {
            Some((center, radius)) => LatLon::parse(r.lat, r.lon, &region)
                .map(|p| center.distance_m(p) <= radius)
                .unwrap_or(false),
            None => true,
        })
        .map(|r| MapItem {
            overdue: overdue(&r),
            status: status_view(&r.status),
            created_at: utc(r.created_at),
            id: r.id,
            category: r.category_code,
            lat: r.lat,
            lon: r.lon,
            follower_count: r.follower_count,
            me_too_count: r.me_too_count,
        })
        .collect();
    Ok(HttpResponse::Ok().json(MapPage { items, next_cursor }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyQuery {
    status: Option<String>,
    category: Option<String>,
    overdue: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Debug, Serialize)]
struct AgencyItem {
    id: String,
    category: String,
    status: StatusView,
    description: String,
    lat: f64,
    lon: f64,
    address: Option<String>,
    due_at: String,
    overdue: bool,
    created_at: String,
}

#[derive(Debug, Serialize)]
struct AgencyPage {
    items: Vec<AgencyItem>,
    page: u32,
    per_page: u32,
    total: i64,
}

/// `GET /v1/agency/complaints`: the caller's agency's complaints, soonest due first; filter by
/// status, category, or `overdue=true` (open and past the category's SLA).
pub async fn for_agency(
    state: web::Data<AppState>,
    caller: crate::auth::AgencyCaller,
    query: ApiQuery<AgencyQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let (page, per_page, offset) =
        super::Paging { page: q.page, per_page: q.per_page }.resolve()?;
    if let Some(status) = &q.status {
        ComplaintStatus::parse("status", status).map_err(|_| {
            ApiError::invalid_query(
                "status",
                "`status` không hợp lệ",
                "`status` is not a complaint status",
            )
        })?;
    }
    let filter = complaints::AgencyFilter {
        status: q.status,
        category: q.category,
        overdue_at: q.overdue.filter(|o| *o).map(|_| smartcity_db::now()),
    };
    let agency_id = caller.agency_id;
    let (rows, total) = state
        .db(move |conn| {
            complaints::for_agency(conn, &agency_id, &filter, offset, i64::from(per_page))
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|r| AgencyItem {
            overdue: overdue(&r),
            status: status_view(&r.status),
            due_at: utc(r.due_at),
            created_at: utc(r.created_at),
            id: r.id,
            category: r.category_code,
            description: r.description,
            lat: r.lat,
            lon: r.lon,
            address: r.address,
        })
        .collect();
    Ok(HttpResponse::Ok().json(AgencyPage { items, page, per_page, total }))
}
