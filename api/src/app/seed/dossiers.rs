//! The demo city's dossiers: received by the demo agencies' one-stop shops over the last four
//! months for procedures of the catalogue, due after the procedure's working days, and moved
//! through the national status codes as a one-stop-shop system reports them: most finished on
//! time, some late, some still processing past their due date, a few refused at intake or
//! withdrawn. Written with the repository functions the agencies' pushes go through.

use super::rng::Rng;
use super::texts;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use smartcity_db::dossiers::{self, DossierInput, EventInput, FollowOutcome, UpsertOutcome};
use smartcity_db::{DbConn, DbError};
use smartcity_domain::calendar::WorkCalendar;
use smartcity_domain::dossier::{
    judge_event, DossierChannel, DossierStatus, EventDecision, PastEvent,
};
use smartcity_domain::procedure::ProcedureSpec;
use smartcity_domain::reminder::{vietnam_date, vietnam_offset};

pub const DOSSIERS: usize = 40;
/// How far back the first dossiers were received.
const SPAN_DAYS: f64 = 120.0;

/// A demo agency's one-stop shop.
pub struct Shop<'a> {
    pub agency_id: String,
    pub agency_name: String,
    /// The unit's part of the dossier codes it issues.
    pub unit: usize,
    pub procedures: Vec<&'a ProcedureSpec>,
}

/// A demo citizen, who may apply and follow their own dossier.
pub struct Citizen {
    pub id: String,
    pub phone: String,
}

pub struct Setting<'a> {
    pub shops: &'a [Shop<'a>],
    pub citizens: &'a [Citizen],
    pub calendar: &'a WorkCalendar,
    pub now: DateTime<Utc>,
}

pub struct Planned {
    pub agency_id: String,
    pub dossier: DossierInput,
    /// The applicant's own account, following the dossier from its receipt.
    pub follower: Option<String>,
    pub events: Vec<EventInput>,
}

/// How a dossier goes, as far as time lets it get.
#[derive(Clone, Copy, PartialEq)]
enum Course {
    OnTime,
    Late,
    /// Still processing, whatever the due date says.
    Stalled,
    RejectedAtIntake,
    Withdrawn,
}

fn course(rng: &mut Rng) -> Course {
    const TABLE: &[(Course, f64)] = &[
        (Course::OnTime, 60.0),
        (Course::Late, 17.0),
        (Course::Stalled, 14.0),
        (Course::RejectedAtIntake, 5.0),
        (Course::Withdrawn, 4.0),
    ];
    let weights: Vec<f64> = TABLE.iter().map(|c| c.1).collect();
    TABLE[rng.weighted(&weights)].0
}

/// The processing department of a procedure: the catalogue's, else by its field.
fn department(procedure: &ProcedureSpec) -> String {
    if let Some((_, inner)) = procedure.agency.split_once('(') {
        return inner.trim_end_matches(')').to_string();
    }
    match procedure.field.as_str() {
        "Hộ tịch" | "Chứng thực" => "Công chức Tư pháp - Hộ tịch",
        "Bảo trợ xã hội" => "Công chức Văn hóa - Xã hội",
        "Hoạt động xây dựng" => "Bộ phận Quản lý xây dựng",
        "Đăng ký, quản lý cư trú" => "Bộ phận Đăng ký cư trú",
        "Đường bộ" => "Phòng Quản lý vận tải, phương tiện và người lái",
        _ => "Bộ phận chuyên môn",
    }
    .to_string()
}

const ONE_STOP: &str = "Bộ phận Một cửa";

/// How long a one-stop-shop system takes to send an event to us.
const SYNC_DELAY: TimeDelta = TimeDelta::minutes(3);

/// Why a timeline stops.
enum Halt {
    /// The next event is not in the past yet.
    Future,
    /// The plan broke the events' rules: a fault of ours.
    Bug(String),
}

/// A dossier's timeline as it is written: each event judged against those before it, and
/// only events already sent kept.
struct Timeline {
    now: DateTime<Utc>,
    code: String,
    events: Vec<EventInput>,
}

