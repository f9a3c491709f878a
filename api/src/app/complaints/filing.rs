//! Filing a complaint, from the app (a resident, with photos) or from an Open311 client app:
//! one workflow, so both keep the same text limits, routing, deadline and notices.

use super::photos;
use super::reading::{load, Audience, Visible};
use crate::adapters::photos::ProcessedPhoto;
use crate::app::error::{ApiError, ErrorCode};
use crate::app::geography::{agency_for, area_at, area_code};
use crate::app::idempotency::{self, Idempotency};
use crate::app::state::AppState;
use chrono::Utc;
use smartcity_db::complaints::{self, FileOutcome, NewComplaint, Open311Origin};
use smartcity_db::open311;
use smartcity_domain::complaint::{complaint_notice, due_at, Category, NoticeKind};
use smartcity_domain::dossier::Notice;
use smartcity_domain::geo::LatLon;
use smartcity_domain::validation::clean_text;
use smartcity_domain::Invalid;
use std::collections::HashMap;

/// What the filer's format calls the fields a refusal may name.
pub struct FieldNames {
    pub address: &'static str,
    pub lat: &'static str,
    pub lon: &'static str,
}

impl FieldNames {
    /// `POST /v1/complaints`.
    pub const APP: FieldNames = FieldNames { address: "address", lat: "lat", lon: "lon" };
    /// GeoReport v2's names.
    pub const OPEN311: FieldNames =
        FieldNames { address: "address_string", lat: "lat", lon: "long" };
}

/// Who files, and what comes with that.
pub enum Filer {
    /// A signed-in resident.
    Resident { user_id: String },
    /// An Open311 client app; its `media_url` is kept as given, never fetched.
    Open311 { client_id: String, media_url: Option<String> },
}

impl Filer {
    /// Whose idempotency keys the filer's are.
    fn scope(&self) -> String {
        match self {
            Filer::Resident { user_id } => format!("complaint-filing:{user_id}"),
            Filer::Open311 { client_id, .. } => format!("open311-filing:{client_id}"),
        }
    }

    /// What the filer reads back of what they filed.
    fn audience(&self) -> Audience {
        match self {
            Filer::Resident { .. } => Audience::Reporter,
            Filer::Open311 { .. } => Audience::Public,
        }
    }
}

/// Where the filer says the problem is.
pub enum Whereabouts {
    /// The pin the resident chose, else the first photo's GPS.
    PinOrPhoto { lat: Option<f64>, lon: Option<f64> },
    /// An Open311 client's `lat`/`long`, else a point inside the ward or commune its address
    /// names.
    PinOrWard { lat: Option<f64>, lon: Option<f64> },
}

pub struct Filing {
    pub category: Category,
    pub description: String,
    pub address: Option<String>,
    pub anonymous: bool,
    /// `attribute[CODE]` answers to the category's questions, each with its values.
    pub answers: HashMap<String, Vec<String>>,
    pub photos: Vec<Vec<u8>>,
    pub whereabouts: Whereabouts,
    pub filer: Filer,
    /// With a key, a retry of the same filing returns the first complaint instead of filing a
    /// second.
    pub idempotency: Option<Idempotency>,
    pub names: &'static FieldNames,
}

pub struct Filed {
    /// As the filer may read it back.
    pub complaint: Visible,
    /// The first filing under the same idempotency key, answered again.
    pub replayed: bool,
    /// For an Open311 filing: the token `tokens/{token}` answers.
    pub token: Option<String>,
}

/// Files a complaint: checks it, routes it to its area and agency, stores its photos and
/// writes it with its first timeline entry and the agency staff's notice, all or nothing.
pub async fn file(state: &AppState, filing: Filing) -> Result<Filed, ApiError> {
    let names = filing.names;
    let key = filing.idempotency.as_ref().map(|i| i.scoped(filing.filer.scope()));
    if let Some(key) = &key {
        if let Some(first) = idempotency::replay_of(state, key).await? {
            return replay(state, first, &filing.filer).await;
        }
    }
    let description = clean_text("description", &filing.description, 1, 4000, true)?;
    let address = filing
        .address
        .as_deref()
        .map(|a| clean_text(names.address, a, 1, 300, false))
        .transpose()?;
    let answers = filing.category.check_answers(&filing.answers)?;

    let processed = photos::process(state, filing.photos).await?;
    let (position, area) =
        place(state, &filing.whereabouts, address.as_deref(), &processed, names).await?;
    let agency_id = agency_for(&state.database, &filing.category.code, area.as_deref()).await?;
    let stored = photos::store(&state.photos, &processed).await?;

    let id = uuid::Uuid::new_v4().to_string();
    let token =
        matches!(filing.filer, Filer::Open311 { .. }).then(|| uuid::Uuid::new_v4().to_string());
    let audience = filing.filer.audience();
    let (reporter_id, open311) = match &filing.filer {
        Filer::Resident { user_id } => (Some(user_id.clone()), None),
        Filer::Open311 { client_id, media_url } => {
            let (client_id, media_url) = (client_id.clone(), media_url.clone());
            let token = token.clone().unwrap_or_default();
            (None, Some(Open311Origin { client_id, token, media_url }))
        }
    };
    let complaint = NewComplaint {
        id: id.clone(),
        category_code: filing.category.code.clone(),
        description,
        lat: position.lat(),
        lon: position.lon(),
        address,
        area_code: area,
        agency_id,
        reporter_id,
        anonymous: filing.anonymous,
        answers: serde_json::to_string(&answers).map_err(ApiError::internal)?,
        due_at: due_at(Utc::now(), filing.category.sla_hours).naive_utc(),
        idempotency: key.clone(),
        open311,
        created_at: smartcity_db::now(),
    };
    let staff_notice = assigned_notice(&complaint, &filing.category);
    let rows = stored.rows;
    let outcome =
        state.db(move |conn| complaints::file(conn, &complaint, &rows, &staff_notice)).await;
    match outcome {
        Ok(FileOutcome::Created) => {
            state.pushes_queued();
            let complaint = Visible::new(load(state, &id).await?, audience);
            Ok(Filed { complaint, replayed: false, token })
        }
        Ok(FileOutcome::Replayed(first)) => {
            // Another sending of this filing committed first.
            photos::remove(&state.photos, &stored.keys).await;
            let key = key.as_ref().expect("only a filing with a key is replayed");
            let first = idempotency::same_request(&first, key)?;
            replay(state, first, &filing.filer).await
        }
        Err(err) => {
            // Nothing half-written: the photos go with the failed row.
            photos::remove(&state.photos, &stored.keys).await;
            Err(err)
        }
    }
}

