//! Dossiers (hồ sơ): what agencies' one-stop-shop systems send (the dossier, its status
//! events) and list, and what citizens look up with proof (the phone on file) and follow.
//! A wrong proof and an unknown code are answered alike, and both count against the caller's
//! address and the code, so codes cannot be enumerated.

use crate::app::auth::{ActingAgency, Caller};
use crate::app::error::{ApiError, Bug, ErrorCode};
use crate::app::sms;
use crate::app::state::AppState;
use crate::app::throttle::{self, FailureKeys, Purpose};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime};
use smartcity_db::dossiers::{
    self, AgencyFilter, AgencyOrder, DossierDetail, DossierInput, DossierRow, EventInput,
    EventOutcome, FollowOutcome, UpsertOutcome,
};
use smartcity_domain::dossier::{
    deadline, parse_dossier_code, Deadline, DossierChannel, DossierOrigin, DossierStatus,
};
use smartcity_domain::phone::PhoneNumber;
use smartcity_domain::procedure::is_procedure_code;
use smartcity_domain::validation::clean_text;

/// Vietnam's today: due dates are Vietnam's.
pub fn today() -> NaiveDate {
    smartcity_domain::reminder::vietnam_date(chrono::Utc::now())
}

/// Working days left, or overdue, by the configured calendar.
pub fn deadline_of(state: &AppState, dossier: &DossierRow) -> Deadline {
    deadline(&state.config.calendar, dossier.due_on, dossier.finished_on, today())
}

fn other_agency() -> ApiError {
    ApiError::forbidden()
        .with_detail("Hồ sơ này thuộc cơ quan khác", "This dossier belongs to another agency")
}

/// A dossier as an agency's system sends it.
pub struct DossierFields {
    pub procedure_code: String,
    pub applicant_name: String,
    pub applicant_phone: String,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub channel: DossierChannel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created,
    Updated,
}

/// Creates or updates a dossier of the acting agency.
pub async fn save(
    state: &AppState,
    agency: &ActingAgency,
    code: &str,
    fields: DossierFields,
) -> Result<(Saved, DossierRow), ApiError> {
    let code = parse_dossier_code("code", code)?;
    if !is_procedure_code(&fields.procedure_code) {
        return Err(ApiError::invalid_field(
            "procedure_code",
            "Mã thủ tục không hợp lệ",
            "Not a procedure code",
        ));
    }
    let applicant_name = clean_text("applicant_name", &fields.applicant_name, 1, 100, false)?;
    let applicant_phone = PhoneNumber::parse("applicant_phone", &fields.applicant_phone)?;
    if fields.due_on < fields.received_on {
        return Err(ApiError::invalid_field(
            "due_on",
            "Ngày hẹn trả không được trước ngày tiếp nhận",
            "The due date cannot be before the received date",
        ));
    }
    let code_for_log = code.clone();
    let input = DossierInput {
        code,
        procedure_code: fields.procedure_code,
        applicant_name,
        applicant_phone: applicant_phone.e164().to_string(),
        received_on: fields.received_on,
        due_on: fields.due_on,
        channel: fields.channel,
    };
    let agency_id = agency.agency_id().to_string();
    let (outcome, row) = state
        .db(move |conn| {
            let outcome = dossiers::upsert(conn, &agency_id, &input, smartcity_db::now())?;
            Ok((outcome, dossiers::find(conn, &input.code)?))
        })
        .await?;
    let saved = match outcome {
        UpsertOutcome::Created => Saved::Created,
        UpsertOutcome::Updated { followers_unlinked } => {
            if followers_unlinked > 0 {
                tracing::info!(
                    dossier = %code_for_log,
                    followers_unlinked,
                    "the phone on file changed: its followers were unlinked"
                );
            }
            Saved::Updated
        }
        UpsertOutcome::OtherAgency => return Err(other_agency()),
        UpsertOutcome::UnknownProcedure => {
            return Err(ApiError::invalid_field(
                "procedure_code",
                "Không có thủ tục với mã này",
                "No procedure has this code",
            ))
        }
    };
    Ok((saved, row.ok_or_else(|| ApiError::internal(Bug("a saved dossier is gone".into())))?))
}

/// A status event as an agency's system sends it.
pub struct StatusEvent {
    pub event_id: String,
    pub status: i32,
    pub occurred_at: DateTime<FixedOffset>,
    pub step: Option<String>,
    pub department: Option<String>,
    pub officer: Option<String>,
    pub note: Option<String>,
    pub reopens: bool,
}