/// What an event says besides its status.
struct Words {
    step: &'static str,
    department: String,
    officer: Option<String>,
    note: Option<String>,
}

impl Timeline {
    /// Adds the event at `day`, `hour` o'clock in Vietnam.
    fn add(
        &mut self,
        day: NaiveDate,
        hour: f64,
        status: DossierStatus,
        words: Words,
    ) -> Result<(), Halt> {
        let at = vietnam_time(day, hour);
        if (at + SYNC_DELAY).and_utc() >= self.now {
            return Err(Halt::Future);
        }
        let history: Vec<PastEvent> = self
            .events
            .iter()
            .map(|e| PastEvent {
                event_id: e.event_id.clone(),
                status: e.status,
                occurred_at: e.occurred_at,
                reopens: e.reopens,
            })
            .collect();
        let event_id = format!("{}-{}", self.code, self.events.len() + 1);
        let later = self.events.last().is_none_or(|last| last.occurred_at < at);
        if !later || judge_event(&history, &event_id, at, false) != EventDecision::Record {
            return Err(Halt::Bug(format!("dossier {}: {status:?} out of order", self.code)));
        }
        self.events.push(EventInput {
            event_id,
            status,
            occurred_at: at,
            step: Some(words.step.to_string()),
            department: Some(words.department),
            officer: words.officer,
            note: words.note,
            reopens: false,
        });
        Ok(())
    }
}

/// A time of a day in Vietnam, in UTC as stored.
fn vietnam_time(day: NaiveDate, hour: f64) -> NaiveDateTime {
    let seconds = (hour * 3600.0) as u32;
    let time = NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0).expect("a time of day");
    day.and_time(time) - TimeDelta::seconds(i64::from(vietnam_offset().local_minus_utc()))
}

/// The working day at or before `day`.
fn working_day(calendar: &WorkCalendar, mut day: NaiveDate) -> NaiveDate {
    while !calendar.is_working_day(day) {
        day = day.pred_opt().expect("a day within the calendar's range");
    }
    day
}

/// Plans the demo dossiers, oldest first. One received so recently that its agency has sent
/// nothing yet is left out.
pub fn plan(setting: &Setting, rng: &mut Rng) -> Result<Vec<Planned>, String> {
    let today = vietnam_date(setting.now);
    let mut ages: Vec<f64> = (0..DOSSIERS).map(|_| SPAN_DAYS * rng.unit().powf(1.3)).collect();
    ages.sort_by(|a, b| b.total_cmp(a));
    let shops: Vec<&Shop> = setting.shops.iter().filter(|s| !s.procedures.is_empty()).collect();
    if shops.is_empty() {
        return Ok(Vec::new());
    }
    let mut planned = Vec::with_capacity(DOSSIERS);
    for (n, age) in ages.into_iter().enumerate() {
        let shop = *rng.pick(&shops);
        let procedure = *rng.pick(&shop.procedures);
        let received_on = working_day(setting.calendar, today - TimeDelta::days(age as i64));
        let due_on =
            setting.calendar.after_working_days(received_on, u32::from(procedure.processing_days));
        let code =
            format!("000.00.{:02}.H17-{}-{:04}", shop.unit, received_on.format("%y%m%d"), n + 1);
        let applicant = rng.chance(0.15).then(|| rng.pick(setting.citizens));
        let dossier = DossierInput {
            code: code.clone(),
            procedure_code: procedure.code.clone(),
            applicant_name: texts::full_name(rng),
            applicant_phone: match applicant {
                Some(citizen) => citizen.phone.clone(),
                None => format!("+84903{:06}", rng.below(1_000_000)),
            },
            received_on,
            due_on,
            // Of the procedures that can be, one dossier in three came online (without drawing
            // from `rng`, so the rest of the demo city stays as it was).
            channel: if procedure.service_level >= 3 && n % 3 == 0 {
                DossierChannel::Online
            } else {
                DossierChannel::Counter
            },
        };
        let mut timeline = Timeline { now: setting.now, code, events: Vec::new() };
        let course = course(rng);
        let path = Path { calendar: setting.calendar, shop, procedure, received_on };
        match walk(&mut timeline, rng, &path, course) {
            Ok(()) | Err(Halt::Future) => {}
            Err(Halt::Bug(bug)) => return Err(bug),
        }
        if timeline.events.is_empty() {
            continue;
        }
        planned.push(Planned {
            agency_id: shop.agency_id.clone(),
            dossier,
            follower: applicant.map(|c| c.id.clone()),
            events: timeline.events,
        });
    }
    Ok(planned)
}

