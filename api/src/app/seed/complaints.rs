//! The demo city's complaints: filed over the last four months inside the stored areas, routed
//! by the routing rules, each timeline walked through the state machine (`decide`) at
//! back-dated times and written by the repository functions the use cases write with. Recent
//! ones are mostly open, older ones mostly resolved or closed; some are overdue, some due
//! within the day, some anonymous, duplicates point at an earlier complaint nearby.

use super::photos::DemoPhotos;
use super::rng::Rng;
use super::texts::{self, CategoryWords};
use crate::app::complaints::events::{entry, Author, Effects, Subject};
use crate::app::complaints::filing::assigned_notice;
use crate::app::geography::area_code;
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use smartcity_db::complaints::{self, EventOutcome, FileOutcome, NewComplaint};
use smartcity_db::{DbConn, DbError};
use smartcity_domain::complaint::{
    decide, due_at, Actor, Category, ComplaintState, ComplaintStatus, Datatype, EventRequest,
    Transition, DEFAULT_REPORTER_WINDOW,
};
use smartcity_domain::geo::{AreaIndex, LatLon, Region};
use smartcity_domain::reminder::vietnam_offset;
use smartcity_domain::routing::{route, Rule};
use smartcity_domain::Lang;
use std::collections::HashMap;

pub const COMPLAINTS: usize = 300;
/// How far back the first complaints were filed.
const SPAN_DAYS: f64 = 120.0;

/// What the complaints are planned from.
pub struct Setting<'a> {
    pub categories: &'a [Category],
    pub rules: &'a [Rule],
    pub areas: &'a AreaIndex,
    /// The demo citizens' ids: the reporters and followers.
    pub citizens: &'a [String],
    /// The staff member who acts for each agency, by agency id.
    pub staff: &'a HashMap<String, String>,
    /// Who acts for an agency without staff of its own.
    pub admin: &'a str,
    pub now: DateTime<Utc>,
}

/// A complaint as filed, and what happened to it since.
pub struct Planned {
    pub complaint: NewComplaint,
    pub category: Category,
    pub photo: bool,
    pub steps: Vec<Step>,
}

pub enum Step {
    Event { at: DateTime<Utc>, before: ComplaintStatus, transition: Transition, author: Author },
    Follow { at: DateTime<Utc>, citizen: String, me_too: bool },
}

impl Step {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Step::Event { at, .. } | Step::Follow { at, .. } => *at,
        }
    }
}

/// Share of the reports in each demo area, by code (the centre reports most); any other area
/// counts as one.
const AREA_WEIGHTS: &[(&str, f64)] =
    &[("DEMO-01", 2.0), ("DEMO-02", 3.0), ("DEMO-03", 2.0), ("DEMO-04", 2.0), ("DEMO-05", 1.5)];

/// Where a complaint's story ends, as far as time lets it get there.
#[derive(Clone, Copy, PartialEq)]
enum Fate {
    New,
    Acknowledged,
    InProgress,
    Finished,
    Rejected,
    Duplicate,
}

/// By age: the last day mostly untouched, the last days being worked on, older ones done.
fn fate(rng: &mut Rng, age_days: f64) -> Fate {
    use Fate::*;
    let table: &[(Fate, f64)] = if age_days < 1.0 {
        &[(New, 45.0), (Acknowledged, 30.0), (InProgress, 20.0), (Rejected, 2.0), (Duplicate, 3.0)]
    } else if age_days < 4.0 {
        &[
            (New, 10.0),
            (Acknowledged, 20.0),
            (InProgress, 30.0),
            (Finished, 28.0),
            (Rejected, 5.0),
            (Duplicate, 7.0),
        ]
    } else if age_days < 14.0 {
        &[
            (New, 3.0),
            (Acknowledged, 5.0),
            (InProgress, 12.0),
            (Finished, 65.0),
            (Rejected, 7.0),
            (Duplicate, 8.0),
        ]
    } else {
        &[
            (New, 1.0),
            (Acknowledged, 1.0),
            (InProgress, 3.0),
            (Finished, 80.0),
            (Rejected, 7.0),
            (Duplicate, 8.0),
        ]
    };
    let weights: Vec<f64> = table.iter().map(|f| f.1).collect();
    table[rng.weighted(&weights)].0
}

