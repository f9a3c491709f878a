//! Complaints (phản ánh hiện trường): their status, the events of their timeline and who may
//! record which, deadlines, and the categories residents file them under with their extra
//! questions (Open311 service-definition attributes).

use crate::dossier::Notice;
use crate::validation::{clean_text, Invalid, Reason};
use crate::Lang;
use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    New,
    Acknowledged,
    InProgress,
    Resolved,
    Rejected,
    Duplicate,
    Closed,
}

impl ComplaintStatus {
    pub const ALL: [ComplaintStatus; 7] = [
        ComplaintStatus::New,
        ComplaintStatus::Acknowledged,
        ComplaintStatus::InProgress,
        ComplaintStatus::Resolved,
        ComplaintStatus::Rejected,
        ComplaintStatus::Duplicate,
        ComplaintStatus::Closed,
    ];
    const CODES: &'static [&'static str] =
        &["new", "acknowledged", "in_progress", "resolved", "rejected", "duplicate", "closed"];

    pub fn as_str(self) -> &'static str {
        Self::CODES[self as usize]
    }

    pub fn parse(field: &str, raw: &str) -> Result<ComplaintStatus, Invalid> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == raw)
            .ok_or_else(|| Invalid::new(field, Reason::OneOf { allowed: Self::CODES }))
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ComplaintStatus::New => "Mới",
            ComplaintStatus::Acknowledged => "Đã tiếp nhận",
            ComplaintStatus::InProgress => "Đang xử lý",
            ComplaintStatus::Resolved => "Đã xử lý xong",
            ComplaintStatus::Rejected => "Không xử lý",
            ComplaintStatus::Duplicate => "Trùng lặp",
            ComplaintStatus::Closed => "Đã đóng",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ComplaintStatus::New => "New",
            ComplaintStatus::Acknowledged => "Acknowledged",
            ComplaintStatus::InProgress => "In progress",
            ComplaintStatus::Resolved => "Resolved",
            ComplaintStatus::Rejected => "Rejected",
            ComplaintStatus::Duplicate => "Duplicate",
            ComplaintStatus::Closed => "Closed",
        }
    }

    /// Waiting on the agency: the SLA clock runs.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ComplaintStatus::New | ComplaintStatus::Acknowledged | ComplaintStatus::InProgress
        )
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
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

const OPEN: &[ComplaintStatus] =
    &[ComplaintStatus::New, ComplaintStatus::Acknowledged, ComplaintStatus::InProgress];

impl EventKind {
    pub const ALL: [EventKind; 10] = [
        EventKind::Acknowledged,
        EventKind::InProgress,
        EventKind::Resolved,
        EventKind::Rejected,
        EventKind::Duplicate,
        EventKind::Reassigned,
        EventKind::Note,
        EventKind::Rated,
        EventKind::Reopened,
        EventKind::Closed,
    ];
    const CODES: &'static [&'static str] = &[
        "acknowledged",
        "in_progress",
        "resolved",
        "rejected",
        "duplicate",
        "reassigned",
        "note",
        "rated",
        "reopened",
        "closed",
    ];

    pub fn as_str(self) -> &'static str {
        Self::CODES[self as usize]
    }

    pub fn parse(field: &str, raw: &str) -> Result<EventKind, Invalid> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw)
            .ok_or_else(|| Invalid::new(field, Reason::OneOf { allowed: Self::CODES }))
    }

    pub fn label_vi(self) -> &'static str {
        match self {
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
            EventKind::Rejected | EventKind::Duplicate | EventKind::Reassigned => OPEN,
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
            EventKind::Note => None,
            EventKind::Rated | EventKind::Closed => Some(ComplaintStatus::Closed),
        }
    }

    pub fn may_be_recorded_by(self, actor: Actor) -> bool {
        match self {
            EventKind::Rated | EventKind::Reopened => actor == Actor::Reporter,
            EventKind::Closed => actor == Actor::System,
            _ => matches!(actor, Actor::AssignedStaff | Actor::Admin),
        }
    }

    /// Notes are for staff only; everything else shows on the public timeline.
    pub fn is_public(self) -> bool {
        self != EventKind::Note
    }

    /// What the reporter and followers are told. A rating tells nothing new (the reporter
    /// gave it; the resolution was announced already); the system's close ends the week in
    /// which the reporter could still reopen, so they hear of it.
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
            EventKind::Note | EventKind::Rated => None,
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