fn optional_text(
    field: &str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>, ApiError> {
    value
        .map(|v| clean_text(field, &v, 1, max, field == "note"))
        .transpose()
        .map_err(ApiError::from)
}

/// Appends a status event. Repeats are ignored (`false`); late events join the timeline; the
/// latest by event time is the current status, and its followers hear of a change.
pub async fn record_event(
    state: &AppState,
    agency: &ActingAgency,
    code: &str,
    event: StatusEvent,
) -> Result<(bool, DossierRow), ApiError> {
    let code = parse_dossier_code("code", code)?;
    let event_id = clean_text("event_id", &event.event_id, 1, 100, false)?;
    let status = DossierStatus::parse("status", event.status)?;
    let occurred_at = event.occurred_at.naive_utc();
    if occurred_at > smartcity_db::now() + Duration::minutes(5) {
        return Err(ApiError::invalid_field(
            "occurred_at",
            "Thời điểm ở tương lai",
            "The time is in the future",
        ));
    }
    let input = EventInput {
        event_id,
        status,
        occurred_at,
        step: optional_text("step", event.step, 200)?,
        department: optional_text("department", event.department, 200)?,
        officer: optional_text("officer", event.officer, 200)?,
        note: optional_text("note", event.note, 2000)?,
        reopens: event.reopens,
    };
    let agency_id = agency.agency_id().to_string();
    let texting = sms::texting(state);
    let (outcome, row) = state
        .db(move |conn| {
            let now = smartcity_db::now();
            let outcome =
                dossiers::record_event(conn, &agency_id, &code, &input, Some(&texting), now)?;
            Ok((outcome, dossiers::find(conn, &code)?))
        })
        .await?;
    let recorded = match outcome {
        EventOutcome::Recorded { .. } => true,
        EventOutcome::Repeat => false,
        EventOutcome::Closed(status) => {
            return Err(ApiError::new(ErrorCode::DossierClosed).with_field("reopens").with_detail(
                format!(
                    "Hồ sơ đã ở trạng thái \"{}\"; sự kiện sau đó phải có \"reopens\": true",
                    status.label_vi()
                ),
                format!(
                    "The dossier is \"{}\"; a later event must carry \"reopens\": true",
                    status.label_en()
                ),
            ))
        }
        EventOutcome::NoDossier => return Err(ApiError::not_found()),
        EventOutcome::OtherAgency => return Err(other_agency()),
    };
    if recorded {
        state.pushes_queued();
        state.sms_queued();
    }
    Ok((recorded, row.ok_or_else(|| ApiError::internal(Bug("a dossier is gone".into())))?))
}

/// Which of its dossiers an agency lists.
#[derive(Debug, Default)]
pub struct AgencyListing {
    pub status: Option<i32>,
    /// Only open dossiers already past their due date.
    pub overdue: bool,
    /// Only open dossiers due within this many days (7: this week).
    pub due_within_days: Option<u32>,
    pub procedure_code: Option<String>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub origin: Option<DossierOrigin>,
    /// In arrival order, after this `(created_at, code)` when given; soonest due first when
    /// `None`.
    pub arrival_after: Option<Option<(NaiveDateTime, String)>>,
}

/// The acting agency's dossiers, soonest due first, and how many match in all.
pub async fn list_for_agency(
    state: &AppState,
    agency: &ActingAgency,
    listing: AgencyListing,
    offset: i64,
    limit: i64,
) -> Result<(Vec<DossierRow>, i64), ApiError> {
    let status = listing
        .status
        .map(|s| DossierStatus::parse("status", s).map(DossierStatus::code))
        .transpose()
        .map_err(|_| {
            ApiError::invalid_query("status", "`status` phải từ 1 đến 10", "`status` must be 1–10")
        })?;
    let open_due_by = match (listing.overdue, listing.due_within_days) {
        (true, Some(_)) => {
            return Err(ApiError::invalid_query(
                "due_within_days",
                "Không dùng `due_within_days` cùng `overdue=true`",
                "`due_within_days` cannot be combined with `overdue=true`",
            ))
        }
        (true, None) => Some(today() - Duration::days(1)),
        (false, Some(days)) if days > 366 => {
            return Err(ApiError::invalid_query(
                "due_within_days",
                "`due_within_days` tối đa 366",
                "`due_within_days` is at most 366",
            ))
        }
        (false, Some(days)) => Some(today() + Duration::days(i64::from(days))),
        (false, None) => None,
    };
    let filter = AgencyFilter {
        status,
        open_due_by,
        procedure_code: listing.procedure_code,
        received_between: (listing.received_from, listing.received_to),
        origin: listing.origin,
        order: match listing.arrival_after {
            Some(after) => AgencyOrder::Arrival { after },
            None => AgencyOrder::DueFirst,
        },
    };
    let agency_id = agency.agency_id().to_string();
    state.db(move |conn| dossiers::list_for_agency(conn, &agency_id, &filter, offset, limit)).await
}

/// One of the acting agency's dossiers with its timeline; another agency's is not found.
pub async fn for_agency(
    state: &AppState,
    agency: &ActingAgency,
    code: String,
) -> Result<DossierDetail, ApiError> {
    let agency_id = agency.agency_id().to_string();
    state
        .db(move |conn| dossiers::detail(conn, &code))
        .await?
        .filter(|detail| detail.dossier.agency_id == agency_id)
        .ok_or_else(ApiError::not_found)
}

/// Compares every byte whatever the first difference, so timing says nothing about how close
/// a guess was.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        diff |= usize::from(a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0));
    }
    diff == 0
}