fn hours(h: f64) -> TimeDelta {
    TimeDelta::seconds((h * 3600.0) as i64)
}

/// A complaint's timeline as it is walked: each step is decided by the state machine as of
/// its time, and only steps in the past are taken.
struct Walk<'a> {
    now: DateTime<Utc>,
    filed_at: DateTime<Utc>,
    state: ComplaintState,
    steps: Vec<Step>,
    staff: Author,
    reporter: &'a str,
}

/// Who takes a step.
enum By {
    Staff,
    Reporter,
    System,
}

impl Walk<'_> {
    /// When the last step was taken.
    fn last(&self) -> DateTime<Utc> {
        self.steps.last().map_or(self.filed_at, Step::at)
    }

    /// Takes the step at `at` if that is in the past; false (and nothing) if it is not.
    fn step(&mut self, at: DateTime<Utc>, request: EventRequest, by: By) -> Result<bool, String> {
        if at >= self.now {
            return Ok(false);
        }
        let author = match by {
            By::Staff => self.staff.clone(),
            By::Reporter => Author {
                actor: Actor::Reporter,
                actor_id: Some(self.reporter.to_string()),
                agency_id: None,
            },
            By::System => Author { actor: Actor::System, actor_id: None, agency_id: None },
        };
        let transition = decide(&self.state, &request, author.actor, at, DEFAULT_REPORTER_WINDOW)
            .map_err(|refusal| refusal.message(Lang::En))?;
        let before = self.state.status;
        if let Some(status) = transition.status {
            self.state = ComplaintState { status, status_since: at };
        }
        self.steps.push(Step::Event { at, before, transition, author });
        Ok(true)
    }
}

/// Plans the demo complaints, oldest first (an original before its duplicates).
pub fn plan(setting: &Setting, rng: &mut Rng) -> Result<Vec<Planned>, String> {
    let mut ages: Vec<f64> =
        (0..COMPLAINTS).map(|_| SPAN_DAYS * rng.unit().powf(1.6) + 0.01).collect();
    ages.sort_by(|a, b| b.total_cmp(a));
    let weights: Vec<f64> =
        setting.categories.iter().map(|c| texts::words_of(&c.code).weight).collect();
    let mut planned: Vec<Planned> = Vec::with_capacity(COMPLAINTS);
    for age in ages {
        let filed_at = setting.now - hours(age * 24.0);
        let category = &setting.categories[rng.weighted(&weights)];
        let mut fate = fate(rng, age);
        // A duplicate's original: filed up to three weeks before, of the same category.
        let since = filed_at - TimeDelta::days(21);
        let candidates: Vec<&Planned> = planned
            .iter()
            .filter(|p| {
                p.category.code == category.code && p.complaint.created_at > since.naive_utc()
            })
            .collect();
        if fate == Fate::Duplicate && candidates.is_empty() {
            fate = Fate::Finished;
        }
        let original = (fate == Fate::Duplicate).then(|| *rng.pick(&candidates));
        let position = match original {
            Some(original) => near(rng, original.complaint.lat, original.complaint.lon),
            None => somewhere(rng, setting.areas),
        };
        let original = original.map(|o| o.complaint.id.clone());
        planned.push(complaint(setting, rng, category, filed_at, position, fate, original)?);
    }
    Ok(planned)
}

/// A point in one of the areas, drawn by the areas' weights.
fn somewhere(rng: &mut Rng, index: &AreaIndex) -> LatLon {
    let areas = index.areas();
    let weights: Vec<f64> = areas
        .iter()
        .map(|a| {
            let code = area_code(&a.id);
            AREA_WEIGHTS.iter().find(|(c, _)| *c == code).map_or(1.0, |w| w.1)
        })
        .collect();
    let area = &areas[rng.weighted(&weights)];
    // Drawn in the box until inside the shape: the demo areas are mostly their boxes.
    for _ in 0..100 {
        let lat = rng.between(area.bbox.min_lat, area.bbox.max_lat);
        let lon = rng.between(area.bbox.min_lon, area.bbox.max_lon);
        if let Ok(point) = LatLon::parse(lat, lon, &Region::VIETNAM) {
            if index.locate(point) == Some(&area.id) {
                return point;
            }
        }
    }
    area.interior_point
}

