//! Warnings to the people of an area: staff of an agency or administrators issue, change and
//! call them off; residents follow areas and read what is in force where they are. Every change
//! reaches each subscriber's inbox and phones once, in the change's own transaction.

use crate::app::auth::Caller;
use crate::app::error::{ApiError, ErrorCode};
use crate::app::geography::area_code;
use crate::app::sms;
use crate::app::state::AppState;
use chrono::{DateTime, FixedOffset, NaiveDateTime};
use smartcity_db::sms::Texting;
use smartcity_db::warnings::{
    self, FanOut, Followed, Issuer, StoredWarning, UserAreaRow, WarningContent, WarningSms,
};
use smartcity_domain::account::Role;
use smartcity_domain::geo::{parse_geometry, LatLon, Region, Shape};
use smartcity_domain::validation::{Invalid, Reason};
use smartcity_domain::warning::{
    change_label, notice, AreaLabel, Severity, Validity, WarningChange, WarningKind, WarningText,
};
use smartcity_domain::Word;

/// A warning as its author sends it.
pub struct WarningDraft {
    pub kind: String,
    pub severity: String,
    pub title_vi: String,
    pub body_vi: String,
    pub title_en: Option<String>,
    pub body_en: Option<String>,
    /// Ward and commune codes.
    pub areas: Vec<String>,
    /// A GeoJSON Polygon or MultiPolygon, for a place smaller than a ward.
    pub polygon: Option<serde_json::Value>,
    /// Now when absent.
    pub valid_from: Option<DateTime<FixedOffset>>,
    pub valid_until: DateTime<FixedOffset>,
}

/// Who may write warnings: an agency's staff (for their agency) and administrators.
fn issuer(caller: &Caller) -> Result<Issuer, ApiError> {
    let agency_id = match caller.role {
        Role::Admin => None,
        Role::Staff => Some(caller.staff_agency()?),
        Role::Citizen => return Err(ApiError::forbidden()),
    };
    Ok(Issuer { agency_id, user_id: Some(caller.user.id.clone()), station_code: None })
}

/// A staff member changes their agency's warnings; an administrator any.
fn may_change(caller: &Caller, warning: &StoredWarning) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin => Ok(()),
        Role::Staff if warning.row.agency_id == caller.user.agency_id => Ok(()),
        Role::Staff | Role::Citizen => Err(ApiError::forbidden()),
    }
}

/// The draft checked against the rules and the city's areas.
async fn content(
    state: &AppState,
    draft: WarningDraft,
    now: NaiveDateTime,
) -> Result<WarningContent, ApiError> {
    let kind = WarningKind::parse_word("kind", &draft.kind)?;
    let severity = Severity::parse_word("severity", &draft.severity)?;
    let text = WarningText::parse(
        &draft.title_vi,
        &draft.body_vi,
        draft.title_en.as_deref(),
        draft.body_en.as_deref(),
    )?;
    let valid_from = draft.valid_from.map_or(now, |at| at.naive_utc());
    let validity = Validity::parse(valid_from, draft.valid_until.naive_utc(), now)?;
    let index = state.areas.index(&state.database).await?;
    let mut areas = Vec::with_capacity(draft.areas.len());
    for (i, code) in draft.areas.iter().enumerate() {
        if !index.areas().iter().any(|area| area_code(&area.id) == *code) {
            return Err(unknown_area(format!("areas[{i}]")));
        }
        if !areas.contains(code) {
            areas.push(code.clone());
        }
    }
    let polygon = match draft.polygon {
        None => None,
        Some(raw) => {
            let shape = polygon(raw, state)?;
            for id in index.overlapping(&shape) {
                let code = area_code(id);
                if !areas.contains(&code) {
                    areas.push(code);
                }
            }
            let b = shape.bbox;
            Some((
                shape.to_geometry_json().to_string(),
                (b.min_lat, b.max_lat, b.min_lon, b.max_lon),
            ))
        }
    };
    if areas.is_empty() {
        // No areas named and a polygon over no ward: nobody would hear of it.
        return Err(ApiError::invalid_field(
            "areas",
            "Cần ít nhất một phường, xã, hoặc một vùng nằm trong thành phố",
            "Name at least one ward or commune, or a polygon inside the city",
        ));
    }
    Ok(WarningContent {
        kind,
        severity,
        title_vi: text.title_vi,
        body_vi: text.body_vi,
        title_en: text.title_en,
        body_en: text.body_en,
        polygon,
        valid_from: validity.from,
        valid_until: validity.until,
        areas,
    })
}