/// The dossier `code` when `phone` is the applicant's; otherwise 404 (and a failure counted
/// against the code and the client's address).
pub async fn lookup(
    state: &AppState,
    code: &str,
    phone: &str,
    client: &str,
) -> Result<DossierDetail, ApiError> {
    let code = parse_dossier_code("code", code)?;
    let phone = PhoneNumber::parse("phone", phone)?;
    let keys = FailureKeys::new(Purpose::Lookup, &code, code.clone(), client);
    let proven = throttle::check_in_database(state, &state.config.lookup_throttle, keys, {
        move |conn| {
            let found = dossiers::detail(conn, &code)?;
            // Unknown codes are compared too, against nothing, so both answers take the same
            // path.
            let on_file = found.as_ref().map(|d| d.dossier.applicant_phone.as_str()).unwrap_or("");
            let proved = same_secret(on_file, phone.e164());
            Ok(found.filter(|_| proved))
        }
    })
    .await?;
    proven.ok_or_else(ApiError::not_found)
}

/// A signed-in citizen's own dossier: their phone is the proof.
pub async fn mine(
    state: &AppState,
    caller: &Caller,
    code: &str,
    client: &str,
) -> Result<DossierDetail, ApiError> {
    lookup(state, code, &caller.user.phone, client).await
}

/// Follows a dossier the caller can prove; `true` when newly followed.
pub async fn follow(
    state: &AppState,
    caller: &Caller,
    code: &str,
    phone: &str,
    client: &str,
) -> Result<(bool, DossierDetail), ApiError> {
    let detail = lookup(state, code, phone, client).await?;
    let user_id = caller.user.id.clone();
    let (code, proven_phone) =
        (detail.dossier.code.clone(), detail.dossier.applicant_phone.clone());
    let outcome = state
        .db(move |conn| dossiers::follow(conn, &user_id, &code, &proven_phone, smartcity_db::now()))
        .await?;
    match outcome {
        FollowOutcome::Followed => Ok((true, detail)),
        FollowOutcome::AlreadyFollowed => Ok((false, detail)),
        FollowOutcome::ProofOutdated => Err(ApiError::not_found()),
    }
}

pub async fn followed(state: &AppState, caller: &Caller) -> Result<Vec<DossierDetail>, ApiError> {
    let user_id = caller.user.id.clone();
    state.db(move |conn| dossiers::followed_by(conn, &user_id)).await
}

pub async fn unfollow(state: &AppState, caller: &Caller, code: String) -> Result<(), ApiError> {
    let user_id = caller.user.id.clone();
    let removed = state.db(move |conn| dossiers::unfollow(conn, &user_id, &code)).await?;
    removed.then_some(()).ok_or_else(ApiError::not_found)
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_compare_equal_only_when_identical() {
        assert!(same_secret("+84912345678", "+84912345678"));
        assert!(!same_secret("+84912345678", "+84912345679"));
        assert!(!same_secret("+84912345678", "+8491234567"));
        assert!(!same_secret("", "+84912345678"));
    }
}