/// A point 15–60 m from `(lat, lon)`: the same problem, pinned by someone else.
fn near(rng: &mut Rng, lat: f64, lon: f64) -> LatLon {
    let metres = rng.between(15.0, 60.0);
    let bearing = rng.between(0.0, std::f64::consts::TAU);
    let dlat = metres * bearing.cos() / 111_320.0;
    let dlon = metres * bearing.sin() / (111_320.0 * lat.to_radians().cos());
    LatLon::parse(lat + dlat, lon + dlon, &Region::VIETNAM)
        .expect("a few metres from a served point")
}

fn complaint(
    setting: &Setting,
    rng: &mut Rng,
    category: &Category,
    filed_at: DateTime<Utc>,
    position: LatLon,
    fate: Fate,
    original: Option<String>,
) -> Result<Planned, String> {
    let words = texts::words_of(&category.code);
    let located = setting.areas.locate(position);
    let area = located.map(area_code);
    let area_name = located.map_or("Đà Nẵng", |id| id.name.as_str());
    let agency_id = route(setting.rules, &category.code, area.as_deref())
        .ok_or_else(|| format!("no routing rule covers {} in {area:?}", category.code))?
        .to_string();
    let reporter = {
        // A few residents report most: the square leans towards the first ones.
        let u = rng.unit();
        setting.citizens[(u * u * setting.citizens.len() as f64) as usize].clone()
    };
    let answers = category
        .check_answers(&answers(rng, category, filed_at))
        .map_err(|invalid| format!("demo answers to {}: {invalid:?}", category.code))?;
    let complaint = NewComplaint {
        id: rng.uuid(),
        category_code: category.code.clone(),
        description: rng.pick(words.descriptions).to_string(),
        lat: position.lat(),
        lon: position.lon(),
        address: rng.chance(0.85).then(|| texts::address(rng, area.as_deref(), area_name)),
        area_code: area,
        agency_id: agency_id.clone(),
        reporter_id: Some(reporter.clone()),
        anonymous: rng.chance(0.12),
        answers: serde_json::to_string(&answers).map_err(|e| e.to_string())?,
        due_at: due_at(filed_at, category.sla_hours).naive_utc(),
        idempotency: None,
        open311: None,
        created_at: filed_at.naive_utc(),
    };
    let staff = match setting.staff.get(&agency_id) {
        Some(staff) => Author {
            actor: Actor::AssignedStaff,
            actor_id: Some(staff.clone()),
            agency_id: Some(agency_id.clone()),
        },
        None => Author {
            actor: Actor::Admin,
            actor_id: Some(setting.admin.to_string()),
            agency_id: None,
        },
    };
    let mut walk = Walk {
        now: setting.now,
        filed_at,
        state: ComplaintState { status: ComplaintStatus::New, status_since: filed_at },
        steps: Vec::new(),
        staff,
        reporter: &reporter,
    };
    walk_to(&mut walk, rng, fate, original, category, words)?;
    let mut steps = walk.steps;
    steps.extend(followers(rng, setting, &reporter, filed_at));
    // Stable: events keep their order among themselves.
    steps.sort_by_key(Step::at);
    Ok(Planned { complaint, category: category.clone(), photo: rng.chance(0.85), steps })
}