fn polygon(raw: serde_json::Value, state: &AppState) -> Result<Shape, ApiError> {
    parse_geometry(raw, state.areas.region()).map_err(|problem| {
        ApiError::invalid_field(
            "polygon",
            format!("Vùng cảnh báo: {}", problem.vietnamese()),
            format!("The warning's polygon: {problem}"),
        )
    })
}

/// The refusal of an area code the city does not have.
fn unknown_area(field: impl Into<String>) -> ApiError {
    Invalid::new(
        field,
        Reason::Format {
            expected_vi: "mã một phường, xã của thành phố (GET /v1/areas)",
            expected_en: "the code of one of the city's wards or communes (GET /v1/areas)",
        },
    )
    .into()
}

fn text_of(content: &WarningContent) -> WarningText {
    WarningText {
        title_vi: content.title_vi.clone(),
        body_vi: content.body_vi.clone(),
        title_en: content.title_en.clone(),
        body_en: content.body_en.clone(),
    }
}

fn text_of_row(warning: &StoredWarning) -> WarningText {
    WarningText {
        title_vi: warning.row.title_vi.clone(),
        body_vi: warning.row.body_vi.clone(),
        title_en: warning.row.title_en.clone(),
        body_en: warning.row.body_en.clone(),
    }
}

/// Issues a warning; returns it and how far it reached.
pub async fn issue(
    state: &AppState,
    caller: &Caller,
    draft: WarningDraft,
) -> Result<(StoredWarning, FanOut), ApiError> {
    let issuer = issuer(caller)?;
    let now = smartcity_db::now();
    let content = content(state, draft, now).await?;
    publish(state, content, issuer, now).await
}

async fn publish(
    state: &AppState,
    content: WarningContent,
    issuer: Issuer,
    now: NaiveDateTime,
) -> Result<(StoredWarning, FanOut), ApiError> {
    let id = uuid::Uuid::new_v4().to_string();
    let (kind, severity) = (content.kind, content.severity);
    let told = notice(&id, WarningChange::Issued, kind, severity, &text_of(&content));
    let texts = Texts::of(state, WarningChange::Issued, severity, &content.title_vi);
    let reach = {
        let id = id.clone();
        state
            .db(move |conn| {
                warnings::issue(conn, &id, &content, &issuer, &told, texts.sms().as_ref(), now)
            })
            .await?
    };
    queued(state, reach);
    Ok((stored(state, id).await?, reach))
}

/// What a change's SMS needs, owned so the database work can take it along.
struct Texts(Option<(Texting, &'static str, String)>);

impl Texts {
    /// Severe and extreme warnings are texted to subscribers without the app.
    fn of(state: &AppState, change: WarningChange, severity: Severity, title: &str) -> Texts {
        Texts(severity.texted().then(|| {
            (sms::warning_texting(state), change_label(change, severity).0, title.to_string())
        }))
    }

    fn sms(&self) -> Option<WarningSms<'_>> {
        self.0.as_ref().map(|(texting, label, title)| WarningSms { texting, label, title })
    }
}

/// Wakes the workers for what a change queued.
fn queued(state: &AppState, reach: FanOut) {
    state.pushes_queued();
    if reach.texts > 0 {
        state.sms_queued();
    }
}

/// Replaces a warning's content and tells its subscribers.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: String,
    draft: WarningDraft,
) -> Result<(StoredWarning, FanOut), ApiError> {
    let current = stored(state, id.clone()).await?;
    may_change(caller, &current)?;
    let now = smartcity_db::now();
    let content = content(state, draft, now).await?;
    let (kind, severity) = (content.kind, content.severity);
    let told = notice(&id, WarningChange::Updated, kind, severity, &text_of(&content));
    let texts = Texts::of(state, WarningChange::Updated, severity, &content.title_vi);
    let reach = {
        let id = id.clone();
        state
            .db(move |conn| warnings::update(conn, &id, &content, &told, texts.sms().as_ref(), now))
            .await?
    };
    let reach = reach.ok_or_else(|| ApiError::new(ErrorCode::WarningCancelled))?;
    queued(state, reach);
    Ok((stored(state, id).await?, reach))
}

