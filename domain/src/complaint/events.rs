//! The events of a complaint's timeline: who may record which from which status, and what
//! follows (the state machine `decide`); the reporter's window; due and overdue.

use super::{ComplaintStatus, NoticeKind, MAX_TEXT};
use crate::validation::{clean_text, Invalid, Reason};
use crate::word::{impl_word, Word};
use crate::Lang;
use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use serde::Serialize;

/// Who records an event, as the caller works it out from the session and the complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// The resident who filed the complaint.
    Reporter,
    /// Staff of the agency the complaint is assigned to.
    AssignedStaff,
    /// Staff of any other agency.
    OtherStaff,
    Admin,
    /// Anyone else signed in.
    Citizen,
    /// The server's own jobs: only the automatic close.
    System,
}

// The timeline's `actor_role`: the words the api first wrote (the variant's name in lower
// case, without underscores), which existing databases hold.
impl_word!(Actor {
    Reporter => "reporter",
    AssignedStaff => "assignedstaff",
    OtherStaff => "otherstaff",
    Admin => "admin",
    Citizen => "citizen",
    System => "system",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The first event of every timeline, written when the complaint is filed (in `new`). Not
    /// a transition: no actor may record it, no status allows it, and it leads nowhere.
    Filed,
    Acknowledged,
    InProgress,
    Resolved,
    Rejected,
    Duplicate,
    Reassigned,
    Note,
    Rated,
    Reopened,
    Closed,
}

impl_word!(EventKind {
    Filed => "filed",
    Acknowledged => "acknowledged",
    InProgress => "in_progress",
    Resolved => "resolved",
    Rejected => "rejected",
    Duplicate => "duplicate",
    Reassigned => "reassigned",
    Note => "note",
    Rated => "rated",
    Reopened => "reopened",
    Closed => "closed",
});

impl EventKind {
    pub fn parse(field: &str, raw: &str) -> Result<EventKind, Invalid> {
        Self::parse_word(field, raw)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            EventKind::Filed => "Gửi phản ánh",
            EventKind::Acknowledged => "Tiếp nhận",
            EventKind::InProgress => "Bắt đầu xử lý",
            EventKind::Resolved => "Hoàn thành xử lý",
            EventKind::Rejected => "Từ chối xử lý",
            EventKind::Duplicate => "Đánh dấu trùng lặp",
            EventKind::Reassigned => "Chuyển cơ quan xử lý",
            EventKind::Note => "Ghi chú nội bộ",
            EventKind::Rated => "Đánh giá",
            EventKind::Reopened => "Mở lại",
            EventKind::Closed => "Đóng",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            EventKind::Filed => "Filing",
            EventKind::Acknowledged => "Acknowledgement",
            EventKind::InProgress => "Work started",
            EventKind::Resolved => "Resolution",
            EventKind::Rejected => "Rejection",
            EventKind::Duplicate => "Marked as duplicate",
            EventKind::Reassigned => "Reassignment to another agency",
            EventKind::Note => "Internal note",
            EventKind::Rated => "Rating",
            EventKind::Reopened => "Reopening",
            EventKind::Closed => "Closing",
        }
    }

    pub fn allowed_from(self) -> &'static [ComplaintStatus] {
        use ComplaintStatus as S;
        match self {
            EventKind::Acknowledged => &[S::New],
            EventKind::InProgress => &[S::Acknowledged],
            EventKind::Resolved => &[S::Acknowledged, S::InProgress],
            EventKind::Filed => &[],
            EventKind::Rejected | EventKind::Duplicate | EventKind::Reassigned => {
                &ComplaintStatus::OPEN
            }
            EventKind::Note => &ComplaintStatus::ALL,
            EventKind::Rated | EventKind::Reopened | EventKind::Closed => &[S::Resolved],
        }
    }

    /// The status after the event; `None` keeps the current one.
    ///
    /// A reassigned complaint goes back to `new`: the receiving agency acknowledges it afresh.
    /// A reopened one goes to `in_progress`: the agency already took it on, and the reporter
    /// says the work is not finished. Rating closes the complaint at once.
    pub fn leads_to(self) -> Option<ComplaintStatus> {
        match self {
            EventKind::Acknowledged => Some(ComplaintStatus::Acknowledged),
            EventKind::InProgress | EventKind::Reopened => Some(ComplaintStatus::InProgress),
            EventKind::Resolved => Some(ComplaintStatus::Resolved),
            EventKind::Rejected => Some(ComplaintStatus::Rejected),
            EventKind::Duplicate => Some(ComplaintStatus::Duplicate),
            EventKind::Reassigned => Some(ComplaintStatus::New),
            EventKind::Filed | EventKind::Note => None,
            EventKind::Rated | EventKind::Closed => Some(ComplaintStatus::Closed),
        }
    }

    /// Whether `actor` may record this event on a complaint in `status` (the first two checks
    /// of [`decide`]): what a screen offers.
    pub fn open_to(self, actor: Actor, status: ComplaintStatus) -> bool {
        self.may_be_recorded_by(actor) && self.allowed_from().contains(&status)
    }

    /// The steps an agency takes on its complaints, in the order a screen offers them.
    pub const AGENCY_STEPS: [EventKind; 7] = [
        EventKind::Acknowledged,
        EventKind::InProgress,
        EventKind::Resolved,
        EventKind::Rejected,
        EventKind::Duplicate,
        EventKind::Reassigned,
        EventKind::Note,
    ];

    pub fn may_be_recorded_by(self, actor: Actor) -> bool {
        match self {
            EventKind::Rated | EventKind::Reopened => actor == Actor::Reporter,
            EventKind::Closed => actor == Actor::System,
            EventKind::Filed => false,
            EventKind::Acknowledged
            | EventKind::InProgress
            | EventKind::Resolved
            | EventKind::Rejected
            | EventKind::Duplicate
            | EventKind::Reassigned
            | EventKind::Note => matches!(actor, Actor::AssignedStaff | Actor::Admin),
        }
    }

    /// Notes are for staff only; everything else shows on the public timeline.
    pub fn is_public(self) -> bool {
        self != EventKind::Note
    }

    /// What the reporter and followers are told. A rating tells nothing new (the reporter
    /// gave it; the resolution was announced already); the system's close ends the week in
    /// which the reporter could still reopen, so they hear of it. A filing is announced to the
    /// agency's staff (`NoticeKind::Assigned`), not to followers: there are none yet.
    pub fn notice(self) -> Option<NoticeKind> {
        match self {
            EventKind::Acknowledged => Some(NoticeKind::Acknowledged),
            EventKind::InProgress => Some(NoticeKind::InProgress),
            EventKind::Resolved => Some(NoticeKind::Resolved),
            EventKind::Rejected => Some(NoticeKind::Rejected),
            EventKind::Duplicate => Some(NoticeKind::Duplicate),
            EventKind::Reassigned => Some(NoticeKind::Reassigned),
            EventKind::Reopened => Some(NoticeKind::Reopened),
            EventKind::Closed => Some(NoticeKind::Closed),
            EventKind::Filed | EventKind::Note | EventKind::Rated => None,
        }
    }
}

