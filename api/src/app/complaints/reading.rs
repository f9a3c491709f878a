//! Reading complaints: one with what its reader may see, the public map, the nearby check
//! before filing, the reporter's own, an agency's list, and the stored photos.

use crate::app::auth::Caller;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use chrono::{NaiveDateTime, Utc};
use smartcity_db::complaints::{
    self, AgencyFilter, BoxQuery, ComplaintDetail, ComplaintRow, EventRow, InboxCounts, PhotoRow,
};
use smartcity_db::places;
use smartcity_domain::account::Role;
use smartcity_domain::complaint::{
    is_overdue, Actor, ComplaintStatus, EventKind, DEFAULT_NEARBY_RADIUS_M,
};
use smartcity_domain::geo::{bounding_box, BoundingBox, LatLon};
use smartcity_domain::phone::mask_phone_numbers;
use smartcity_domain::photo::PhotoKind;
use std::collections::HashMap;

/// Who reads a complaint, which decides what of it they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Everyone: no internal notes, no name on an anonymous report.
    Public,
    /// The resident who filed it: also whether they filed it anonymously.
    Reporter,
    /// Staff of the agency handling it, and administrators: internal notes too.
    Staff,
}

impl Audience {
    /// What the one who recorded an event may read back.
    pub fn of(actor: Actor) -> Audience {
        match actor {
            Actor::Reporter => Audience::Reporter,
            Actor::AssignedStaff | Actor::Admin | Actor::System => Audience::Staff,
            Actor::OtherStaff | Actor::Citizen => Audience::Public,
        }
    }
}

/// A complaint cut to what its audience may see: only values of this type reach a reader.
pub struct Visible {
    detail: ComplaintDetail,
    audience: Audience,
}

/// The public copy of a complaint: phone numbers typed into its description and its written
/// answers are masked. Its reporter and the staff handling it read it as written.
pub fn public_copy(mut row: ComplaintRow) -> ComplaintRow {
    row.description = mask_phone_numbers(&row.description).into_owned();
    if let Ok(mut answers) = serde_json::from_str::<serde_json::Value>(&row.answers) {
        mask_strings(&mut answers);
        row.answers = answers.to_string();
    }
    row
}

fn mask_strings(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(text) => *text = mask_phone_numbers(text).into_owned(),
        Value::Array(items) => items.iter_mut().for_each(mask_strings),
        Value::Object(fields) => fields.values_mut().for_each(mask_strings),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// The public copy of a timeline entry's words.
pub fn public_words(words: Option<String>) -> Option<String> {
    words.map(|w| mask_phone_numbers(&w).into_owned())
}

impl Visible {
    pub fn new(mut detail: ComplaintDetail, audience: Audience) -> Visible {
        if audience != Audience::Staff {
            detail.events.retain(|event| event.is_public);
        }
        if audience == Audience::Public {
            detail.complaint = public_copy(detail.complaint);
            for event in &mut detail.events {
                event.body = public_words(event.body.take());
            }
        }
        if detail.complaint.anonymous && audience != Audience::Reporter {
            detail.reporter_name = None;
        }
        // Staff may call the reporter back, unless they asked not to be known.
        if detail.complaint.anonymous || audience != Audience::Staff {
            detail.reporter_phone = None;
        }
        Visible { detail, audience }
    }

    pub fn complaint(&self) -> &ComplaintRow {
        &self.detail.complaint
    }

    /// The reporter's display name; `None` for an anonymous report, except to its reporter.
    pub fn reporter_name(&self) -> Option<&str> {
        self.detail.reporter_name.as_deref()
    }

    /// The reporter's phone: only staff see it, and not on an anonymous report.
    pub fn reporter_phone(&self) -> Option<&str> {
        self.detail.reporter_phone.as_deref()
    }

    /// Whether the report was filed anonymously: only its reporter is told.
    pub fn anonymous(&self) -> Option<bool> {
        (self.audience == Audience::Reporter).then_some(self.detail.complaint.anonymous)
    }

    pub fn photos(&self) -> &[PhotoRow] {
        &self.detail.photos
    }

    /// The timeline entries this audience may see, oldest first.
    pub fn events(&self) -> &[EventRow] {
        &self.detail.events
    }

    /// The photos of the fix a `resolved` event brought (they carry the event's time).
    pub fn after_photos<'a>(
        &'a self,
        event: &'a EventRow,
    ) -> impl Iterator<Item = &'a PhotoRow> + 'a {
        let resolution = event.event_type == EventKind::Resolved;
        self.detail.photos.iter().filter(move |p| {
            resolution && p.kind == PhotoKind::After && p.created_at == event.created_at
        })
    }
}

/// Whether a complaint is open and past its category's SLA now.
pub fn overdue(row: &ComplaintRow) -> bool {
    is_overdue(row.status, row.due_at.and_utc(), Utc::now())
}

pub(super) async fn load(state: &AppState, id: &str) -> Result<ComplaintDetail, ApiError> {
    let id = id.to_string();
    state.db(move |conn| complaints::detail(conn, &id)).await?.ok_or_else(ApiError::not_found)
}

