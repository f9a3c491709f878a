//! Dossiers (hồ sơ) as the national portal describes them: the ten status codes, the rules for
//! the events agencies send, the state that follows from them, and what a citizen is shown.

use crate::calendar::WorkCalendar;
use crate::push::NotificationKind;
use crate::validation::{Invalid, Reason};
use crate::word::impl_word;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a dossier reached the agency: handed in at the one-stop-shop counter, or submitted
/// online (the national or provincial portal, or this app). The public figures count each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DossierChannel {
    #[default]
    Counter,
    Online,
}

impl_word!(DossierChannel {
    Counter => "counter",
    Online => "online",
});

/// Where a dossier's record began: sent by the agency's one-stop-shop system, or submitted
/// online by a citizen in this app (which the agency's system then pulls or is sent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DossierOrigin {
    #[default]
    Agency,
    Online,
}

impl_word!(DossierOrigin {
    Agency => "agency",
    Online => "online",
});

/// `TrangThaiHoSo`, the national one-stop-shop status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DossierStatus {
    Submitted = 1,
    Received = 2,
    RejectedAtIntake = 3,
    Processing = 4,
    MoreDocumentsNeeded = 5,
    PaymentRequired = 6,
    Withdrawn = 7,
    Stopped = 8,
    Done = 9,
    ResultReturned = 10,
}

impl DossierStatus {
    pub const ALL: [DossierStatus; 10] = [
        DossierStatus::Submitted,
        DossierStatus::Received,
        DossierStatus::RejectedAtIntake,
        DossierStatus::Processing,
        DossierStatus::MoreDocumentsNeeded,
        DossierStatus::PaymentRequired,
        DossierStatus::Withdrawn,
        DossierStatus::Stopped,
        DossierStatus::Done,
        DossierStatus::ResultReturned,
    ];

    pub fn from_code(code: i32) -> Option<DossierStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn parse(field: &str, code: i32) -> Result<DossierStatus, Invalid> {
        Self::from_code(code)
            .ok_or_else(|| Invalid::new(field, Reason::OutOfRange { min: 1, max: 10 }))
    }

    pub fn code(self) -> i32 {
        self as i32
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            DossierStatus::Submitted => "Mới đăng ký",
            DossierStatus::Received => "Được tiếp nhận",
            DossierStatus::RejectedAtIntake => "Không được tiếp nhận",
            DossierStatus::Processing => "Đang xử lý",
            DossierStatus::MoreDocumentsNeeded => "Yêu cầu bổ sung giấy tờ",
            DossierStatus::PaymentRequired => "Yêu cầu thực hiện nghĩa vụ tài chính",
            DossierStatus::Withdrawn => "Công dân yêu cầu rút hồ sơ",
            DossierStatus::Stopped => "Dừng xử lý",
            DossierStatus::Done => "Đã xử lý xong",
            DossierStatus::ResultReturned => "Đã trả kết quả",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DossierStatus::Submitted => "Newly submitted",
            DossierStatus::Received => "Received",
            DossierStatus::RejectedAtIntake => "Rejected at intake",
            DossierStatus::Processing => "Processing",
            DossierStatus::MoreDocumentsNeeded => "More documents needed",
            DossierStatus::PaymentRequired => "Payment required",
            DossierStatus::Withdrawn => "Withdrawn by the citizen",
            DossierStatus::Stopped => "Stopped",
            DossierStatus::Done => "Done",
            DossierStatus::ResultReturned => "Result returned",
        }
    }

    /// After these, nothing more happens to a dossier unless an event reopens it.
    pub fn closes(self) -> bool {
        matches!(
            self,
            DossierStatus::RejectedAtIntake
                | DossierStatus::Withdrawn
                | DossierStatus::Stopped
                | DossierStatus::ResultReturned
        )
    }

    pub fn is_finished(self) -> bool {
        matches!(self, DossierStatus::Done | DossierStatus::ResultReturned)
    }

    /// Whether the applicant may still withdraw it (status 7): until it is decided, that is
    /// neither closed nor done.
    pub fn may_withdraw(self) -> bool {
        !self.closes() && !self.is_finished()
    }
}