const MAX_TEXT: usize = 4000;
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
    /// 403: this actor may never record this event on this complaint.
    Forbidden { event: EventKind, actor: Actor },
    /// 409: the event exists, but not from the current status.
    NotAllowedFrom { event: EventKind, status: ComplaintStatus },
    /// 409: allowed from this status, not at this time: a reopening after the reporter's
    /// window ended, or an automatic close before it did. A conflict with the complaint's
    /// state, like the one above, and not a fault in the request.
    OutsideWindow { event: EventKind, window_ends: DateTime<Utc> },
    /// 422: a field of the request is missing or wrong (`comment`, `stars`, …).
    Invalid(Invalid),
}

impl Refusal {
    pub fn http_status(&self) -> u16 {
        match self {
            Refusal::Forbidden { .. } => 403,
            Refusal::NotAllowedFrom { .. } | Refusal::OutsideWindow { .. } => 409,
            Refusal::Invalid(_) => 422,
        }
    }

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

/// What the reporter and the followers of a complaint are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    Acknowledged,
    InProgress,
    Resolved,
    Rejected,
    Duplicate,
    Reassigned,
    Reopened,
    Closed,
    /// To the staff of the agency a complaint was filed with or passed to.
    Assigned,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Acknowledged => "complaint_acknowledged",
            NoticeKind::InProgress => "complaint_in_progress",
            NoticeKind::Resolved => "complaint_resolved",
            NoticeKind::Rejected => "complaint_rejected",
            NoticeKind::Duplicate => "complaint_duplicate",
            NoticeKind::Reassigned => "complaint_reassigned",
            NoticeKind::Reopened => "complaint_reopened",
            NoticeKind::Closed => "complaint_closed",
            NoticeKind::Assigned => "complaint_assigned",
        }
    }

    /// (what happened, what the detail is), in Vietnamese then English.
    fn wording(self) -> [(&'static str, &'static str); 2] {
        match self {
            NoticeKind::Acknowledged => [
                ("đã được tiếp nhận", "Ý kiến của cơ quan"),
                ("was acknowledged", "The agency says"),
            ],
            NoticeKind::InProgress => [
                ("đang được xử lý", "Ý kiến của cơ quan"),
                ("is being worked on", "The agency says"),
            ],
            NoticeKind::Resolved => {
                [("đã được xử lý xong", "Kết quả xử lý"), ("was resolved", "The agency's response")]
            }
            NoticeKind::Rejected => [("không được xử lý", "Lý do"), ("was rejected", "Reason")],
            NoticeKind::Duplicate => [
                ("trùng với một phản ánh đã có", "Mời theo dõi phản ánh"),
                ("duplicates an earlier complaint", "Follow complaint"),
            ],
            NoticeKind::Reassigned => [
                ("đã được chuyển sang cơ quan khác xử lý", "Cơ quan tiếp nhận"),
                ("was passed to another agency", "Now handled by"),
            ],
            NoticeKind::Reopened => [("đã được mở lại", "Lý do"), ("was reopened", "Reason")],
            NoticeKind::Closed => [
                ("đã đóng sau 7 ngày không có ý kiến", "Ghi chú"),
                ("was closed after 7 days without a reply", "Note"),
            ],
            NoticeKind::Assigned => [
                ("đã được giao cho cơ quan của bạn", "Nội dung"),
                ("was assigned to your agency", "Description"),
            ],
        }
    }
}

/// Longest detail quoted in a notice; push payloads are small.
const NOTICE_DETAIL_CHARS: usize = 200;