/// Calls a warning off and tells its subscribers.
pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    id: String,
) -> Result<(StoredWarning, FanOut), ApiError> {
    let current = stored(state, id.clone()).await?;
    may_change(caller, &current)?;
    let (kind, severity) = (current.row.kind, current.row.severity);
    let told = notice(&id, WarningChange::Cancelled, kind, severity, &text_of_row(&current));
    let texts = Texts::of(state, WarningChange::Cancelled, severity, &current.row.title_vi);
    let now = smartcity_db::now();
    let reach = {
        let id = id.clone();
        state.db(move |conn| warnings::cancel(conn, &id, &told, texts.sms().as_ref(), now)).await?
    };
    let reach = reach.ok_or_else(|| ApiError::new(ErrorCode::WarningCancelled))?;
    queued(state, reach);
    Ok((stored(state, id).await?, reach))
}

/// Any warning, ended and cancelled ones too (a link in an old notification still opens).
pub async fn stored(state: &AppState, id: String) -> Result<StoredWarning, ApiError> {
    state.db(move |conn| warnings::find(conn, &id)).await?.ok_or_else(ApiError::not_found)
}

/// Where a resident asks about.
pub enum Place {
    Point(LatLon),
    Area(String),
}

/// The warnings not yet ended at a point (those of its ward, and those whose polygon holds it)
/// or in an area.
pub async fn current(state: &AppState, place: Place) -> Result<Vec<StoredWarning>, ApiError> {
    let now = smartcity_db::now();
    match place {
        Place::Area(code) => {
            let index = state.areas.index(&state.database).await?;
            if !index.areas().iter().any(|area| area_code(&area.id) == code) {
                return Err(unknown_area("area"));
            }
            state.db(move |conn| warnings::current(conn, &[code], None, now)).await
        }
        Place::Point(point) => {
            let area = state.areas.index(&state.database).await?.locate(point).map(area_code);
            let found = state
                .db(move |conn| {
                    let areas: Vec<String> = area.into_iter().collect();
                    warnings::current(conn, &areas, Some((point.lat(), point.lon())), now)
                })
                .await?;
            // A polygon's warning is found by its box and listed for its wards; at a point it
            // counts only where the polygon itself is.
            let region = state.areas.region();
            Ok(found.into_iter().filter(|warning| holds(warning, point, region)).collect())
        }
    }
}

fn holds(warning: &StoredWarning, point: LatLon, region: &Region) -> bool {
    let Some(geometry) = &warning.row.polygon else {
        return true;
    };
    serde_json::from_str(geometry)
        .ok()
        .and_then(|geometry| parse_geometry(geometry, region).ok())
        .is_some_and(|shape| shape.contains(point))
}

/// The areas a person follows.
pub async fn my_areas(state: &AppState, caller: &Caller) -> Result<Vec<UserAreaRow>, ApiError> {
    let user_id = caller.user.id.clone();
    state.db(move |conn| warnings::user_areas(conn, &user_id)).await
}

/// Follows an area, named by its code or by a point inside it; true when it is new.
pub async fn follow_area(
    state: &AppState,
    caller: &Caller,
    label: &str,
    place: Place,
) -> Result<(bool, UserAreaRow), ApiError> {
    let label = AreaLabel::parse_word("label", label)?;
    let index = state.areas.index(&state.database).await?;
    let code = match place {
        Place::Area(code) if index.areas().iter().any(|a| area_code(&a.id) == code) => code,
        Place::Area(_) => return Err(unknown_area("area")),
        Place::Point(point) => index
            .locate(point)
            .map(area_code)
            .ok_or_else(|| ApiError::new(ErrorCode::OutsideServedArea).with_field("lat"))?,
    };
    let user_id = caller.user.id.clone();
    let now = smartcity_db::now();
    match state.db(move |conn| warnings::follow_area(conn, &user_id, label, &code, now)).await? {
        Followed::Added(row) => Ok((true, row)),
        Followed::Already(row) => Ok((false, row)),
        Followed::TooMany => Err(ApiError::new(ErrorCode::TooManyAreas).with_field("area")),
    }
}

pub async fn unfollow_area(state: &AppState, caller: &Caller, id: String) -> Result<(), ApiError> {
    let user_id = caller.user.id.clone();
    let removed = state.db(move |conn| warnings::unfollow_area(conn, &user_id, &id)).await?;
    removed.then_some(()).ok_or_else(ApiError::not_found)
}