/// Dossier codes as one-stop-shop systems issue them (`000.00.07.H47-261122-0001`):
/// 4–60 upper-case ASCII letters, digits, dots, dashes, underscores or slashes.
pub fn parse_dossier_code(field: &str, raw: &str) -> Result<String, Invalid> {
    let code = raw.trim();
    let ok = (4..=60).contains(&code.len())
        && code.chars().all(|c| {
            c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | '/')
        });
    if ok {
        Ok(code.to_string())
    } else {
        Err(Invalid::new(
            field,
            Reason::Format {
                expected_vi: "mã hồ sơ gồm 4–60 chữ in hoa, số, dấu chấm, gạch ngang",
                expected_en: "a dossier code of 4–60 upper-case letters, digits, dots or dashes",
            },
        ))
    }
}

/// What is already stored of an event, enough to judge a new one.
#[derive(Debug, Clone)]
pub struct PastEvent {
    pub event_id: String,
    pub status: DossierStatus,
    pub occurred_at: NaiveDateTime,
    pub reopens: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventDecision {
    Record,
    /// Sent before (same id): ignored, so retries are harmless.
    Repeat,
    /// Comes after a closing status without saying it reopens the dossier.
    Closed {
        status: DossierStatus,
    },
}

/// Judges an event against the dossier's history. Events may arrive late: one older than the
/// latest is history and is recorded; only an event after a closing status must reopen.
pub fn judge_event(
    history: &[PastEvent],
    event_id: &str,
    occurred_at: NaiveDateTime,
    reopens: bool,
) -> EventDecision {
    if history.iter().any(|e| e.event_id == event_id) {
        return EventDecision::Repeat;
    }
    match latest(history) {
        Some(last) if last.status.closes() && occurred_at > last.occurred_at && !reopens => {
            EventDecision::Closed { status: last.status }
        }
        _ => EventDecision::Record,
    }
}

fn latest(history: &[PastEvent]) -> Option<&PastEvent> {
    // Ties on time: the later-recorded one (history is in recording order) wins.
    history.iter().enumerate().max_by_key(|(i, e)| (e.occurred_at, *i)).map(|(_, e)| e)
}

/// The state that follows from the events: the latest by event time is current, and a
/// dossier is finished from the first of its trailing run of done/returned events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierState {
    pub status: DossierStatus,
    pub status_at: NaiveDateTime,
    pub finished_on: Option<NaiveDate>,
}

pub fn derive_state(history: &[PastEvent]) -> Option<DossierState> {
    let mut ordered: Vec<(usize, &PastEvent)> = history.iter().enumerate().collect();
    ordered.sort_by_key(|(i, e)| (e.occurred_at, *i));
    let (_, last) = *ordered.last()?;
    let finished_on = if last.status.is_finished() {
        ordered
            .iter()
            .rev()
            .take_while(|(_, e)| e.status.is_finished())
            .last()
            .map(|(_, e)| e.occurred_at.date())
    } else {
        None
    };
    Some(DossierState { status: last.status, status_at: last.occurred_at, finished_on })
}

/// Where a dossier stands against its due date, in working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub working_days_left: Option<i64>,
    pub working_days_overdue: Option<i64>,
    pub on_time: Option<bool>,
}

pub fn deadline(
    calendar: &WorkCalendar,
    due_on: NaiveDate,
    finished_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Deadline {
    match finished_on {
        Some(finished) => Deadline {
            working_days_left: None,
            working_days_overdue: None,
            on_time: Some(finished <= due_on),
        },
        None if today <= due_on => Deadline {
            working_days_left: Some(calendar.working_days_between(today, due_on)),
            working_days_overdue: None,
            on_time: None,
        },
        None => Deadline {
            working_days_left: None,
            working_days_overdue: Some(calendar.working_days_between(due_on, today)),
            on_time: None,
        },
    }
}

/// "Nguyễn Văn An" → "Nguyễn V. A.": the family name and initials, enough for a person to
/// recognise their own dossier and too little to identify a stranger's.
pub fn mask_name(full_name: &str) -> String {
    let mut words = full_name.split_whitespace();
    let Some(family) = words.next() else {
        return String::new();
    };
    let initials: Vec<String> =
        words.filter_map(|w| w.chars().next()).map(|c| format!("{}.", c.to_uppercase())).collect();
    if initials.is_empty() {
        family.to_string()
    } else {
        format!("{family} {}", initials.join(" "))
    }
}

/// One dossier's dates, for the public statistics.
#[derive(Debug, Clone)]
pub struct DossierDates {
    pub agency_id: String,
    pub channel: DossierChannel,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub finished_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthStats {
    pub agency_id: String,
    /// `YYYY-MM`.
    pub month: String,
    pub received: u64,
    pub finished: u64,
    pub finished_on_time: u64,
    /// Finished on time over finished; absent when nothing was finished that month.
    pub on_time_rate: Option<f64>,
    /// The same figures for each channel, counter first, both always present.
    pub channels: Vec<ChannelStats>,
}

/// One channel's share of an agency's month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelStats {
    pub channel: DossierChannel,
    pub received: u64,
    pub finished: u64,
    pub finished_on_time: u64,
    pub on_time_rate: Option<f64>,
}

/// Received, finished, finished on time.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    received: u64,
    finished: u64,
    on_time: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.received += other.received;
        self.finished += other.finished;
        self.on_time += other.on_time;
    }

    fn on_time_rate(self) -> Option<f64> {
        (self.finished > 0).then(|| self.on_time as f64 / self.finished as f64)
    }
}

