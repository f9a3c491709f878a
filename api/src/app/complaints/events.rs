//! Recording a step on a complaint's timeline: staff of the assigned agency (and
//! administrators) move it along, its reporter rates or reopens it, the server's own job
//! closes it. The rules are the state machine in `domain::complaint`; this says who the actor
//! is, checks what the event points at, and stores what the machine decides.

use super::photos;
use super::reading::{load, Audience, Visible};
use crate::app::auth::Caller;
use crate::app::error::{ApiError, Bug, ErrorCode};
use crate::app::state::AppState;
use chrono::{DateTime, Utc};
use serde_json::json;
use smartcity_db::complaints::{self, ComplaintDetail, EventOutcome, NewEvent, NewPhoto};
use smartcity_db::{agencies, places};
use smartcity_domain::account::Role;
use smartcity_domain::complaint::{
    complaint_notice, decide, Actor, Category, ComplaintState, ComplaintStatus, EventRequest,
    NoticeKind, Transition, DEFAULT_REPORTER_WINDOW,
};
use smartcity_domain::dossier::Notice;
use smartcity_domain::phone::mask_phone_numbers;

/// Who records the event.
pub enum Recorder<'a> {
    Person(&'a Caller),
    /// The server's own jobs (the automatic close), deciding as of `now`.
    System {
        now: DateTime<Utc>,
    },
}

impl Recorder<'_> {
    fn actor(&self, complaint: &ComplaintDetail) -> Actor {
        let Recorder::Person(caller) = self else { return Actor::System };
        let row = &complaint.complaint;
        if row.reporter_id.as_deref() == Some(caller.user.id.as_str()) {
            return Actor::Reporter;
        }
        match caller.role {
            Role::Admin => Actor::Admin,
            Role::Staff if caller.user.agency_id.as_deref() == Some(&row.agency_id) => {
                Actor::AssignedStaff
            }
            Role::Staff => Actor::OtherStaff,
            Role::Citizen => Actor::Citizen,
        }
    }
}

/// What the recorder had seen of the complaint when they chose the step.
#[derive(Debug, Clone, Copy)]
pub enum Seen<'a> {
    /// Whatever it is now (an API call says what it wants regardless).
    Anything,
    /// A page that showed the timeline up to this entry: if another was added since, the step
    /// is refused, since the person chose it without knowing.
    UpTo(&'a str),
}

/// Texts of the event for the timeline and the notice: what the agency or reporter wrote, and
/// the event's other fields as a JSON object.
fn words(event: &EventRequest) -> (Option<String>, serde_json::Value) {
    match event {
        EventRequest::Acknowledged { comment } => (Some(comment.clone()), json!({})),
        EventRequest::InProgress { comment } => (comment.clone(), json!({})),
        EventRequest::Resolved { response, .. } => (Some(response.clone()), json!({})),
        EventRequest::Rejected { reason } | EventRequest::Reopened { reason } => {
            (Some(reason.clone()), json!({}))
        }
        EventRequest::Duplicate { duplicate_of } => (None, json!({ "duplicate_of": duplicate_of })),
        EventRequest::Reassigned { to_agency_id, reason } => {
            (Some(reason.clone()), json!({ "to_agency_id": to_agency_id }))
        }
        EventRequest::Note { text } => (Some(text.clone()), json!({})),
        EventRequest::Rated { stars, comment } => (comment.clone(), json!({ "stars": stars })),
        EventRequest::Closed => (None, json!({})),
    }
}

/// Where an event sends the complaint besides its status.
#[derive(Default)]
pub(crate) struct Effects {
    reassign_to: Option<String>,
    duplicate_of: Option<String>,
    /// What the notice names instead of the event's words: the original complaint, the
    /// receiving agency.
    notice_detail: Option<String>,
}

impl Effects {
    /// A duplicate points at its original, and its notice names it. The caller has checked
    /// that the original exists and is another complaint.
    pub(crate) fn duplicate_of(original: &str) -> Effects {
        Effects {
            duplicate_of: Some(original.to_string()),
            notice_detail: Some(original.to_string()),
            ..Effects::default()
        }
    }
}

async fn effects(state: &AppState, id: &str, event: &EventRequest) -> Result<Effects, ApiError> {
    match event {
        EventRequest::Duplicate { duplicate_of } => {
            let lookup = duplicate_of.clone();
            let exists = state.db(move |conn| complaints::detail(conn, &lookup)).await?.is_some();
            if !exists || duplicate_of == id {
                return Err(ApiError::invalid_field(
                    "duplicate_of",
                    "Không có phản ánh gốc này (hoặc là chính phản ánh này)",
                    "No such original complaint (or it is this one)",
                ));
            }
            Ok(Effects::duplicate_of(duplicate_of))
        }
        EventRequest::Reassigned { to_agency_id, .. } => {
            let lookup = to_agency_id.clone();
            let agency = state
                .db(move |conn| agencies::find_agency(conn, &lookup))
                .await?
                .ok_or_else(|| {
                    ApiError::invalid_field(
                        "to_agency_id",
                        "Không có cơ quan này",
                        "No such agency",
                    )
                })?;
            Ok(Effects {
                reassign_to: Some(agency.id),
                notice_detail: Some(agency.name),
                ..Effects::default()
            })
        }
        _ => Ok(Effects::default()),
    }
}