/// What a dossier's events depend on.
struct Path<'a> {
    calendar: &'a WorkCalendar,
    shop: &'a Shop<'a>,
    procedure: &'a ProcedureSpec,
    received_on: NaiveDate,
}

impl Path<'_> {
    fn day(&self, working_days: u32) -> NaiveDate {
        self.calendar.after_working_days(self.received_on, working_days)
    }
}

/// The dossier's events from its receipt, along its course. Within a day: sent online before
/// 8, received by 9:30, taken up by 11, fees asked at 11:30, signed in the afternoon.
fn walk(timeline: &mut Timeline, rng: &mut Rng, path: &Path, course: Course) -> Result<(), Halt> {
    let day0 = path.received_on;
    let procedure = path.procedure;
    if procedure.service_level >= 3 && rng.chance(0.6) {
        let words = Words {
            step: "Nộp hồ sơ trực tuyến",
            department: "Cổng Dịch vụ công".into(),
            officer: None,
            note: None,
        };
        timeline.add(day0, rng.between(6.0, 7.9), DossierStatus::Submitted, words)?;
    }
    let at_the_counter = |rng: &mut Rng, note: String| Words {
        step: "Tiếp nhận hồ sơ",
        department: ONE_STOP.into(),
        officer: Some(texts::full_name(rng)),
        note: Some(note),
    };
    if course == Course::RejectedAtIntake {
        let note = "Hồ sơ chưa đủ thành phần theo quy định; đã hướng dẫn bổ sung (mẫu 03).";
        let words = at_the_counter(rng, note.into());
        return timeline.add(day0, rng.between(8.0, 9.5), DossierStatus::RejectedAtIntake, words);
    }
    let due_on = path.day(u32::from(procedure.processing_days));
    let note = format!("Hẹn trả kết quả ngày {} (mẫu 01).", due_on.format("%d/%m/%Y"));
    let words = at_the_counter(rng, note);
    timeline.add(day0, rng.between(8.0, 9.5), DossierStatus::Received, words)?;
    let handler = texts::full_name(rng);
    let processing = |step: &'static str, note: Option<&str>| Words {
        step,
        department: department(procedure),
        officer: Some(handler.clone()),
        note: note.map(str::to_string),
    };
    timeline.add(
        day0,
        rng.between(9.6, 11.0),
        DossierStatus::Processing,
        processing("Thụ lý hồ sơ", None),
    )?;
    let days = u32::from(procedure.processing_days);
    let finish_after = match course {
        Course::OnTime => days.saturating_sub(rng.below(2) as u32),
        Course::Late => days + 1 + rng.below(4) as u32,
        Course::Withdrawn => {
            let words = Words {
                step: "Rút hồ sơ",
                department: ONE_STOP.into(),
                officer: Some(texts::full_name(rng)),
                note: Some("Công dân có đơn xin rút hồ sơ.".into()),
            };
            let day = path.day(1 + rng.below(3) as u32);
            return timeline.add(day, rng.between(8.0, 11.0), DossierStatus::Withdrawn, words);
        }
        // (A refusal at intake ended at the counter, above.)
        Course::Stalled | Course::RejectedAtIntake => {
            // Waiting on the applicant's papers, or on nobody in particular.
            if rng.chance(0.5) {
                let note = Some("Đề nghị bổ sung bản sao giấy tờ còn thiếu (mẫu 02).");
                let words = processing("Yêu cầu bổ sung hồ sơ", note);
                let day = path.day(1);
                timeline.add(day, 14.0, DossierStatus::MoreDocumentsNeeded, words)?;
            }
            return Ok(());
        }
    };
    let finish_day = path.day(finish_after);
    if finish_after >= 3 && rng.chance(0.2) {
        let note = Some("Đề nghị bổ sung bản sao giấy tờ còn thiếu (mẫu 02).");
        let words = processing("Yêu cầu bổ sung hồ sơ", note);
        timeline.add(path.day(1), 14.0, DossierStatus::MoreDocumentsNeeded, words)?;
        let words = processing("Thụ lý hồ sơ", Some("Công dân đã bổ sung hồ sơ."));
        timeline.add(path.day(2), 9.0, DossierStatus::Processing, words)?;
    }
    if procedure.fee_vnd > 0 && rng.chance(0.5) {
        let note = format!("Lệ phí {} đồng.", procedure.fee_vnd);
        let words = processing("Thông báo nộp lệ phí", Some(&note));
        timeline.add(finish_day, 11.5, DossierStatus::PaymentRequired, words)?;
        let words = processing("Thụ lý hồ sơ", Some("Công dân đã nộp lệ phí."));
        timeline.add(finish_day, 13.0, DossierStatus::Processing, words)?;
    }
    let signed = Words {
        step: "Ký duyệt",
        department: format!("Lãnh đạo {}", path.shop.agency_name),
        officer: Some(texts::full_name(rng)),
        note: None,
    };
    timeline.add(finish_day, rng.between(14.0, 16.0), DossierStatus::Done, signed)?;
    if rng.chance(0.15) {
        // Done, not collected yet.
        return Ok(());
    }
    let (day, hour) = if days == 0 {
        (finish_day, 16.5)
    } else {
        (path.calendar.after_working_days(finish_day, 1), rng.between(8.0, 11.0))
    };
    let note = if procedure.service_level == 4 {
        "Trả kết quả trực tuyến qua Cổng Dịch vụ công."
    } else if rng.chance(0.3) {
        "Gửi kết quả qua dịch vụ bưu chính công ích."
    } else {
        "Trả kết quả trực tiếp tại Bộ phận Một cửa."
    };
    let words = Words {
        step: "Trả kết quả",
        department: ONE_STOP.into(),
        officer: Some(texts::full_name(rng)),
        note: Some(note.into()),
    };
    timeline.add(day, hour, DossierStatus::ResultReturned, words)
}