/// Per agency and month: dossiers received that month, finished that month, and of those
/// finished, how many on or before their due date; in all and by channel.
pub fn monthly_stats(dossiers: &[DossierDates]) -> Vec<MonthStats> {
    type AgencyMonth = (String, (i32, u32));
    let mut table: BTreeMap<AgencyMonth, BTreeMap<DossierChannel, Counts>> = BTreeMap::new();
    fn cell<'t>(
        table: &'t mut BTreeMap<AgencyMonth, BTreeMap<DossierChannel, Counts>>,
        d: &DossierDates,
        day: NaiveDate,
    ) -> &'t mut Counts {
        let key = (d.agency_id.clone(), (day.year(), day.month()));
        table.entry(key).or_default().entry(d.channel).or_default()
    }
    for d in dossiers {
        cell(&mut table, d, d.received_on).received += 1;
        if let Some(finished) = d.finished_on {
            let counts = cell(&mut table, d, finished);
            counts.finished += 1;
            if finished <= d.due_on {
                counts.on_time += 1;
            }
        }
    }
    table
        .into_iter()
        .map(|((agency_id, (year, month)), by_channel)| {
            let mut all = Counts::default();
            let channels = DossierChannel::ALL
                .iter()
                .map(|&channel| {
                    let counts = by_channel.get(&channel).copied().unwrap_or_default();
                    all.add(counts);
                    ChannelStats {
                        channel,
                        received: counts.received,
                        finished: counts.finished,
                        finished_on_time: counts.on_time,
                        on_time_rate: counts.on_time_rate(),
                    }
                })
                .collect();
            MonthStats {
                agency_id,
                month: format!("{year:04}-{month:02}"),
                received: all.received,
                finished: all.finished,
                finished_on_time: all.on_time,
                on_time_rate: all.on_time_rate(),
                channels,
            }
        })
        .collect()
}

/// An inbox entry in both languages, with the data the app routes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NotificationKind,
    pub title_vi: String,
    pub body_vi: String,
    pub title_en: String,
    pub body_en: String,
    /// String values only: push payloads carry strings.
    pub data: BTreeMap<&'static str, String>,
}

/// What a follower of a dossier is told when its status changes.
pub fn status_notice(code: &str, procedure_name: &str, status: DossierStatus) -> Notice {
    let kind = NotificationKind::DossierStatus;
    Notice {
        kind,
        title_vi: format!("Hồ sơ {code}: {}", status.label_vi()),
        body_vi: format!(
            "Hồ sơ \"{procedure_name}\" của bạn đã chuyển sang: {}.",
            status.label_vi()
        ),
        title_en: format!("Dossier {code}: {}", status.label_en()),
        body_en: format!("Your dossier \"{procedure_name}\" is now: {}.", status.label_en()),
        data: BTreeMap::from([
            ("kind", kind.as_str().to_string()),
            ("dossier_code", code.to_string()),
            ("status", status.code().to_string()),
        ]),
    }
}