/// Walks the timeline towards `fate`, stopping where time (now) stops it. A duplicate's
/// `original` is the complaint it was placed near.
fn walk_to(
    walk: &mut Walk,
    rng: &mut Rng,
    fate: Fate,
    original: Option<String>,
    category: &Category,
    words: &CategoryWords,
) -> Result<(), String> {
    let duplicate = |original: Option<String>| match original {
        Some(duplicate_of) => Ok(EventRequest::Duplicate { duplicate_of }),
        None => Err("a duplicate without its original".to_string()),
    };
    let filed_at = walk.filed_at;
    // Some are settled at once, before anyone is sent.
    match fate {
        Fate::New => return Ok(()),
        Fate::Duplicate if rng.chance(0.7) => {
            let at = filed_at + hours(rng.between(0.5, 12.0));
            return walk.step(at, duplicate(original)?, By::Staff).map(drop);
        }
        Fate::Rejected if rng.chance(0.4) => {
            let at = filed_at + hours(rng.between(1.0, 24.0));
            let reason = rng.pick(texts::REJECTIONS).to_string();
            return walk.step(at, EventRequest::Rejected { reason }, By::Staff).map(drop);
        }
        _ => {}
    }
    // Staff keep pace with the category's SLA: acknowledged within its first tenth mostly.
    let sla = f64::from(category.sla_hours);
    let share = if rng.chance(0.8) { rng.between(0.02, 0.1) } else { rng.between(0.1, 0.35) };
    let at = filed_at + hours((sla * share).max(0.3));
    let comment = texts::acknowledgement(rng, words.team);
    if !walk.step(at, EventRequest::Acknowledged { comment }, By::Staff)? {
        return Ok(());
    }
    if rng.chance(0.25) {
        let at = walk.last() + hours(sla * rng.between(0.01, 0.1));
        walk.step(at, EventRequest::Note { text: rng.pick(texts::NOTES).to_string() }, By::Staff)?;
    }
    match fate {
        Fate::New | Fate::Acknowledged => Ok(()),
        Fate::Rejected => {
            let at = walk.last() + hours(rng.between(2.0, 48.0));
            let reason = rng.pick(texts::REJECTIONS).to_string();
            walk.step(at, EventRequest::Rejected { reason }, By::Staff).map(drop)
        }
        Fate::Duplicate => {
            // The original turned up once someone went to look.
            let at = walk.last() + hours(rng.between(2.0, 24.0));
            walk.step(at, duplicate(original)?, By::Staff).map(drop)
        }
        Fate::InProgress | Fate::Finished => {
            if fate == Fate::InProgress || rng.chance(0.75) {
                let at = walk.last() + hours(sla * rng.between(0.03, 0.25));
                let comment = texts::work_started(rng, words.team);
                if !walk.step(at, EventRequest::InProgress { comment }, By::Staff)? {
                    return Ok(());
                }
            }
            if fate == Fate::Finished {
                resolve(walk, rng, category, words, true)?;
            }
            Ok(())
        }
    }
}

/// Resolves the complaint, the first time by its SLA (mostly in time), then lets the reporter
/// rate or reopen it within the week, or the system close it after.
fn resolve(
    walk: &mut Walk,
    rng: &mut Rng,
    category: &Category,
    words: &CategoryWords,
    first: bool,
) -> Result<(), String> {
    let at = if first {
        let sla = f64::from(category.sla_hours);
        let share = if rng.chance(0.8) { rng.between(0.4, 0.95) } else { rng.between(1.05, 2.0) };
        (walk.filed_at + hours(sla * share)).max(walk.last() + hours(rng.between(0.5, 2.0)))
    } else {
        walk.last() + hours(rng.between(12.0, 72.0))
    };
    let response = rng.pick(words.responses).to_string();
    let after_photos = u32::from(rng.chance(0.5));
    if !walk.step(at, EventRequest::Resolved { response, after_photos }, By::Staff)? {
        return Ok(());
    }
    let resolved_at = at;
    if first && rng.chance(0.08) {
        let at = resolved_at + hours(rng.between(24.0, 96.0));
        let reason = rng.pick(texts::REOPENINGS).to_string();
        if walk.step(at, EventRequest::Reopened { reason }, By::Reporter)? {
            return resolve(walk, rng, category, words, false);
        }
        return Ok(());
    }
    if rng.chance(0.45) {
        let at = resolved_at + hours(rng.between(2.0, 6.0 * 24.0));
        let (stars, comment) = texts::rating(rng);
        return walk.step(at, EventRequest::Rated { stars, comment }, By::Reporter).map(drop);
    }
    // The periodic job's hourly run after the reporter's week.
    let at = resolved_at + DEFAULT_REPORTER_WINDOW + hours(rng.between(0.1, 0.95));
    walk.step(at, EventRequest::Closed, By::System).map(drop)
}