/// An event someone asks to record, with what it carries. Text fields are named as the
/// refusals name them.
#[derive(Debug, Clone, PartialEq)]
pub enum EventRequest {
    Acknowledged {
        comment: String,
    },
    InProgress {
        comment: Option<String>,
    },
    Resolved {
        response: String,
        after_photos: u32,
    },
    Rejected {
        reason: String,
    },
    /// The caller checks that the other complaint exists and is not this one.
    Duplicate {
        duplicate_of: String,
    },
    Reassigned {
        to_agency_id: String,
        reason: String,
    },
    Note {
        text: String,
    },
    Rated {
        stars: i64,
        comment: Option<String>,
    },
    Reopened {
        reason: String,
    },
    Closed,
}

const MAX_ID: usize = 100;

impl EventRequest {
    pub fn kind(&self) -> EventKind {
        match self {
            EventRequest::Acknowledged { .. } => EventKind::Acknowledged,
            EventRequest::InProgress { .. } => EventKind::InProgress,
            EventRequest::Resolved { .. } => EventKind::Resolved,
            EventRequest::Rejected { .. } => EventKind::Rejected,
            EventRequest::Duplicate { .. } => EventKind::Duplicate,
            EventRequest::Reassigned { .. } => EventKind::Reassigned,
            EventRequest::Note { .. } => EventKind::Note,
            EventRequest::Rated { .. } => EventKind::Rated,
            EventRequest::Reopened { .. } => EventKind::Reopened,
            EventRequest::Closed => EventKind::Closed,
        }
    }