/// Who records an event, as its timeline entry names them.
#[derive(Clone)]
pub(crate) struct Author {
    pub actor: Actor,
    pub actor_id: Option<String>,
    /// The recorder's agency, when they are staff.
    pub agency_id: Option<String>,
}

/// The complaint an event is recorded on, as it is before the event.
pub(crate) struct Subject<'a> {
    pub id: &'a str,
    pub status: ComplaintStatus,
    pub description: &'a str,
    pub category: &'a Category,
}

/// What recording an accepted transition writes: the timeline entry with its effects and
/// photos, and the notice to the reporter and followers. The demo city's seed writes its
/// timelines with it too, so they are what staff and reporters would have written.
pub(crate) fn entry(
    on: &Subject,
    transition: Transition,
    effects: Effects,
    author: Author,
    after_photos: Vec<NewPhoto>,
) -> (NewEvent, Option<Notice>) {
    let (text, data) = words(&transition.event);
    let notice = transition.notice.map(|kind| {
        // Followers and lock screens are public: phone numbers in the words are masked.
        let detail = effects.notice_detail.as_deref().or(text.as_deref()).map(mask_phone_numbers);
        let mut notice = complaint_notice(kind, on.id, on.category, detail.as_deref());
        if let Some(status) = transition.status {
            notice.data.insert("status", status.as_str().to_string());
        }
        notice
    });
    let staff_notice = effects
        .reassign_to
        .as_ref()
        .map(|_| complaint_notice(NoticeKind::Assigned, on.id, on.category, Some(on.description)));
    let event = NewEvent {
        event_type: transition.event.kind(),
        actor_id: author.actor_id,
        actor_role: author.actor,
        agency_id: author.agency_id,
        is_public: transition.public,
        body: text,
        data: data.to_string(),
        status_before: on.status,
        status_after: transition.status,
        reassign_to: effects.reassign_to,
        duplicate_of: effects.duplicate_of,
        rating: match &transition.event {
            EventRequest::Rated { stars, comment } => Some((*stars as i32, comment.clone())),
            _ => None,
        },
        after_photos,
        staff_notice,
    };
    (event, notice)
}

/// Records `request` on complaint `id` with the photos of the fix (a `resolved` event's only),
/// and returns the complaint as the recorder may read it: the reporter never sees internal
/// notes in the answer to their own rating or reopening.
pub async fn record(
    state: &AppState,
    id: &str,
    recorder: Recorder<'_>,
    request: EventRequest,
    uploads: Vec<Vec<u8>>,
    seen: Seen<'_>,
) -> Result<Visible, ApiError> {
    let detail = load(state, id).await?;
    if let Seen::UpTo(last_seen) = seen {
        if detail.events.last().is_some_and(|latest| latest.id != last_seen) {
            return Err(updated_meanwhile());
        }
    }
    let complaint = &detail.complaint;
    let status = complaint.status;
    // When the current status was entered: for a resolution its own column (the one the
    // automatic close selects by), else the latest event that led to it, or the last update.
    let status_since = complaint
        .resolved_at
        .filter(|_| status == ComplaintStatus::Resolved)
        .or_else(|| {
            let entered = detail.events.iter().rev();
            entered
                .filter(|e| e.status_after == Some(complaint.status))
                .map(|e| e.created_at)
                .next()
        })
        .unwrap_or(complaint.updated_at);
    let current = ComplaintState { status, status_since: status_since.and_utc() };
    let actor = recorder.actor(&detail);
    let now = match recorder {
        Recorder::Person(_) => Utc::now(),
        Recorder::System { now } => now,
    };
    let transition = decide(&current, &request, actor, now, DEFAULT_REPORTER_WINDOW)?;
    let effects = effects(state, id, &transition.event).await?;

    let category_code = complaint.category_code.clone();
    // Retired or not: a complaint keeps the category it was filed under.
    let category = state
        .db(move |conn| places::find_any_category(conn, &category_code))
        .await?
        .ok_or_else(|| ApiError::internal(Bug(format!("complaint {id} has an unknown category"))))?
        .category;
    // Refusals are all behind: only now are the photos worth processing and storing.
    let processed = photos::process(state, uploads).await?;
    let stored = photos::store(&state.photos, &processed).await?;
    let author = match &recorder {
        Recorder::Person(caller) => Author {
            actor,
            actor_id: Some(caller.user.id.clone()),
            agency_id: caller.user.agency_id.clone(),
        },
        Recorder::System { .. } => Author { actor, actor_id: None, agency_id: None },
    };
    let on = Subject { id, status, description: &complaint.description, category: &category };
    let (event, notice) = entry(&on, transition, effects, author, stored.rows);
    let complaint_id = id.to_string();
    let outcome = state
        .db(move |conn| {
            complaints::record_event(
                conn,
                &complaint_id,
                &event,
                notice.as_ref(),
                smartcity_db::now(),
            )
        })
        .await;
    if !matches!(outcome, Ok(EventOutcome::Recorded)) {
        // Nothing half-written: the photos go with the event that was not recorded.
        photos::remove(&state.photos, &stored.keys).await;
    }
    if outcome? == EventOutcome::StatusChanged {
        return Err(updated_meanwhile());
    }
    state.pushes_queued();
    Ok(Visible::new(load(state, id).await?, Audience::of(actor)))
}

fn updated_meanwhile() -> ApiError {
    ApiError::new(ErrorCode::TransitionNotAllowed).with_detail(
        "Phản ánh vừa được người khác cập nhật; hãy tải lại",
        "The complaint was just updated by someone else; reload it",
    )
}