/// What the staff of the agency a complaint is filed with are told. The demo city's seed files
/// with it too.
pub(crate) fn assigned_notice(complaint: &NewComplaint, category: &Category) -> Notice {
    complaint_notice(NoticeKind::Assigned, &complaint.id, category, Some(&complaint.description))
}

/// The complaint the first sending of this filing created, answered again.
async fn replay(state: &AppState, id: String, filer: &Filer) -> Result<Filed, ApiError> {
    let token = match filer {
        Filer::Resident { .. } => None,
        Filer::Open311 { .. } => {
            let first = id.clone();
            state.db(move |conn| open311::token_of_request(conn, &first)).await?
        }
    };
    let complaint = Visible::new(load(state, &id).await?, filer.audience());
    Ok(Filed { complaint, replayed: true, token })
}

/// Where the complaint is, and the code of the area holding it.
async fn place(
    state: &AppState,
    whereabouts: &Whereabouts,
    address: Option<&str>,
    photos: &[ProcessedPhoto],
    names: &FieldNames,
) -> Result<(LatLon, Option<String>), ApiError> {
    let region = state.areas.region();
    let in_our_words = |invalid: Invalid| {
        let field =
            if invalid.field == "lon" { names.lon.to_string() } else { invalid.field.clone() };
        ApiError::from(invalid).with_field(field)
    };
    let (lat, lon) = match whereabouts {
        Whereabouts::PinOrPhoto { lat, lon } | Whereabouts::PinOrWard { lat, lon } => (lat, lon),
    };
    let missing = |field: &str| {
        ApiError::invalid_field(field, format!("Thiếu `{field}`"), format!("`{field}` is missing"))
    };
    let position = match (lat, lon) {
        (Some(lat), Some(lon)) => LatLon::parse(*lat, *lon, region).map_err(in_our_words)?,
        (Some(_), None) => return Err(missing(names.lon)),
        (None, Some(_)) => return Err(missing(names.lat)),
        (None, None) => match whereabouts {
            Whereabouts::PinOrPhoto { .. } => {
                let (lat, lon) = photos.iter().find_map(|p| p.gps).ok_or_else(|| {
                    ApiError::invalid_field(
                        names.lat,
                        "Cần vị trí: gửi `lat`/`lon` hoặc một ảnh có toạ độ GPS",
                        "A location is needed: send `lat`/`lon` or a photo with GPS coordinates",
                    )
                })?;
                LatLon::parse(lat, lon, region).map_err(in_our_words)?
            }
            Whereabouts::PinOrWard { .. } => return ward_named(state, address, names).await,
        },
    };
    Ok((position, area_at(&state.areas, &state.database, position).await?))
}

/// A point inside the one ward or commune the address names.
async fn ward_named(
    state: &AppState,
    address: Option<&str>,
    names: &FieldNames,
) -> Result<(LatLon, Option<String>), ApiError> {
    let Some(address) = address else {
        return Err(ApiError::invalid_field(
            names.lat,
            "Cần vị trí: gửi `lat` và `long`, hoặc `address_string` có tên phường/xã",
            "A location is needed: send `lat` and `long`, or an `address_string` naming the \
             ward or commune",
        ));
    };
    let index = state.areas.index(&state.database).await?;
    let area = index.named_in(address).ok_or_else(|| {
        ApiError::new(ErrorCode::InvalidField).with_field(names.address).with_detail(
            "Địa chỉ không nêu rõ một phường/xã được phục vụ; gửi `lat` và `long`",
            "The address names no single ward or commune served here; send `lat` and `long`",
        )
    })?;
    Ok((area.interior_point, Some(area_code(&area.id))))
}