    /// The same event with its texts trimmed and checked.
    fn cleaned(&self) -> Result<EventRequest, Invalid> {
        let text = |field: &str, raw: &str| clean_text(field, raw, 1, MAX_TEXT, true);
        let id = |field: &str, raw: &str| clean_text(field, raw, 1, MAX_ID, false);
        let optional = |field: &str, raw: &Option<String>| match raw.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(raw) => text(field, raw).map(Some),
        };
        Ok(match self {
            EventRequest::Acknowledged { comment } => {
                EventRequest::Acknowledged { comment: text("comment", comment)? }
            }
            EventRequest::InProgress { comment } => {
                EventRequest::InProgress { comment: optional("comment", comment)? }
            }
            EventRequest::Resolved { response, after_photos } => EventRequest::Resolved {
                response: text("response", response)?,
                after_photos: *after_photos,
            },
            EventRequest::Rejected { reason } => {
                EventRequest::Rejected { reason: text("reason", reason)? }
            }
            EventRequest::Duplicate { duplicate_of } => {
                EventRequest::Duplicate { duplicate_of: id("duplicate_of", duplicate_of)? }
            }
            EventRequest::Reassigned { to_agency_id, reason } => EventRequest::Reassigned {
                to_agency_id: id("to_agency_id", to_agency_id)?,
                reason: text("reason", reason)?,
            },
            EventRequest::Note { text: note } => EventRequest::Note { text: text("text", note)? },
            EventRequest::Rated { stars, comment } => {
                if !(1..=5).contains(stars) {
                    return Err(Invalid::new("stars", Reason::OutOfRange { min: 1, max: 5 }));
                }
                EventRequest::Rated { stars: *stars, comment: optional("comment", comment)? }
            }
            EventRequest::Reopened { reason } => {
                EventRequest::Reopened { reason: text("reason", reason)? }
            }
            EventRequest::Closed => EventRequest::Closed,
        })
    }
}

/// What `decide` needs of a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComplaintState {
    pub status: ComplaintStatus,
    /// When the current status was entered: for a resolved complaint, when it was resolved.
    pub status_since: DateTime<Utc>,
}

/// An accepted event and what follows from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The event to store, its texts trimmed.
    pub event: EventRequest,
    /// `None`: the status stays (a note).
    pub status: Option<ComplaintStatus>,
    pub public: bool,
    pub notice: Option<NoticeKind>,
}

/// Why an event was not recorded. Checked in this order: actor, status, time, content.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// This actor may never record this event on this complaint.
    Forbidden { event: EventKind, actor: Actor },
    /// The event exists, but not from the current status.
    NotAllowedFrom { event: EventKind, status: ComplaintStatus },
    /// Allowed from this status, not at this time: a reopening after the reporter's
    /// window ended, or an automatic close before it did. A conflict with the complaint's
    /// state, like the one above, and not a fault in the request.
    OutsideWindow { event: EventKind, window_ends: DateTime<Utc> },
    /// A field of the request is missing or wrong (`comment`, `stars`, …).
    Invalid(Invalid),
}

impl Refusal {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Refusal::Forbidden { event, .. }, Lang::Vi) => {
                format!("Bạn không có quyền thực hiện \"{}\" với phản ánh này.", event.label_vi())
            }
            (Refusal::Forbidden { event, .. }, Lang::En) => {
                format!("You may not record \"{}\" on this complaint.", event.label_en())
            }
            (Refusal::NotAllowedFrom { event, status }, Lang::Vi) => format!(
                "Không thể \"{}\" khi phản ánh đang ở trạng thái \"{}\".",
                event.label_vi(),
                status.label_vi()
            ),
            (Refusal::NotAllowedFrom { event, status }, Lang::En) => format!(
                "\"{}\" is not possible while the complaint is \"{}\".",
                event.label_en(),
                status.label_en()
            ),
            (Refusal::OutsideWindow { event, window_ends }, Lang::Vi) => {
                let when = vietnam_time(*window_ends);
                if *event == EventKind::Reopened {
                    format!("Đã hết hạn mở lại phản ánh lúc {when} (giờ Việt Nam).")
                } else {
                    format!("Chưa thể \"{}\" trước {when} (giờ Việt Nam).", event.label_vi())
                }
            }
            (Refusal::OutsideWindow { event, window_ends }, Lang::En) => {
                let when = vietnam_time(*window_ends);
                if *event == EventKind::Reopened {
                    format!("The time to reopen this complaint ended at {when} (Vietnam time).")
                } else {
                    format!(
                        "\"{}\" is not possible before {when} (Vietnam time).",
                        event.label_en()
                    )
                }
            }
            (Refusal::Invalid(invalid), lang) => {
                format!("{}: {}", invalid.field, invalid.reason.message(lang))
            }
        }
    }
}