/// A complaint as the public sees it; the reporter's own fields are in [`mine`].
pub async fn public(state: &AppState, id: &str) -> Result<Visible, ApiError> {
    Ok(Visible::new(load(state, id).await?, Audience::Public))
}

/// A complaint as the staff of its agency, or an administrator, read it: internal notes and the
/// reporter's phone too. To anyone else, staff of another agency included, it does not exist.
pub async fn for_staff(state: &AppState, caller: &Caller, id: &str) -> Result<Visible, ApiError> {
    let detail = load(state, id).await?;
    let handles = match caller.role {
        Role::Admin => true,
        Role::Staff => {
            caller.user.agency_id.as_deref() == Some(detail.complaint.agency_id.as_str())
        }
        Role::Citizen => false,
    };
    if !handles {
        return Err(ApiError::not_found());
    }
    Ok(Visible::new(detail, Audience::Staff))
}

/// The caller's own complaints, newest first, older than `before` (`(created_at, id)` of
/// the last one seen): at most `limit`, and whether more follow.
pub async fn mine(
    state: &AppState,
    caller: &Caller,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<(Vec<Visible>, bool), ApiError> {
    let user_id = caller.user.id.clone();
    let mut details = state
        .db(move |conn| complaints::page_by_reporter(conn, &user_id, before, limit + 1))
        .await?;
    let more = details.len() as i64 > limit;
    details.truncate(usize::try_from(limit).unwrap_or(0));
    let items = details.into_iter().map(|d| Visible::new(d, Audience::Reporter)).collect();
    Ok((items, more))
}

/// An open complaint near a point, with its distance and first photo.
pub struct Nearby {
    pub row: ComplaintRow,
    pub distance_m: f64,
    pub thumbnail_photo_id: Option<String>,
}

/// Open complaints within the category's radius (250 m unless the category says otherwise),
/// nearest first, then newest, so the app can offer "already reported: follow it" instead of a
/// duplicate. Returns the radius used.
pub async fn nearby(
    state: &AppState,
    center: LatLon,
    category: Option<String>,
) -> Result<(u32, Vec<Nearby>), ApiError> {
    let radius_m = match &category {
        Some(code) => {
            let code = code.clone();
            state
                .db(move |conn| places::find_category(conn, &code))
                .await?
                .ok_or_else(|| {
                    ApiError::invalid_query(
                        "category",
                        "Không có loại phản ánh này",
                        "No such category",
                    )
                })?
                .nearby_radius_m
        }
        None => DEFAULT_NEARBY_RADIUS_M,
    };
    let bbox = bounding_box(center, f64::from(radius_m));
    let (rows, photos) = state
        .db(move |conn| {
            let rows = complaints::in_box(
                conn,
                &BoxQuery {
                    bbox,
                    category: category.as_deref(),
                    statuses: &ComplaintStatus::OPEN,
                    created_since: None,
                    before: None,
                    limit: 500,
                },
            )?;
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            Ok((rows, complaints::first_photos(conn, &ids)?))
        })
        .await?;
    let mut thumbnails: HashMap<String, String> =
        photos.into_iter().map(|p| (p.complaint_id, p.id)).collect();
    let region = state.areas.region();
    let mut items: Vec<Nearby> = rows
        .into_iter()
        .filter_map(|row| {
            let distance_m = center.distance_m(LatLon::parse(row.lat, row.lon, region).ok()?);
            let thumbnail_photo_id = thumbnails.remove(&row.id);
            (distance_m <= f64::from(radius_m)).then_some(Nearby {
                row: public_copy(row),
                distance_m: (distance_m * 10.0).round() / 10.0,
                thumbnail_photo_id,
            })
        })
        .collect();
    items.sort_by(|a, b| {
        a.distance_m
            .total_cmp(&b.distance_m)
            .then_with(|| (b.row.created_at, &b.row.id).cmp(&(a.row.created_at, &a.row.id)))
    });
    Ok((radius_m, items))
}

/// The part of the map asked for: a box, or a circle (the box around it, then exact distance).
pub enum MapArea {
    Box(BoundingBox),
    Circle { center: LatLon, radius_m: u32 },
}

/// Which complaints the public map shows.
pub struct MapFilter {
    pub area: MapArea,
    pub category: Option<String>,
    pub status: Option<ComplaintStatus>,
    pub created_since: Option<NaiveDateTime>,
    /// Keyset paging: only complaints older than this `(created_at, id)`.
    pub before: Option<(NaiveDateTime, String)>,
    pub limit: i64,
}

/// One page of the public map, newest first.
pub struct MapPage {
    pub rows: Vec<ComplaintRow>,
    /// Where the next page starts (the last row scanned, also when the circle left it out).
    pub next: Option<(NaiveDateTime, String)>,
}

pub async fn map(state: &AppState, filter: MapFilter) -> Result<MapPage, ApiError> {
    let bbox = match &filter.area {
        MapArea::Box(bbox) => *bbox,
        MapArea::Circle { center, radius_m } => bounding_box(*center, f64::from(*radius_m)),
    };
    let limit = filter.limit;
    let (category, status, since, before) =
        (filter.category.clone(), filter.status, filter.created_since, filter.before.clone());
    // One more than asked: whether there is a next page.
    let rows = state
        .db(move |conn| {
            complaints::in_box(
                conn,
                &BoxQuery {
                    bbox,
                    category: category.as_deref(),
                    statuses: status.as_slice(),
                    created_since: since,
                    before,
                    limit: limit + 1,
                },
            )
        })
        .await?;
    let more = rows.len() as i64 > limit;
    let page: Vec<ComplaintRow> = rows.into_iter().take(limit as usize).collect();
    let next = page.last().filter(|_| more).map(|last| (last.created_at, last.id.clone()));
    let region = state.areas.region();
    let rows = page
        .into_iter()
        .filter(|row| match &filter.area {
            MapArea::Circle { center, radius_m } => LatLon::parse(row.lat, row.lon, region)
                .is_ok_and(|p| center.distance_m(p) <= f64::from(*radius_m)),
            MapArea::Box(_) => true,
        })
        .map(public_copy)
        .collect();
    Ok(MapPage { rows, next })
}

/// Which of its complaints an agency lists.
#[derive(Debug, Default, Clone)]
pub struct AgencyListing {
    pub status: Option<ComplaintStatus>,
    /// Only the open ones, when no status is named.
    pub open_only: bool,
    pub category: Option<String>,
    pub area: Option<String>,
    /// Only those open and past the category's SLA.
    pub overdue: bool,
    /// Only those open and due within [`DUE_SOON`].
    pub due_soon: bool,
    /// Words of the description, or a complaint's id.
    pub text: Option<String>,
}

/// "Due soon" on the inbox: within a working day's reach.
pub const DUE_SOON: chrono::Duration = chrono::Duration::hours(24);

impl AgencyListing {
    fn filter(self, now: NaiveDateTime) -> AgencyFilter {
        AgencyFilter {
            status: self.status,
            open_only: self.open_only,
            category: self.category,
            area: self.area,
            overdue_at: self.overdue.then_some(now),
            due_between: self.due_soon.then_some((now, now + DUE_SOON)),
            text: self.text,
        }
    }
}

/// A staff member's agency's complaints, soonest due first, and how many match in all.
pub async fn for_agency(
    state: &AppState,
    agency_id: String,
    listing: AgencyListing,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ComplaintRow>, i64), ApiError> {
    let filter = listing.filter(smartcity_db::now());
    state.db(move |conn| complaints::for_agency(conn, &agency_id, &filter, offset, limit)).await
}

/// Whose complaints an inbox holds: a staff member's agency's, or for an administrator every
/// agency's (or one they chose).
fn inbox_scope(caller: &Caller, chosen: Option<String>) -> Result<Option<String>, ApiError> {
    match caller.role {
        Role::Admin => Ok(chosen),
        Role::Staff | Role::Citizen => caller.staff_agency().map(Some),
    }
}

/// One page of the console's inbox: the counts at its top, the complaints, and where the next
/// page starts.
pub struct InboxPage {
    pub counts: InboxCounts,
    pub rows: Vec<ComplaintRow>,
    /// `(due_at, id)` of the last row, when more follow.
    pub next: Option<(NaiveDateTime, String)>,
}

pub async fn inbox(
    state: &AppState,
    caller: &Caller,
    agency: Option<String>,
    listing: AgencyListing,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<InboxPage, ApiError> {
    let scope = inbox_scope(caller, agency)?;
    let now = smartcity_db::now();
    let filter = listing.filter(now);
    let (counts, mut rows) = state
        .db(move |conn| {
            let scope = scope.as_deref();
            let counts = complaints::inbox_counts(conn, scope, now, now + DUE_SOON)?;
            let rows = complaints::inbox_page(conn, scope, &filter, after, limit + 1)?;
            Ok((counts, rows))
        })
        .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = rows.last().filter(|_| more).map(|row| (row.due_at, row.id.clone()));
    Ok(InboxPage { counts, rows, next })
}

/// Which stored copy of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoVariant {
    Display,
    Thumbnail,
}

/// The stored JPEG (metadata-free) of a photo.
pub async fn photo(
    state: &AppState,
    id: String,
    variant: PhotoVariant,
) -> Result<bytes::Bytes, ApiError> {
    let row = state
        .db(move |conn| complaints::photo(conn, &id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let key = match variant {
        PhotoVariant::Display => row.display_key,
        PhotoVariant::Thumbnail => row.thumbnail_key,
    };
    Ok(state.photos.get(&key).await?)
}

/// Follows (or says "me too" to) a complaint, counted once per person: `true` when newly
/// done, with the counts after it.
pub async fn follow(
    state: &AppState,
    caller: &Caller,
    id: String,
    me_too: bool,
) -> Result<(bool, ComplaintRow), ApiError> {
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
    Ok((newly, row.complaint))
}