/// Other residents following the complaint or saying "me too" in its first days.
fn followers(
    rng: &mut Rng,
    setting: &Setting,
    reporter: &str,
    filed_at: DateTime<Utc>,
) -> Vec<Step> {
    let others: Vec<&String> = setting.citizens.iter().filter(|c| *c != reporter).collect();
    let mut steps = Vec::new();
    for (me_too, share, most) in [(false, 0.2, 3), (true, 0.15, 4)] {
        if !rng.chance(share) {
            continue;
        }
        let count = (rng.below(most) + 1).min(others.len());
        let first = rng.below(others.len());
        for k in 0..count {
            let at = filed_at + hours(rng.between(1.0, 72.0));
            if at < setting.now {
                let citizen = others[(first + k) % others.len()].clone();
                steps.push(Step::Follow { at, citizen, me_too });
            }
        }
    }
    steps
}

/// Answers to the category's questions, as a resident would give them in the app: the lists
/// answered from their options, numbers and times plausible, a pole number when asked.
fn answers(
    rng: &mut Rng,
    category: &Category,
    filed_at: DateTime<Utc>,
) -> HashMap<String, Vec<String>> {
    let mut given = HashMap::new();
    for attribute in &category.attributes {
        if !attribute.required && rng.chance(0.3) {
            continue;
        }
        let keys: Vec<&str> = attribute.values.iter().map(|v| v.key.as_str()).collect();
        let values: Vec<String> = match attribute.datatype {
            Datatype::SingleValueList => vec![rng.pick(&keys).to_string()],
            Datatype::MultiValueList => {
                let first = rng.below(keys.len());
                let count = rng.below(2) + 1;
                (0..count).map(|k| keys[(first + k) % keys.len()].to_string()).collect()
            }
            Datatype::Number => vec![(rng.below(12) + 1).to_string()],
            Datatype::DateTime => {
                let since = (filed_at - hours(rng.between(0.5, 6.0)))
                    .with_timezone(&vietnam_offset())
                    .to_rfc3339_opts(SecondsFormat::Secs, false);
                vec![since]
            }
            Datatype::String => vec![format!("DN-{:04}", rng.below(10_000))],
            Datatype::Text => vec!["Mua lúc khoảng 11 giờ trưa, sau đó đau bụng, buồn nôn.".into()],
        };
        given.insert(attribute.code.clone(), values);
    }
    given
}