/// Writes a planned dossier as its agency's system would have sent it: the dossier at its
/// receipt, then each event a few minutes after it happened.
pub fn write(conn: &mut DbConn, planned: &Planned) -> Result<(), DbError> {
    let dossier = &planned.dossier;
    let first = planned.events.first().map(|e| e.occurred_at + SYNC_DELAY);
    let received_at = first
        .ok_or_else(|| DbError::Corrupt(format!("demo dossier {} without events", dossier.code)))?;
    let created = dossiers::upsert(conn, &planned.agency_id, dossier, received_at)?;
    if created != UpsertOutcome::Created {
        return Err(DbError::Corrupt(format!("demo dossier {}: {created:?}", dossier.code)));
    }
    if let Some(follower) = &planned.follower {
        let phone = &dossier.applicant_phone;
        let followed = dossiers::follow(conn, follower, &dossier.code, phone, received_at)?;
        if followed != FollowOutcome::Followed {
            return Err(DbError::Corrupt(format!("demo dossier {}: {followed:?}", dossier.code)));
        }
    }
    for event in &planned.events {
        let recorded_at = event.occurred_at + SYNC_DELAY;
        let outcome =
            // The demo's history texts no one.
            dossiers::record_event(conn, &planned.agency_id, &dossier.code, event, None, recorded_at)?;
        if !matches!(outcome, dossiers::EventOutcome::Recorded { .. }) {
            return Err(DbError::Corrupt(format!("demo dossier {}: {outcome:?}", dossier.code)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::DEMO_CATALOGUE;
    use super::*;
    use smartcity_domain::dossier::{derive_state, mask_name};
    use smartcity_domain::procedure::parse_catalogue;

    const NOW: &str = "2026-12-05T03:00:00Z";

    fn planned(now: &str) -> Vec<Planned> {
        let catalogue = parse_catalogue(DEMO_CATALOGUE).unwrap();
        let shops: Vec<Shop> =
            [("a", "UBND cấp xã"), ("b", "Công an cấp xã"), ("c", "Sở Xây dựng")]
                .into_iter()
                .enumerate()
                .map(|(unit, (agency, receives))| Shop {
                    agency_id: agency.into(),
                    agency_name: format!("Cơ quan {agency}"),
                    unit,
                    procedures: catalogue
                        .iter()
                        .filter(|p| p.agency.starts_with(receives))
                        .collect(),
                })
                .collect();
        let citizens: Vec<Citizen> = (1..=8)
            .map(|i| Citizen { id: format!("citizen-{i}"), phone: format!("+8490200000{i}") })
            .collect();
        let calendar = WorkCalendar::parse(include_str!("../../../../data/holidays.txt")).unwrap();
        let now = DateTime::parse_from_rfc3339(now).unwrap().to_utc();
        let setting = Setting { shops: &shops, citizens: &citizens, calendar: &calendar, now };
        plan(&setting, &mut Rng::new(11)).expect("every event is one the rules record")
    }

    fn history(p: &Planned) -> Vec<PastEvent> {
        let events = p.events.iter().map(|e| PastEvent {
            event_id: e.event_id.clone(),
            status: e.status,
            occurred_at: e.occurred_at,
            reopens: e.reopens,
        });
        events.collect()
    }

    #[test]
    fn some_finish_on_time_some_late_and_some_are_overdue_still() {
        let today = vietnam_date(DateTime::parse_from_rfc3339(NOW).unwrap().to_utc());
        let city = planned(NOW);
        assert!((35..=DOSSIERS).contains(&city.len()), "{}", city.len());
        let states: Vec<_> = city.iter().map(|p| derive_state(&history(p)).unwrap()).collect();
        let count = |test: &dyn Fn(usize) -> bool| (0..city.len()).filter(|i| test(*i)).count();
        let finished = |i: usize| states[i].finished_on;
        let on_time = count(&|i| finished(i).is_some_and(|f| f <= city[i].dossier.due_on));
        let late = count(&|i| finished(i).is_some_and(|f| f > city[i].dossier.due_on));
        let open = |i: usize| !states[i].status.closes() && !states[i].status.is_finished();
        let overdue = count(&|i| open(i) && city[i].dossier.due_on < today);
        let refused_or_withdrawn = count(&|i| {
            matches!(states[i].status, DossierStatus::RejectedAtIntake | DossierStatus::Withdrawn)
        });
        assert!(on_time >= 15, "{on_time} on time");
        assert!(late >= 3, "{late} late");
        assert!(overdue >= 3, "{overdue} overdue");
        assert!(refused_or_withdrawn >= 1);
        assert!(city.iter().any(|p| p.follower.is_some()));
    }

    #[test]
    fn each_timeline_goes_forward_in_the_past_from_the_receipt() {
        for now in [NOW, "2026-05-02T01:00:00Z", "2027-01-01T12:00:00Z"] {
            let limit = DateTime::parse_from_rfc3339(now).unwrap().to_utc().naive_utc();
            for p in planned(now) {
                let first = &p.events[0];
                assert_eq!(vietnam_date(first.occurred_at.and_utc()), p.dossier.received_on);
                assert!(p.events.windows(2).all(|w| w[0].occurred_at < w[1].occurred_at));
                assert!(p.events.iter().all(|e| e.occurred_at + SYNC_DELAY < limit));
                assert!(p.dossier.due_on >= p.dossier.received_on);
                assert_ne!(mask_name(&p.dossier.applicant_name), "");
            }
        }
    }
}