/// What a former follower hears when the phone on file changes: only that the dossier is no
/// longer theirs to follow, nothing of who it belongs to now.
pub fn unlinked_notice(code: &str) -> Notice {
    let kind = NotificationKind::DossierUnlinked;
    Notice {
        kind,
        title_vi: format!("Hồ sơ {code}"),
        body_vi: format!("Hồ sơ {code} không còn liên kết với bạn."),
        title_en: format!("Dossier {code}"),
        body_en: format!("Dossier {code} is no longer linked to you."),
        data: BTreeMap::from([
            ("kind", kind.as_str().to_string()),
            ("dossier_code", code.to_string()),
        ]),
    }
}

/// What the receiving agency's staff are told of a dossier a citizen submitted online: the
/// code and procedure, nothing of the applicant.
pub fn submitted_notice(code: &str, procedure_name: &str) -> Notice {
    let kind = NotificationKind::DossierSubmitted;
    Notice {
        kind,
        title_vi: format!("Hồ sơ trực tuyến mới: {code}"),
        body_vi: format!("Công dân vừa nộp trực tuyến hồ sơ \"{procedure_name}\"; hãy tiếp nhận."),
        title_en: format!("New online dossier: {code}"),
        body_en: format!("A citizen submitted \"{procedure_name}\" online; please receive it."),
        data: BTreeMap::from([
            ("kind", kind.as_str().to_string()),
            ("dossier_code", code.to_string()),
        ]),
    }
}

/// What a follower is told when the agency moves the due date later: the new date, with the
/// apology the slip carries.
pub fn rescheduled_notice(code: &str, procedure_name: &str, due_on: NaiveDate) -> Notice {
    let kind = NotificationKind::DossierStatus;
    let day = due_on.format("%d/%m/%Y");
    Notice {
        kind,
        title_vi: format!("Hồ sơ {code}: hẹn lại ngày trả kết quả"),
        body_vi: format!(
            "Cơ quan xin lỗi vì hồ sơ \"{procedure_name}\" chưa có kết quả đúng hẹn; ngày hẹn mới: {day}."
        ),
        title_en: format!("Dossier {code}: new appointment"),
        body_en: format!(
            "The agency apologises that \"{procedure_name}\" is not ready on time; the new date: {day}."
        ),
        data: BTreeMap::from([
            ("kind", kind.as_str().to_string()),
            ("dossier_code", code.to_string()),
            ("due_on", due_on.to_string()),
        ]),
    }
}