/// Files a planned complaint and takes its steps, each at its time, with the repository
/// functions the filing and event use cases write with.
pub fn write(conn: &mut DbConn, planned: &Planned, photos: &DemoPhotos) -> Result<(), DbError> {
    let complaint = &planned.complaint;
    let category = &planned.category;
    let report = if planned.photo { vec![photos.report(&category.code)] } else { Vec::new() };
    let notice = assigned_notice(complaint, category);
    if complaints::file(conn, complaint, &report, &notice)? != FileOutcome::Created {
        return Err(DbError::Corrupt(format!("demo complaint {} filed twice", complaint.id)));
    }
    for step in &planned.steps {
        match step {
            Step::Event { at, before, transition, author } => {
                let (effects, after) = match &transition.event {
                    EventRequest::Duplicate { duplicate_of } => {
                        (Effects::duplicate_of(duplicate_of), Vec::new())
                    }
                    EventRequest::Resolved { after_photos: 1.., .. } => {
                        (Effects::default(), vec![photos.after(&category.code)])
                    }
                    _ => (Effects::default(), Vec::new()),
                };
                let on = Subject {
                    id: &complaint.id,
                    status: *before,
                    description: &complaint.description,
                    category,
                };
                let (event, notice) =
                    entry(&on, transition.clone(), effects, author.clone(), after);
                let outcome = complaints::record_event(
                    conn,
                    &complaint.id,
                    &event,
                    notice.as_ref(),
                    at.naive_utc(),
                )?;
                if outcome != EventOutcome::Recorded {
                    return Err(DbError::Corrupt(format!(
                        "demo complaint {} left {before:?} before its step",
                        complaint.id
                    )));
                }
            }
            Step::Follow { at, citizen, me_too } => {
                complaints::follow(conn, citizen, &complaint.id, *me_too, at.naive_utc())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{DEMO_AREAS, DEMO_CATEGORIES, DEMO_RULES};
    use super::*;
    use smartcity_domain::complaint::{is_overdue, parse_categories, EventKind};
    use smartcity_domain::geo::parse_areas;

    struct Demo {
        categories: Vec<Category>,
        rules: Vec<Rule>,
        areas: AreaIndex,
        citizens: Vec<String>,
        staff: HashMap<String, String>,
    }

    fn demo() -> Demo {
        let rules = DEMO_RULES
            .iter()
            .map(|(category, area, agency)| Rule {
                category: category.to_string(),
                area: area.to_string(),
                agency_id: agency.to_string(),
            })
            .collect();
        Demo {
            categories: parse_categories(DEMO_CATEGORIES).unwrap(),
            rules,
            areas: AreaIndex::new(parse_areas(DEMO_AREAS, "name", &Region::VIETNAM).unwrap()),
            citizens: (1..=8).map(|i| format!("citizen-{i}")).collect(),
            staff: [("so-xay-dung", "staff-1"), ("ubnd-phuong-hai-chau", "staff-2")]
                .map(|(agency, staff)| (agency.to_string(), staff.to_string()))
                .into(),
        }
    }

    fn planned(demo: &Demo, now: &str) -> Vec<Planned> {
        let setting = Setting {
            categories: &demo.categories,
            rules: &demo.rules,
            areas: &demo.areas,
            citizens: &demo.citizens,
            staff: &demo.staff,
            admin: "admin",
            now: DateTime::parse_from_rfc3339(now).unwrap().to_utc(),
        };
        plan(&setting, &mut Rng::new(7)).expect("every step is one the state machine allows")
    }

    const NOW: &str = "2026-12-05T03:00:00Z";

    fn status(planned: &Planned) -> ComplaintStatus {
        planned
            .steps
            .iter()
            .rev()
            .find_map(|step| match step {
                Step::Event { transition, .. } => transition.status,
                Step::Follow { .. } => None,
            })
            .unwrap_or(ComplaintStatus::New)
    }

    fn kinds(planned: &Planned) -> Vec<EventKind> {
        let events = planned.steps.iter().filter_map(|step| match step {
            Step::Event { transition, .. } => Some(transition.event.kind()),
            Step::Follow { .. } => None,
        });
        events.collect()
    }

    #[test]
    fn the_same_seed_makes_the_same_city() {
        let demo = demo();
        let (a, b) = (planned(&demo, NOW), planned(&demo, NOW));
        assert_eq!(a.len(), COMPLAINTS);
        let summary = |p: &Planned| {
            (p.complaint.id.clone(), p.complaint.description.clone(), p.complaint.lat, kinds(p))
        };
        assert_eq!(
            a.iter().map(summary).collect::<Vec<_>>(),
            b.iter().map(summary).collect::<Vec<_>>()
        );
    }

    #[test]
    fn every_status_is_reached_recent_ones_open_and_older_ones_done() {
        let demo = demo();
        let now = DateTime::parse_from_rfc3339(NOW).unwrap().to_utc();
        let city = planned(&demo, NOW);
        let count = |wanted: ComplaintStatus| city.iter().filter(|p| status(p) == wanted).count();
        for wanted in ComplaintStatus::ALL {
            assert!(count(wanted) >= 3, "{wanted:?}: {}", count(wanted));
        }
        let age = |p: &Planned| now - p.complaint.created_at.and_utc();
        let open_share = |from: i64, to: i64| {
            let aged: Vec<&Planned> = city
                .iter()
                .filter(|p| (TimeDelta::days(from)..TimeDelta::days(to)).contains(&age(p)))
                .collect();
            aged.iter().filter(|p| status(p).is_open()).count() as f64 / aged.len() as f64
        };
        assert!(open_share(0, 2) > 0.6, "{}", open_share(0, 2));
        assert!(open_share(30, 121) < 0.15, "{}", open_share(30, 121));
        let overdue = city
            .iter()
            .filter(|p| is_overdue(status(p), p.complaint.due_at.and_utc(), now))
            .count();
        let due_within_a_day = city
            .iter()
            .filter(|p| status(p).is_open())
            .filter(|p| (now..now + TimeDelta::days(1)).contains(&p.complaint.due_at.and_utc()))
            .count();
        assert!(overdue >= 5, "{overdue} overdue");
        assert!(due_within_a_day >= 3, "{due_within_a_day} due within a day");
        for p in &city {
            let filed = p.complaint.created_at.and_utc();
            assert!(filed < now && now - filed <= TimeDelta::days(121));
            assert!(p.steps.iter().all(|s| filed < s.at() && s.at() < now));
            assert!(p.steps.windows(2).all(|w| w[0].at() <= w[1].at()));
        }
    }

    #[test]
    fn the_city_has_what_a_newcomer_looks_for() {
        let demo = demo();
        let city = planned(&demo, NOW);
        let share = |test: &dyn Fn(&Planned) -> bool| {
            city.iter().filter(|p| test(p)).count() as f64 / city.len() as f64
        };
        assert!(share(&|p| p.photo) > 0.75);
        assert!((0.05..0.2).contains(&share(&|p| p.complaint.anonymous)));
        assert!(share(&|p| kinds(p).contains(&EventKind::Rated)) > 0.15);
        assert!(share(&|p| kinds(p).contains(&EventKind::Note)) > 0.1);
        assert!(share(&|p| kinds(p).contains(&EventKind::Reopened)) > 0.01);
        let after_photos = city.iter().flat_map(|p| &p.steps).any(|s| {
            matches!(s, Step::Event { transition, .. }
                if matches!(transition.event, EventRequest::Resolved { after_photos: 1, .. }))
        });
        assert!(after_photos);
        let follows = |me_too: bool| {
            city.iter()
                .flat_map(|p| &p.steps)
                .filter(|s| matches!(s, Step::Follow { me_too: m, .. } if *m == me_too))
                .count()
        };
        assert!(follows(false) > 20 && follows(true) > 20);
        for agency in
            ["so-xay-dung", "ubnd-phuong-hai-chau", "ubnd-xa-hoa-vang", "cong-an-xa-hoa-vang"]
        {
            assert!(city.iter().any(|p| p.complaint.agency_id == agency), "{agency}");
        }
        // An agency without staff of its own is handled by the administrator.
        let by_admin = city
            .iter()
            .flat_map(|p| &p.steps)
            .any(|s| matches!(s, Step::Event { author, .. } if author.actor == Actor::Admin));
        assert!(by_admin);
    }

    #[test]
    fn a_duplicate_points_at_an_earlier_complaint_nearby_of_its_category() {
        let demo = demo();
        let city = planned(&demo, NOW);
        let mut duplicates = 0;
        for (i, p) in city.iter().enumerate() {
            for step in &p.steps {
                let Step::Event { transition, .. } = step else { continue };
                let EventRequest::Duplicate { duplicate_of } = &transition.event else { continue };
                let original = city[..i].iter().find(|o| &o.complaint.id == duplicate_of).unwrap();
                assert_eq!(original.category.code, p.complaint.category_code);
                let at = |c: &NewComplaint| LatLon::parse(c.lat, c.lon, &Region::VIETNAM).unwrap();
                assert!(at(&original.complaint).distance_m(at(&p.complaint)) < 70.0);
                duplicates += 1;
            }
        }
        assert!(duplicates >= 5, "{duplicates}");
    }

    #[test]
    fn any_day_of_the_year_makes_a_city_the_state_machine_allows() {
        let demo = demo();
        for now in ["2026-01-01T00:00:00Z", "2026-04-30T10:30:00Z", "2027-02-14T16:59:59Z"] {
            assert_eq!(planned(&demo, now).len(), COMPLAINTS);
        }
    }
}