/// The inbox entry for a complaint's followers. `detail` is the agency's words (comment,
/// response, reason), the other complaint's id for a duplicate, or the receiving agency's
/// name for a reassignment; it is quoted as written, shortened past 200 characters.
pub fn complaint_notice(
    kind: NoticeKind,
    complaint_id: &str,
    category: &Category,
    detail: Option<&str>,
) -> Notice {
    let [(happened_vi, detail_vi), (happened_en, detail_en)] = kind.wording();
    let detail = detail.map(str::trim).filter(|d| !d.is_empty()).map(|d| {
        if d.chars().count() > NOTICE_DETAIL_CHARS {
            format!("{}…", d.chars().take(NOTICE_DETAIL_CHARS - 1).collect::<String>())
        } else {
            d.to_string()
        }
    });
    let with_detail = |sentence: String, label: &str| match &detail {
        Some(detail) => format!("{sentence} {label}: {detail}"),
        None => sentence,
    };
    Notice {
        kind: kind.as_str(),
        title_vi: format!("Phản ánh #{complaint_id} {happened_vi}"),
        body_vi: with_detail(
            format!("Phản ánh #{complaint_id} ({}) {happened_vi}.", category.name.vi),
            detail_vi,
        ),
        title_en: format!("Complaint #{complaint_id} {happened_en}"),
        body_en: with_detail(
            format!("Complaint #{complaint_id} ({}) {happened_en}.", category.name.en),
            detail_en,
        ),
        data: BTreeMap::from([
            ("kind", kind.as_str().to_string()),
            ("complaint_id", complaint_id.to_string()),
        ]),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bilingual {
    pub vi: String,
    pub en: String,
}

impl Bilingual {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

pub const DEFAULT_NEARBY_RADIUS_M: u32 = 250;

/// What residents file a complaint under; an Open311 service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// The Open311 `service_code`.
    pub code: String,
    pub name: Bilingual,
    pub group: Bilingual,
    /// Comma-separated words a resident might use for it (Open311 `keywords`).
    #[serde(default)]
    pub keywords: Bilingual,
    /// Hours from filing to resolution.
    pub sla_hours: u32,
    pub icon: String,
    /// How far to look for similar open complaints before filing a new one.
    #[serde(default = "default_nearby_radius")]
    pub nearby_radius_m: u32,
    #[serde(default)]
    pub attributes: Vec<Attribute>,
}

fn default_nearby_radius() -> u32 {
    DEFAULT_NEARBY_RADIUS_M
}

/// An extra question of a category, as an Open311 service-definition attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    pub code: String,
    pub datatype: Datatype,
    pub required: bool,
    pub description: Bilingual,
    /// The allowed answers of a list; empty for other datatypes.
    #[serde(default)]
    pub values: Vec<AttributeValue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datatype {
    String,
    Number,
    DateTime,
    Text,
    SingleValueList,
    MultiValueList,
}

impl Datatype {
    fn is_list(self) -> bool {
        matches!(self, Datatype::SingleValueList | Datatype::MultiValueList)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeValue {
    pub key: String,
    pub name: Bilingual,
}

/// An answer, typed by its attribute's datatype.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Text(String),
    Number(f64),
    DateTime(DateTime<FixedOffset>),
    Choice(String),
    Choices(Vec<String>),
}

/// Answers by attribute code.
pub type Answers = BTreeMap<String, Answer>;

const MAX_STRING_ANSWER: usize = 200;

impl Category {
    /// Checks a complaint's answers (by attribute code, each with its values as an Open311
    /// form sends `attribute[CODE]`) against the questions. Blank values count as absent;
    /// a refusal names `attribute[CODE]`.
    pub fn check_answers(
        &self,
        answers: &HashMap<String, Vec<String>>,
    ) -> Result<Answers, Invalid> {
        let field = |code: &str| format!("attribute[{code}]");
        let unknown =
            answers.keys().filter(|code| !self.attributes.iter().any(|a| &a.code == *code));
        if let Some(code) = unknown.min() {
            return Err(Invalid::new(
                field(code),
                Reason::Format {
                    expected_vi: "một câu hỏi của loại phản ánh này",
                    expected_en: "a question of this category",
                },
            ));
        }
        let mut checked = Answers::new();
        for attribute in &self.attributes {
            let field = field(&attribute.code);
            let given: Vec<&str> = answers
                .get(&attribute.code)
                .into_iter()
                .flatten()
                .map(|value| value.trim())
                .filter(|value| !value.is_empty())
                .collect();
            let Some(&first) = given.first() else {
                if attribute.required {
                    return Err(Invalid::new(field, Reason::Required));
                }
                continue;
            };
            if given.len() > 1 && attribute.datatype != Datatype::MultiValueList {
                return Err(Invalid::new(
                    field,
                    Reason::Format {
                        expected_vi: "một giá trị duy nhất",
                        expected_en: "a single value",
                    },
                ));
            }
            let answer = match attribute.datatype {
                Datatype::String => {
                    Answer::Text(clean_text(&field, first, 1, MAX_STRING_ANSWER, false)?)
                }
                Datatype::Text => Answer::Text(clean_text(&field, first, 1, MAX_TEXT, true)?),
                Datatype::Number => match first.parse::<f64>() {
                    Ok(number) if number.is_finite() => Answer::Number(number),
                    _ => {
                        return Err(Invalid::new(
                            field,
                            Reason::Format {
                                expected_vi: "một số, dấu chấm thập phân (ví dụ 1.5)",
                                expected_en: "a number with a decimal point (e.g. 1.5)",
                            },
                        ))
                    }
                },
                Datatype::DateTime => match DateTime::parse_from_rfc3339(first) {
                    Ok(at) => Answer::DateTime(at),
                    Err(_) => {
                        return Err(Invalid::new(
                            field,
                            Reason::Format {
                                expected_vi: "ngày giờ RFC 3339, ví dụ 2026-11-20T08:30:00+07:00",
                                expected_en:
                                    "an RFC 3339 date-time, e.g. 2026-11-20T08:30:00+07:00",
                            },
                        ))
                    }
                },
                Datatype::SingleValueList => Answer::Choice(attribute.choice(&field, first)?),
                Datatype::MultiValueList => {
                    let mut keys: Vec<String> = Vec::with_capacity(given.len());
                    for value in given {
                        let key = attribute.choice(&field, value)?;
                        if !keys.contains(&key) {
                            keys.push(key);
                        }
                    }
                    Answer::Choices(keys)
                }
            };
            checked.insert(attribute.code.clone(), answer);
        }
        Ok(checked)
    }
}

impl Attribute {
    fn choice(&self, field: &str, key: &str) -> Result<String, Invalid> {
        if self.values.iter().any(|value| value.key == key) {
            Ok(key.to_string())
        } else {
            Err(Invalid::new(
                field,
                Reason::Format {
                    expected_vi: "một trong các lựa chọn của câu hỏi",
                    expected_en: "one of the question's options",
                },
            ))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoriesFile {
    #[serde(default, rename = "note")]
    _note: serde::de::IgnoredAny,
    categories: Vec<Category>,
}

/// Reads a categories file (`data/categories.json`'s shape), or says where it is wrong.
pub fn parse_categories(json: &str) -> Result<Vec<Category>, String> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let file: CategoriesFile = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|err| format!("{}: {}", err.path(), err.inner()))?;
    deserializer.end().map_err(|err| err.to_string())?;
    if file.categories.is_empty() {
        return Err("categories: the list is empty".into());
    }
    let mut codes = HashSet::new();
    for (index, category) in file.categories.iter().enumerate() {
        let at = format!("categories[{index}]");
        check_category(category).map_err(|problem| format!("{at}.{problem}"))?;
        if !codes.insert(category.code.as_str()) {
            return Err(format!("{at}.code: {} appears twice", category.code));
        }
    }
    Ok(file.categories)
}

/// Lower-case ASCII letters, digits and underscores, 1–40 of them: codes and keys in URLs and
/// form field names.
fn is_code(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

const CODE_RULE: &str = "must be 1–40 lower-case ASCII letters, digits or underscores";

fn check_bilingual(field: &str, text: &Bilingual) -> Result<(), String> {
    for (lang, value) in [("vi", &text.vi), ("en", &text.en)] {
        clean_text("", value, 1, 300, false)
            .map_err(|invalid| format!("{field}.{lang}: {}", invalid.reason.message(Lang::En)))?;
    }
    Ok(())
}

fn check_category(category: &Category) -> Result<(), String> {
    if !is_code(&category.code) {
        return Err(format!("code: {CODE_RULE}"));
    }
    check_bilingual("name", &category.name)?;
    check_bilingual("group", &category.group)?;
    if !(1..=8760).contains(&category.sla_hours) {
        return Err("sla_hours: must be between 1 and 8760 (a year)".into());
    }
    if !is_code(&category.icon) {
        return Err(format!("icon: {CODE_RULE}"));
    }
    if !(10..=5000).contains(&category.nearby_radius_m) {
        return Err("nearby_radius_m: must be between 10 and 5000".into());
    }
    let mut codes = HashSet::new();
    for (index, attribute) in category.attributes.iter().enumerate() {
        let at = format!("attributes[{index}]");
        if !is_code(&attribute.code) {
            return Err(format!("{at}.code: {CODE_RULE}"));
        }
        if !codes.insert(attribute.code.as_str()) {
            return Err(format!("{at}.code: {} appears twice", attribute.code));
        }
        check_bilingual(&format!("{at}.description"), &attribute.description)?;
        match (attribute.datatype.is_list(), attribute.values.is_empty()) {
            (true, true) => return Err(format!("{at}.values: a list needs values")),
            (false, false) => return Err(format!("{at}.values: only lists have values")),
            _ => {}
        }
        let mut keys = HashSet::new();
        for (index, value) in attribute.values.iter().enumerate() {
            let at = format!("{at}.values[{index}]");
            if !is_code(&value.key) {
                return Err(format!("{at}.key: {CODE_RULE}"));
            }
            if !keys.insert(value.key.as_str()) {
                return Err(format!("{at}.key: {} appears twice", value.key));
            }
            check_bilingual(&format!("{at}.name"), &value.name)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
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
        }
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
            for kind in EventKind::ALL {
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
    fn statuses_and_events_round_trip_as_snake_case() {
        for status in S::ALL {
            assert_eq!(S::parse("status", status.as_str()), Ok(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse("event", kind.as_str()), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert_eq!(S::InProgress.as_str(), "in_progress");
        assert_eq!(S::InProgress.label_vi(), "Đang xử lý");
        assert_eq!(
            S::parse("status", "open").unwrap_err(),
            Invalid::new("status", Reason::OneOf { allowed: S::CODES })
        );
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
        assert_eq!(refusal.http_status(), 422);
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
        assert_eq!(refusal.http_status(), 403);
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
        assert_eq!(refusal.http_status(), 409);
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
        assert_eq!(refusal.http_status(), 409);
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

    fn shipped() -> Vec<Category> {
        parse_categories(include_str!("../../data/categories.json")).unwrap()
    }

    fn category(code: &str) -> Category {
        shipped().into_iter().find(|c| c.code == code).unwrap()
    }

    #[test]
    fn the_shipped_categories_parse() {
        let categories = shipped();
        let codes: Vec<&str> = categories.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "road_damage",
                "street_light",
                "garbage",
                "drainage_flooding",
                "encroachment",
                "trees",
                "illegal_construction",
                "noise",
                "water_supply",
                "food_safety",
                "other",
            ]
        );
        let flooding = category("drainage_flooding");
        assert_eq!(flooding.name.get(Lang::Vi), "Thoát nước, ngập úng");
        let depth = flooding.attributes.iter().find(|a| a.code == "depth").unwrap();
        assert!(depth.required && depth.datatype == Datatype::SingleValueList);
        assert_eq!(category("other").nearby_radius_m, DEFAULT_NEARBY_RADIUS_M);
        let pole = &category("street_light").attributes[0];
        assert_eq!(
            (pole.code.as_str(), pole.datatype, pole.required),
            ("pole_number", Datatype::String, false)
        );
        assert!(categories.iter().all(|c| c.sla_hours <= 240));
    }

    #[test]
    fn bad_category_files_are_refused_naming_the_place() {
        let refused = |json: &str| parse_categories(json).unwrap_err();
        let one = |category: &str| format!(r#"{{"categories": [{category}]}}"#);
        let base = r#""code": "pothole", "name": {"vi": "Ổ gà", "en": "Pothole"},
            "group": {"vi": "Giao thông", "en": "Roads"}, "sla_hours": 72, "icon": "road""#;
        assert!(parse_categories(&one(&format!("{{{base}}}"))).is_ok());
        let with = |extra: &str| one(&format!("{{{base}, {extra}}}"));
        let question = |datatype: &str, values: &str| {
            with(&format!(
                r#""attributes": [{{"code": "q", "datatype": "{datatype}", "required": true,
                "description": {{"vi": "Câu hỏi", "en": "Question"}}{values}}}]"#
            ))
        };
        let cases = [
            (r#"{"categories": []}"#.to_string(), "categories: the list is empty"),
            (
                format!(r#"{{"categories": [{{{base}}}, {{{base}}}]}}"#),
                "categories[1].code: pothole appears twice",
            ),
            (with(r#""colour": "red""#), "categories[0].colour: unknown field `colour`"),
            (
                one(&format!("{{{}}}", base.replace("72", "0"))),
                "categories[0].sla_hours: must be between",
            ),
            (
                one(&format!("{{{}}}", base.replace("Pothole", " "))),
                "categories[0].name.en: is required",
            ),
            (
                one(&format!("{{{}}}", base.replace("\"pothole\"", "\"Ổ gà\""))),
                "categories[0].code: must be",
            ),
            (with(r#""nearby_radius_m": 1"#), "categories[0].nearby_radius_m: must be between"),
            (
                question("colour", ""),
                "categories[0].attributes[0].datatype: unknown variant `colour`",
            ),
            (
                question("singlevaluelist", ""),
                "categories[0].attributes[0].values: a list needs values",
            ),
            (
                question("string", r#", "values": [{"key": "a", "name": {"vi": "A", "en": "A"}}]"#),
                "categories[0].attributes[0].values: only lists have values",
            ),
            (
                question(
                    "multivaluelist",
                    r#", "values": [{"key": "a", "name": {"vi": "A", "en": "A"}},
                                    {"key": "a", "name": {"vi": "B", "en": "B"}}]"#,
                ),
                "categories[0].attributes[0].values[1].key: a appears twice",
            ),
        ];
        for (json, start) in cases {
            let message = refused(&json);
            assert!(message.starts_with(start), "{message}\n  expected: {start}");
        }
    }

    fn answers(pairs: &[(&str, &[&str])]) -> HashMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(code, values)| {
                (code.to_string(), values.iter().map(|v| v.to_string()).collect())
            })
            .collect()
    }

    #[test]
    fn answers_are_checked_and_typed_by_their_questions() {
        let flooding = category("drainage_flooding");
        let checked = flooding
            .check_answers(&answers(&[
                ("depth", &["knee"]),
                ("since", &["2026-11-20T08:30:00+07:00"]),
            ]))
            .unwrap();
        assert_eq!(checked["depth"], Answer::Choice("knee".into()));
        assert_eq!(
            checked["since"],
            Answer::DateTime(DateTime::parse_from_rfc3339("2026-11-20T01:30:00Z").unwrap())
        );
        assert_eq!(serde_json::to_value(&checked["depth"]).unwrap(), "knee");

        let refusal = |category: &Category, given: &[(&str, &[&str])]| {
            let invalid = category.check_answers(&answers(given)).unwrap_err();
            (invalid.field, invalid.reason.code())
        };
        let field = |code: &str| format!("attribute[{code}]");
        assert_eq!(refusal(&flooding, &[]), (field("depth"), "required"));
        assert_eq!(refusal(&flooding, &[("depth", &["  "])]), (field("depth"), "required"));
        assert_eq!(refusal(&flooding, &[("depth", &["neck"])]), (field("depth"), "format"));
        assert_eq!(
            refusal(&flooding, &[("depth", &["knee", "ankle"])]),
            (field("depth"), "format")
        );
        assert_eq!(
            refusal(&flooding, &[("depth", &["knee"]), ("since", &["20/11/2026 08:30"])]),
            (field("since"), "format")
        );
        assert_eq!(
            refusal(&flooding, &[("depth", &["knee"]), ("colour", &["red"]), ("boat", &["no"])]),
            (field("boat"), "format")
        );

        let food = category("food_safety");
        let checked = food
            .check_answers(&answers(&[
                ("place_type", &["street_vendor"]),
                ("people_affected", &[" 3 "]),
            ]))
            .unwrap();
        assert_eq!(checked["people_affected"], Answer::Number(3.0));
        for bad in ["ba", "1,5", "NaN", "inf"] {
            assert_eq!(
                refusal(&food, &[("place_type", &["market"]), ("people_affected", &[bad])]),
                (field("people_affected"), "format"),
                "{bad}"
            );
        }

        let garbage = category("garbage");
        let checked = garbage
            .check_answers(&answers(&[("waste_types", &["household", "bulky", "household", ""])]))
            .unwrap();
        assert_eq!(
            checked["waste_types"],
            Answer::Choices(vec!["household".into(), "bulky".into()])
        );
        assert_eq!(
            refusal(&garbage, &[("waste_types", &["household", "gold"])]),
            (field("waste_types"), "format")
        );

        let lights = category("street_light");
        let checked = lights.check_answers(&answers(&[("pole_number", &[" HC-0142 "])])).unwrap();
        assert_eq!(checked["pole_number"], Answer::Text("HC-0142".into()));
        assert!(lights.check_answers(&HashMap::new()).unwrap().is_empty());
        assert_eq!(
            refusal(&lights, &[("pole_number", &["a\u{7}b"])]),
            (field("pole_number"), "control_characters")
        );
    }

    #[test]
    fn notices_speak_both_languages_and_quote_the_agency_briefly() {
        let road = category("road_damage");
        let notice =
            complaint_notice(NoticeKind::Resolved, "c-77", &road, Some("Đã vá ổ gà trước số 12"));
        assert_eq!(notice.kind, "complaint_resolved");
        assert_eq!(notice.title_vi, "Phản ánh #c-77 đã được xử lý xong");
        assert_eq!(
            notice.body_vi,
            "Phản ánh #c-77 (Hư hỏng đường) đã được xử lý xong. Kết quả xử lý: Đã vá ổ gà trước số 12"
        );
        assert_eq!(notice.title_en, "Complaint #c-77 was resolved");
        assert_eq!(
            notice.body_en,
            "Complaint #c-77 (Road damage) was resolved. The agency's response: Đã vá ổ gà trước số 12"
        );
        assert_eq!(notice.data["complaint_id"], "c-77");
        assert_eq!(notice.data["kind"], "complaint_resolved");

        let bare = complaint_notice(NoticeKind::InProgress, "c-77", &road, Some("  "));
        assert_eq!(bare.body_en, "Complaint #c-77 (Road damage) is being worked on.");
        let long = complaint_notice(NoticeKind::Rejected, "c-77", &road, Some(&"ạ".repeat(500)));
        let quoted = long.body_vi.split("Lý do: ").nth(1).unwrap();
        assert_eq!(quoted.chars().count(), NOTICE_DETAIL_CHARS);
        assert!(quoted.ends_with('…'));
    }
}

/// One complaint's dates and outcome, for the public statistics.
#[derive(Debug, Clone)]
pub struct ComplaintOutcome {
    pub agency_id: String,
    pub created_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub rating: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplaintMonth {
    pub agency_id: String,
    /// `YYYY-MM`, in Vietnam's time.
    pub month: String,
    pub received: u64,
    pub resolved: u64,
    pub resolved_within_sla: u64,
    /// Median hours from filing to resolution of those resolved that month.
    pub median_hours_to_resolve: Option<f64>,
    pub average_rating: Option<f64>,
    pub ratings: u64,
}

/// Per agency and month: received that month; resolved that month, within the SLA (resolved
/// ≤ due), the median time it took; and the ratings of those resolved that month.
pub fn monthly_complaint_stats(outcomes: &[ComplaintOutcome]) -> Vec<ComplaintMonth> {
    #[derive(Default)]
    struct Cell {
        received: u64,
        hours: Vec<f64>,
        within: u64,
        ratings: Vec<i32>,
    }
    let vietnam = FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    let month = |at: DateTime<Utc>| at.with_timezone(&vietnam).format("%Y-%m").to_string();
    let mut table: BTreeMap<(String, String), Cell> = BTreeMap::new();
    for o in outcomes {
        table.entry((o.agency_id.clone(), month(o.created_at))).or_default().received += 1;
        if let Some(resolved) = o.resolved_at {
            let cell = table.entry((o.agency_id.clone(), month(resolved))).or_default();
            cell.hours.push((resolved - o.created_at).num_seconds() as f64 / 3600.0);
            cell.within += u64::from(resolved <= o.due_at);
            cell.ratings.extend(o.rating);
        }
    }
    table
        .into_iter()
        .map(|((agency_id, month), mut cell)| {
            cell.hours.sort_by(f64::total_cmp);
            let median = match cell.hours.len() {
                0 => None,
                n if n % 2 == 1 => Some(cell.hours[n / 2]),
                n => Some((cell.hours[n / 2 - 1] + cell.hours[n / 2]) / 2.0),
            };
            let ratings = cell.ratings.len() as u64;
            ComplaintMonth {
                agency_id,
                month,
                received: cell.received,
                resolved: cell.hours.len() as u64,
                resolved_within_sla: cell.within,
                median_hours_to_resolve: median.map(|h| (h * 10.0).round() / 10.0),
                average_rating: (ratings > 0).then(|| {
                    cell.ratings.iter().map(|&r| f64::from(r)).sum::<f64>() / ratings as f64
                }),
                ratings,
            }
        })
        .collect()
}

#[cfg(test)]
mod stats_tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn months_count_received_resolved_within_sla_median_and_rating() {
        let outcome = |created: &str, due: &str, resolved: Option<&str>, rating| ComplaintOutcome {
            agency_id: "a".into(),
            created_at: at(created),
            due_at: at(due),
            resolved_at: resolved.map(at),
            rating,
        };
        let stats = monthly_complaint_stats(&[
            outcome(
                "2026-11-01T00:00:00Z",
                "2026-11-02T00:00:00Z",
                Some("2026-11-01T10:00:00Z"),
                Some(5),
            ),
            outcome(
                "2026-11-02T00:00:00Z",
                "2026-11-03T00:00:00Z",
                Some("2026-11-04T00:00:00Z"),
                Some(2),
            ),
            outcome(
                "2026-11-03T00:00:00Z",
                "2026-11-04T00:00:00Z",
                Some("2026-11-03T20:00:00Z"),
                None,
            ),
            outcome("2026-11-05T00:00:00Z", "2026-11-06T00:00:00Z", None, None),
        ]);
        assert_eq!(stats.len(), 1);
        let november = &stats[0];
        assert_eq!((november.received, november.resolved, november.resolved_within_sla), (4, 3, 2));
        assert_eq!(november.median_hours_to_resolve, Some(20.0));
        assert_eq!(november.average_rating, Some(3.5));
        // 31 October 20:00 UTC is already November in Vietnam.
        let late = monthly_complaint_stats(&[outcome(
            "2026-10-31T20:00:00Z",
            "2026-11-01T20:00:00Z",
            None,
            None,
        )]);
        assert_eq!(late[0].month, "2026-11");
    }
}