/// What the agency's staff are told of an online dossier no one has received after a working
/// day: the citizen is waiting.
pub fn unreceived_notice(code: &str, procedure_name: &str) -> Notice {
    let kind = NotificationKind::DossierSubmitted;
    Notice {
        kind,
        title_vi: format!("Hồ sơ trực tuyến chưa được tiếp nhận: {code}"),
        body_vi: format!(
            "Hồ sơ \"{procedure_name}\" nộp trực tuyến đã chờ quá một ngày làm việc; hãy tiếp nhận."
        ),
        title_en: format!("Online dossier not yet received: {code}"),
        body_en: format!(
            "\"{procedure_name}\" was submitted online over a working day ago; please receive it."
        ),
        data: BTreeMap::from([
            ("kind", kind.as_str().to_string()),
            ("dossier_code", code.to_string()),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn event(id: &str, status: DossierStatus, when: &str) -> PastEvent {
        PastEvent { event_id: id.into(), status, occurred_at: at(when), reopens: false }
    }

    #[test]
    fn status_codes_round_trip_with_labels() {
        for status in DossierStatus::ALL {
            assert_eq!(DossierStatus::from_code(status.code()), Some(status));
        }
        assert_eq!(DossierStatus::from_code(11), None);
        assert_eq!(DossierStatus::ResultReturned.label_vi(), "Đã trả kết quả");
    }

    #[test]
    fn the_latest_event_by_time_is_current_even_when_it_arrived_first() {
        let history = vec![
            event("e3", DossierStatus::Processing, "2026-11-03 09:00"),
            event("e1", DossierStatus::Submitted, "2026-11-01 09:00"),
            event("e2", DossierStatus::Received, "2026-11-02 09:00"),
        ];
        let state = derive_state(&history).unwrap();
        assert_eq!(state.status, DossierStatus::Processing);
        assert_eq!(state.status_at, at("2026-11-03 09:00"));
        assert_eq!(state.finished_on, None);
    }

    #[test]
    fn repeats_are_ignored_and_closed_dossiers_need_a_reopening() {
        let history = vec![
            event("e1", DossierStatus::Received, "2026-11-01 09:00"),
            event("e2", DossierStatus::ResultReturned, "2026-11-05 09:00"),
        ];
        assert_eq!(
            judge_event(&history, "e1", at("2026-11-01 09:00"), false),
            EventDecision::Repeat
        );
        assert_eq!(
            judge_event(&history, "e3", at("2026-11-06 09:00"), false),
            EventDecision::Closed { status: DossierStatus::ResultReturned }
        );
        assert_eq!(
            judge_event(&history, "e3", at("2026-11-06 09:00"), true),
            EventDecision::Record
        );
        // A late event from before the closing is history, not a change.
        assert_eq!(
            judge_event(&history, "e0", at("2026-11-03 09:00"), false),
            EventDecision::Record
        );
    }

    #[test]
    fn finished_is_the_start_of_the_trailing_done_run() {
        let history = vec![
            event("a", DossierStatus::Processing, "2026-11-02 09:00"),
            event("b", DossierStatus::Done, "2026-11-04 09:00"),
            event("c", DossierStatus::ResultReturned, "2026-11-06 09:00"),
        ];
        assert_eq!(derive_state(&history).unwrap().finished_on, Some(day("2026-11-04")));
        let mut reopened = history.clone();
        reopened.push(PastEvent {
            reopens: true,
            ..event("d", DossierStatus::Processing, "2026-11-07 09:00")
        });
        assert_eq!(derive_state(&reopened).unwrap().finished_on, None);
    }

    #[test]
    fn deadline_counts_working_days_left_or_overdue() {
        let calendar = WorkCalendar::default();
        // Due Monday 23 Nov; on Friday 20 Nov one working day is left.
        let left = deadline(&calendar, day("2026-11-23"), None, day("2026-11-20"));
        assert_eq!(left.working_days_left, Some(1));
        let late = deadline(&calendar, day("2026-11-20"), None, day("2026-11-24"));
        assert_eq!(late.working_days_overdue, Some(2));
        let done =
            deadline(&calendar, day("2026-11-20"), Some(day("2026-11-20")), day("2026-11-30"));
        assert_eq!(done.on_time, Some(true));
    }

    #[test]
    fn names_are_masked_to_family_name_and_initials() {
        assert_eq!(mask_name("Nguyễn Văn An"), "Nguyễn V. A.");
        assert_eq!(mask_name("  Trần   thị  bình "), "Trần T. B.");
        assert_eq!(mask_name("Lê"), "Lê");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn monthly_stats_count_received_finished_and_on_time() {
        let d = |received: &str, due: &str, finished: Option<&str>| DossierDates {
            agency_id: "a".into(),
            channel: DossierChannel::Counter,
            received_on: day(received),
            due_on: day(due),
            finished_on: finished.map(day),
        };
        let online =
            |dates: DossierDates| DossierDates { channel: DossierChannel::Online, ..dates };
        let stats = monthly_stats(&[
            d("2026-10-20", "2026-11-03", Some("2026-11-02")),
            online(d("2026-11-01", "2026-11-05", Some("2026-11-09"))),
            d("2026-11-02", "2026-11-20", None),
        ]);
        assert_eq!(stats.len(), 2);
        assert_eq!(
            (stats[0].month.as_str(), stats[0].received, stats[0].finished),
            ("2026-10", 1, 0)
        );
        assert_eq!(stats[0].on_time_rate, None);
        let november = &stats[1];
        assert_eq!((november.received, november.finished, november.finished_on_time), (2, 2, 1));
        assert_eq!(november.on_time_rate, Some(0.5));
        // By channel: the one at the counter was on time, the online one late.
        let [counter, online] = &november.channels[..] else {
            panic!("both channels: {:?}", november.channels);
        };
        assert_eq!(counter.channel, DossierChannel::Counter);
        assert_eq!((counter.received, counter.finished, counter.on_time_rate), (1, 1, Some(1.0)));
        assert_eq!(online.channel, DossierChannel::Online);
        assert_eq!((online.received, online.finished, online.on_time_rate), (1, 1, Some(0.0)));
        let october_online = &stats[0].channels[1];
        assert_eq!((october_online.received, october_online.on_time_rate), (0, None));
    }

    #[test]
    fn channels_are_stored_as_these_words() {
        crate::word::assert_words(&[
            (DossierChannel::Counter, "counter"),
            (DossierChannel::Online, "online"),
        ]);
    }
}