fn vietnam_time(at: DateTime<Utc>) -> String {
    let utc_plus_7 = FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    at.with_timezone(&utc_plus_7).format("%H:%M %d/%m/%Y").to_string()
}

/// How long, after a resolution, the reporter has to rate or reopen before it closes itself.
pub const DEFAULT_REPORTER_WINDOW: TimeDelta = TimeDelta::days(7);

/// Decides whether `actor` may record `event` on a complaint in state `current` at `now`.
/// The reporter may reopen a resolved complaint until `reporter_window` after its resolution;
/// from then on the system closes it (see [`should_auto_close`]).
pub fn decide(
    current: &ComplaintState,
    event: &EventRequest,
    actor: Actor,
    now: DateTime<Utc>,
    reporter_window: TimeDelta,
) -> Result<Transition, Refusal> {
    let kind = event.kind();
    if !kind.may_be_recorded_by(actor) {
        return Err(Refusal::Forbidden { event: kind, actor });
    }
    if !kind.allowed_from().contains(&current.status) {
        return Err(Refusal::NotAllowedFrom { event: kind, status: current.status });
    }
    let window_passed = should_auto_close(current.status_since, now, reporter_window);
    let too_late = kind == EventKind::Reopened && window_passed;
    let too_early = kind == EventKind::Closed && !window_passed;
    if too_late || too_early {
        let window_ends = window_end(current.status_since, reporter_window);
        return Err(Refusal::OutsideWindow { event: kind, window_ends });
    }
    Ok(Transition {
        event: event.cleaned().map_err(Refusal::Invalid)?,
        status: kind.leads_to(),
        public: kind.is_public(),
        notice: kind.notice(),
    })
}

/// A resolved complaint with neither rating nor reopening closes once the window has passed.
pub fn should_auto_close(
    resolved_at: DateTime<Utc>,
    now: DateTime<Utc>,
    window: TimeDelta,
) -> bool {
    now >= window_end(resolved_at, window)
}

fn window_end(start: DateTime<Utc>, window: TimeDelta) -> DateTime<Utc> {
    start.checked_add_signed(window).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Calendar hours, not working hours: a flooded street does not wait for Monday.
pub fn due_at(created_at: DateTime<Utc>, sla_hours: u32) -> DateTime<Utc> {
    window_end(created_at, TimeDelta::hours(i64::from(sla_hours)))
}

pub fn is_overdue(status: ComplaintStatus, due_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status.is_open() && now > due_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::word::assert_words;
    use ComplaintStatus as S;

    const ACTORS: [Actor; 6] = [
        Actor::Reporter,
        Actor::AssignedStaff,
        Actor::OtherStaff,
        Actor::Admin,
        Actor::Citizen,
        Actor::System,
    ];

    /// The state machine, written out independently of the code: (from, event, to).
    const TRANSITIONS: &[(S, EventKind, Option<S>)] = &[
        (S::New, EventKind::Acknowledged, Some(S::Acknowledged)),
        (S::Acknowledged, EventKind::InProgress, Some(S::InProgress)),
        (S::Acknowledged, EventKind::Resolved, Some(S::Resolved)),
        (S::InProgress, EventKind::Resolved, Some(S::Resolved)),
        (S::New, EventKind::Rejected, Some(S::Rejected)),
        (S::Acknowledged, EventKind::Rejected, Some(S::Rejected)),
        (S::InProgress, EventKind::Rejected, Some(S::Rejected)),
        (S::New, EventKind::Duplicate, Some(S::Duplicate)),
        (S::Acknowledged, EventKind::Duplicate, Some(S::Duplicate)),
        (S::InProgress, EventKind::Duplicate, Some(S::Duplicate)),
        (S::New, EventKind::Reassigned, Some(S::New)),
        (S::Acknowledged, EventKind::Reassigned, Some(S::New)),
        (S::InProgress, EventKind::Reassigned, Some(S::New)),
        (S::New, EventKind::Note, None),
        (S::Acknowledged, EventKind::Note, None),
        (S::InProgress, EventKind::Note, None),
        (S::Resolved, EventKind::Note, None),
        (S::Rejected, EventKind::Note, None),
        (S::Duplicate, EventKind::Note, None),
        (S::Closed, EventKind::Note, None),
        (S::Resolved, EventKind::Rated, Some(S::Closed)),
        (S::Resolved, EventKind::Reopened, Some(S::InProgress)),
        (S::Resolved, EventKind::Closed, Some(S::Closed)),
    ];

    fn senders(kind: EventKind) -> &'static [Actor] {
        match kind {
            EventKind::Rated | EventKind::Reopened => &[Actor::Reporter],
            EventKind::Closed => &[Actor::System],
            _ => &[Actor::AssignedStaff, Actor::Admin],
        }
    }

    fn time(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const SINCE: &str = "2026-11-02T09:00:00Z";

    fn state(status: S) -> ComplaintState {
        ComplaintState { status, status_since: time(SINCE) }
    }

    fn days_later(days: i64) -> DateTime<Utc> {
        time(SINCE) + TimeDelta::days(days)
    }

    fn valid(kind: EventKind) -> EventRequest {
        match kind {
            EventKind::Acknowledged => {
                EventRequest::Acknowledged { comment: "Đã ghi nhận".into() }
            }
            EventKind::InProgress => EventRequest::InProgress { comment: None },
            EventKind::Resolved => {
                EventRequest::Resolved { response: "Đã vá ổ gà".into(), after_photos: 2 }
            }
            EventKind::Rejected => EventRequest::Rejected { reason: "Ngoài địa bàn".into() },
            EventKind::Duplicate => EventRequest::Duplicate { duplicate_of: "c-41".into() },
            EventKind::Reassigned => EventRequest::Reassigned {
                to_agency_id: "ubnd-thanh-khe".into(),
                reason: "Thuộc địa bàn phường Thanh Khê".into(),
            },
            EventKind::Note => EventRequest::Note { text: "Đã gọi điện cho đội".into() },
            EventKind::Rated => EventRequest::Rated { stars: 4, comment: None },
            EventKind::Reopened => EventRequest::Reopened { reason: "Ổ gà vẫn còn".into() },
            EventKind::Closed => EventRequest::Closed,
            EventKind::Filed => unreachable!("no request records a filing"),
        }
    }

    /// Every kind a request carries: all but `filed`.
    fn requested_kinds() -> impl Iterator<Item = EventKind> {
        EventKind::ALL.into_iter().filter(|kind| *kind != EventKind::Filed)
    }

    /// A day after the status began, or eight for the automatic close.
    fn decide_at_a_fitting_time(
        status: S,
        event: &EventRequest,
        actor: Actor,
    ) -> Result<Transition, Refusal> {
        let now = if event.kind() == EventKind::Closed { days_later(8) } else { days_later(1) };
        decide(&state(status), event, actor, now, DEFAULT_REPORTER_WINDOW)
    }

    #[test]
    fn every_status_event_and_actor_gets_the_outcome_of_the_table() {
        let mut accepted = 0;
        for status in S::ALL {
            for kind in requested_kinds() {
                for actor in ACTORS {
                    let outcome = decide_at_a_fitting_time(status, &valid(kind), actor);
                    let row = TRANSITIONS.iter().find(|(from, k, _)| *from == status && *k == kind);
                    let case = format!("{status:?} + {kind:?} by {actor:?}");
                    match (senders(kind).contains(&actor), row) {
                        (false, _) => assert_eq!(
                            outcome,
                            Err(Refusal::Forbidden { event: kind, actor }),
                            "{case}"
                        ),
                        (true, None) => assert_eq!(
                            outcome,
                            Err(Refusal::NotAllowedFrom { event: kind, status }),
                            "{case}"
                        ),
                        (true, Some((_, _, to))) => {
                            let transition = outcome.unwrap_or_else(|r| panic!("{case}: {r:?}"));
                            assert_eq!(transition.status, *to, "{case}");
                            assert_eq!(transition.public, kind != EventKind::Note, "{case}");
                            assert_eq!(transition.event, valid(kind), "{case}");
                            accepted += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(
            accepted,
            TRANSITIONS.len() * 2 - 3,
            "staff events by two actors, the rest by one"
        );
    }

    #[test]
    fn a_filing_is_recorded_by_no_actor_from_no_status_and_leads_nowhere() {
        let filed = EventKind::Filed;
        for actor in ACTORS {
            assert!(!filed.may_be_recorded_by(actor), "{actor:?}");
        }
        assert!(filed.allowed_from().is_empty());
        assert_eq!((filed.leads_to(), filed.notice()), (None, None));
        assert!(filed.is_public(), "the filing opens the public timeline");
        assert!(TRANSITIONS.iter().all(|(_, kind, _)| *kind != filed));
        // Every other kind is a request's, so `decide` never meets a filing.
        for kind in requested_kinds() {
            assert_eq!(valid(kind).kind(), kind);
        }
        assert_eq!(requested_kinds().count(), EventKind::ALL.len() - 1);
    }

    #[test]
    fn event_kinds_are_stored_as_these_words() {
        assert_words(&[
            (EventKind::Filed, "filed"),
            (EventKind::Acknowledged, "acknowledged"),
            (EventKind::InProgress, "in_progress"),
            (EventKind::Resolved, "resolved"),
            (EventKind::Rejected, "rejected"),
            (EventKind::Duplicate, "duplicate"),
            (EventKind::Reassigned, "reassigned"),
            (EventKind::Note, "note"),
            (EventKind::Rated, "rated"),
            (EventKind::Reopened, "reopened"),
            (EventKind::Closed, "closed"),
        ]);
    }

    #[test]
    fn actors_are_stored_as_the_words_existing_timelines_hold() {
        assert_words(&[
            (Actor::Reporter, "reporter"),
            (Actor::AssignedStaff, "assignedstaff"),
            (Actor::OtherStaff, "otherstaff"),
            (Actor::Admin, "admin"),
            (Actor::Citizen, "citizen"),
            (Actor::System, "system"),
        ]);
        assert_eq!(Actor::ALL, ACTORS);
        // What the api wrote before: the variant's name in lower case.
        for actor in Actor::ALL {
            assert_eq!(actor.as_str(), format!("{actor:?}").to_lowercase());
        }
    }

    #[test]
    fn events_round_trip_as_snake_case() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse("event", kind.as_str()), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert!(EventKind::parse("event", "deleted").is_err());
    }

    #[test]
    fn acknowledging_needs_a_comment_and_trims_it() {
        let ack = |comment: &str| {
            decide(
                &state(S::New),
                &EventRequest::Acknowledged { comment: comment.into() },
                Actor::AssignedStaff,
                days_later(0),
                DEFAULT_REPORTER_WINDOW,
            )
        };
        let refusal = ack("   ").unwrap_err();
        assert_eq!(refusal, Refusal::Invalid(Invalid::new("comment", Reason::Required)));
        assert_eq!(refusal.message(Lang::En), "comment: is required");
        let transition = ack("  Đã tiếp nhận, sẽ xử lý trong tuần  ").unwrap();
        assert_eq!(
            transition,
            Transition {
                event: EventRequest::Acknowledged {
                    comment: "Đã tiếp nhận, sẽ xử lý trong tuần".into()
                },
                status: Some(S::Acknowledged),
                public: true,
                notice: Some(NoticeKind::Acknowledged),
            }
        );
    }

    #[test]
    fn each_required_field_is_named_when_missing() {
        let cases = [
            (
                S::InProgress,
                EventRequest::Resolved { response: "".into(), after_photos: 0 },
                "response",
            ),
            (S::New, EventRequest::Rejected { reason: " ".into() }, "reason"),
            (S::New, EventRequest::Duplicate { duplicate_of: "".into() }, "duplicate_of"),
            (
                S::New,
                EventRequest::Reassigned {
                    to_agency_id: "".into(), reason: "sai địa bàn".into()
                },
                "to_agency_id",
            ),
            (
                S::New,
                EventRequest::Reassigned { to_agency_id: "ubnd-a".into(), reason: "".into() },
                "reason",
            ),
            (S::New, EventRequest::Note { text: "\n".into() }, "text"),
        ];
        for (status, event, field) in cases {
            assert_eq!(
                decide_at_a_fitting_time(status, &event, Actor::AssignedStaff),
                Err(Refusal::Invalid(Invalid::new(field, Reason::Required))),
                "{event:?}"
            );
        }
        let reopen = EventRequest::Reopened { reason: "".into() };
        assert_eq!(
            decide_at_a_fitting_time(S::Resolved, &reopen, Actor::Reporter),
            Err(Refusal::Invalid(Invalid::new("reason", Reason::Required)))
        );
    }

    #[test]
    fn optional_comments_may_be_blank_and_texts_are_bounded() {
        let start = EventRequest::InProgress { comment: Some("  ".into()) };
        let transition = decide_at_a_fitting_time(S::Acknowledged, &start, Actor::Admin).unwrap();
        assert_eq!(transition.event, EventRequest::InProgress { comment: None });
        assert_eq!(transition.notice, Some(NoticeKind::InProgress));
        let long = EventRequest::Rejected { reason: "x".repeat(MAX_TEXT + 1) };
        assert_eq!(
            decide_at_a_fitting_time(S::New, &long, Actor::AssignedStaff),
            Err(Refusal::Invalid(Invalid::new("reason", Reason::TooLong { max: MAX_TEXT })))
        );
    }

    #[test]
    fn staff_of_another_agency_and_bystanders_are_forbidden() {
        let ack = valid(EventKind::Acknowledged);
        let refusal = decide_at_a_fitting_time(S::New, &ack, Actor::OtherStaff).unwrap_err();
        assert_eq!(
            refusal,
            Refusal::Forbidden { event: EventKind::Acknowledged, actor: Actor::OtherStaff }
        );
        assert!(refusal.message(Lang::Vi).contains("không có quyền"));
        // Not even an internal note.
        let note = valid(EventKind::Note);
        assert!(matches!(
            decide_at_a_fitting_time(S::New, &note, Actor::OtherStaff),
            Err(Refusal::Forbidden { .. })
        ));
        // A citizen who is not the reporter cannot rate or reopen someone else's complaint.
        for kind in [EventKind::Rated, EventKind::Reopened] {
            assert!(matches!(
                decide_at_a_fitting_time(S::Resolved, &valid(kind), Actor::Citizen),
                Err(Refusal::Forbidden { .. })
            ));
        }
    }

    #[test]
    fn the_reporter_cannot_send_staff_events_and_staff_cannot_rate() {
        assert_eq!(
            decide_at_a_fitting_time(S::InProgress, &valid(EventKind::Resolved), Actor::Reporter),
            Err(Refusal::Forbidden { event: EventKind::Resolved, actor: Actor::Reporter })
        );
        assert_eq!(
            decide_at_a_fitting_time(S::Resolved, &valid(EventKind::Rated), Actor::Admin),
            Err(Refusal::Forbidden { event: EventKind::Rated, actor: Actor::Admin })
        );
    }

    #[test]
    fn the_actor_is_checked_before_the_status_and_the_status_before_the_content() {
        let empty = EventRequest::Acknowledged { comment: "".into() };
        assert!(matches!(
            decide_at_a_fitting_time(S::Closed, &empty, Actor::Citizen),
            Err(Refusal::Forbidden { .. })
        ));
        assert!(matches!(
            decide_at_a_fitting_time(S::Closed, &empty, Actor::AssignedStaff),
            Err(Refusal::NotAllowedFrom { .. })
        ));
    }

    #[test]
    fn resolving_a_new_complaint_is_a_conflict_naming_event_and_status() {
        let refusal =
            decide_at_a_fitting_time(S::New, &valid(EventKind::Resolved), Actor::AssignedStaff)
                .unwrap_err();
        assert_eq!(refusal, Refusal::NotAllowedFrom { event: EventKind::Resolved, status: S::New });
        assert_eq!(
            refusal.message(Lang::En),
            "\"Resolution\" is not possible while the complaint is \"New\"."
        );
        assert_eq!(
            refusal.message(Lang::Vi),
            "Không thể \"Hoàn thành xử lý\" khi phản ánh đang ở trạng thái \"Mới\"."
        );
    }

    #[test]
    fn reassigning_sends_the_complaint_back_to_new_for_the_other_agency() {
        let transition = decide_at_a_fitting_time(
            S::InProgress,
            &valid(EventKind::Reassigned),
            Actor::AssignedStaff,
        )
        .unwrap();
        assert_eq!(transition.status, Some(S::New));
        assert!(transition.public);
        assert_eq!(transition.notice, Some(NoticeKind::Reassigned));
    }

    #[test]
    fn notes_are_internal_keep_the_status_and_notify_nobody() {
        for status in S::ALL {
            let transition =
                decide_at_a_fitting_time(status, &valid(EventKind::Note), Actor::Admin).unwrap();
            assert_eq!(
                (transition.status, transition.public, transition.notice),
                (None, false, None)
            );
        }
    }

    #[test]
    fn rating_takes_one_to_five_stars_and_closes() {
        let rate = |stars: i64| {
            decide_at_a_fitting_time(
                S::Resolved,
                &EventRequest::Rated { stars, comment: Some(" Cảm ơn! ".into()) },
                Actor::Reporter,
            )
        };
        for stars in [0, 6, -1] {
            assert_eq!(
                rate(stars),
                Err(Refusal::Invalid(Invalid::new("stars", Reason::OutOfRange { min: 1, max: 5 })))
            );
        }
        for stars in 1..=5 {
            let transition = rate(stars).unwrap();
            assert_eq!(transition.status, Some(S::Closed));
            assert_eq!(transition.notice, None);
            assert_eq!(
                transition.event,
                EventRequest::Rated { stars, comment: Some("Cảm ơn!".into()) }
            );
        }
        assert_eq!(
            decide_at_a_fitting_time(S::InProgress, &valid(EventKind::Rated), Actor::Reporter),
            Err(Refusal::NotAllowedFrom { event: EventKind::Rated, status: S::InProgress })
        );
        // Late, before the close job ran: still welcome.
        let late = decide(
            &state(S::Resolved),
            &valid(EventKind::Rated),
            Actor::Reporter,
            days_later(30),
            DEFAULT_REPORTER_WINDOW,
        );
        assert_eq!(late.unwrap().status, Some(S::Closed));
    }

    #[test]
    fn reopening_is_possible_only_within_the_window_and_resumes_work() {
        let reopen = |now, window| {
            decide(&state(S::Resolved), &valid(EventKind::Reopened), Actor::Reporter, now, window)
        };
        let transition = reopen(days_later(6), DEFAULT_REPORTER_WINDOW).unwrap();
        assert_eq!(transition.status, Some(S::InProgress));
        assert_eq!(transition.notice, Some(NoticeKind::Reopened));
        let ends = days_later(7);
        let refusal = reopen(ends, DEFAULT_REPORTER_WINDOW).unwrap_err();
        assert_eq!(
            refusal,
            Refusal::OutsideWindow { event: EventKind::Reopened, window_ends: ends }
        );
        // 2026-11-09 09:00 UTC is 16:00 in Vietnam.
        assert_eq!(
            refusal.message(Lang::Vi),
            "Đã hết hạn mở lại phản ánh lúc 16:00 09/11/2026 (giờ Việt Nam)."
        );
        // The window is the caller's to set.
        assert!(reopen(days_later(2), TimeDelta::days(3)).is_ok());
        assert!(reopen(days_later(4), TimeDelta::days(3)).is_err());
        assert!(matches!(
            decide_at_a_fitting_time(S::Closed, &valid(EventKind::Reopened), Actor::Reporter),
            Err(Refusal::NotAllowedFrom { .. })
        ));
    }

    #[test]
    fn the_system_closes_a_resolved_complaint_once_the_window_has_passed() {
        let resolved_at = time(SINCE);
        let window = DEFAULT_REPORTER_WINDOW;
        assert!(!should_auto_close(resolved_at, days_later(7) - TimeDelta::seconds(1), window));
        assert!(should_auto_close(resolved_at, days_later(7), window));
        let close =
            |now| decide(&state(S::Resolved), &EventRequest::Closed, Actor::System, now, window);
        assert_eq!(
            close(days_later(6)),
            Err(Refusal::OutsideWindow { event: EventKind::Closed, window_ends: days_later(7) })
        );
        let transition = close(days_later(7)).unwrap();
        assert_eq!(
            (transition.status, transition.public, transition.notice),
            (Some(S::Closed), true, Some(NoticeKind::Closed))
        );
        assert!(matches!(
            decide(&state(S::Resolved), &EventRequest::Closed, Actor::Admin, days_later(8), window),
            Err(Refusal::Forbidden { .. })
        ));
        // A window too long for the calendar never ends instead of overflowing.
        assert!(!should_auto_close(resolved_at, days_later(10_000), TimeDelta::MAX));
    }

    #[test]
    fn due_and_overdue_follow_the_sla_for_open_complaints_only() {
        let created = time("2026-11-02T09:00:00Z");
        let due = due_at(created, 48);
        assert_eq!(due, time("2026-11-04T09:00:00Z"));
        assert!(!is_overdue(S::InProgress, due, due));
        assert!(is_overdue(S::InProgress, due, due + TimeDelta::seconds(1)));
        for status in S::ALL {
            let expected = matches!(status, S::New | S::Acknowledged | S::InProgress);
            assert_eq!(is_overdue(status, due, due + TimeDelta::days(1)), expected, "{status:?}");
        }
        // Past the calendar's end it saturates instead of panicking.
        assert_eq!(due_at(created, u32::MAX), DateTime::<Utc>::MAX_UTC);
    }
}
