//! Air quality: administrators register networks and stations, a network's logger pushes
//! readings with its key, every instance answers the stations' VN_AQI, and a station entering
//! "Xấu" (151) or worse warns the residents of the areas around it, once per episode.

use crate::app::auth::{tokens, Admin};
use crate::app::error::{ApiError, ErrorCode};
use crate::app::geography::area_code;
use crate::app::sms;
use crate::app::state::AppState;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta};
use smartcity_db::air::{self, Observation, Rated, StationFields, StationRow, Taken};
use smartcity_db::revisions;
use smartcity_db::warnings::{self, WarningContent, WarningSms};
use smartcity_domain::air::{warning_text, AqiLevel, Parameter, Reading, StationCode, StationKind};
use smartcity_domain::geo::{bounding_box, LatLon, Shape};
use smartcity_domain::validation::{clean_text, Invalid, Reason};
use smartcity_domain::warning::{change_label, notice, WarningChange, WarningKind};
use smartcity_domain::Word;

/// The most observations one request may carry: a logger catching up on a day of six
/// parameters at five-minute steps sends under 2,000.
pub const MAX_BATCH: usize = 2000;
/// How far back a reading may be: a logger back from an outage of up to a month still fills
/// its gap; older data is an import, not a push.
const OLDEST_READING_DAYS: i64 = 31;
/// Clocks of loggers drift; a reading a little ahead of ours is still now.
const CLOCK_SLACK: TimeDelta = TimeDelta::minutes(5);
/// The residents warned of a station's bad air: those of the areas within this distance.
pub const WARNING_RADIUS_M: f64 = 3000.0;
/// An episode's warning stands until the air clears, at most this long (then a new one goes).
const EPISODE_DAYS: i64 = 7;
/// Readings older than this do not open an episode: a backlog is not news.
const EPISODE_FRESH_HOURS: i64 = 3;

/// A new network's key, shown once.
pub struct IssuedNetwork {
    pub id: String,
    /// As stored (trimmed).
    pub name: String,
    pub key: String,
}

pub async fn create_network(
    state: &AppState,
    _: &Admin,
    name: &str,
) -> Result<IssuedNetwork, ApiError> {
    let name = clean_text("name", name, 1, 200, false)?;
    let (key, hash) = tokens::new_api_key();
    let id = {
        let name = name.clone();
        state.db(move |conn| air::create_network(conn, &name, &hash, smartcity_db::now())).await?
    };
    Ok(IssuedNetwork { id, name, key })
}

/// The network a key belongs to; 401 `invalid_api_key` for any other.
pub async fn network_of_key(state: &AppState, key: &str) -> Result<String, ApiError> {
    let hash = tokens::hash_secret(key);
    state
        .db(move |conn| air::network_of_key(conn, &hash))
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidApiKey))
}

/// A station as an administrator sends it.
pub struct StationDraft {
    pub network_id: String,
    pub name: String,
    pub operator: String,
    pub kind: String,
    pub lat: f64,
    pub lon: f64,
    pub active: bool,
}

/// Creates or replaces a station; true when it is new.
pub async fn save_station(
    state: &AppState,
    _: &Admin,
    code: &str,
    draft: StationDraft,
) -> Result<(bool, StationRow), ApiError> {
    let code = StationCode::parse("code", code)?.as_str().to_string();
    let position = LatLon::parse(draft.lat, draft.lon, state.areas.region())?;
    let fields = StationFields {
        name: clean_text("name", &draft.name, 1, 200, false)?,
        operator: clean_text("operator", &draft.operator, 1, 200, false)?,
        kind: StationKind::parse_word("kind", &draft.kind)?,
        lat: position.lat(),
        lon: position.lon(),
        active: draft.active,
        network_id: draft.network_id,
    };
    let (created, row) = state
        .db(move |conn| {
            if !air::network_exists(conn, &fields.network_id)? {
                return Ok(None);
            }
            let created = air::save_station(conn, &code, &fields, smartcity_db::now())?;
            Ok(air::station(conn, &code)?.map(|row| (created, row)))
        })
        .await?
        .ok_or_else(|| {
            ApiError::invalid_field("network_id", "Không có mạng quan trắc này", "No such network")
        })?;
    Ok((created, row))
}

/// One observation as a logger sends it, in the shape of a SensorThings Observation.
pub struct ObservationDraft {
    pub station: String,
    pub parameter: String,
    pub phenomenon_time: DateTime<FixedOffset>,
    pub result: f64,
    pub unit: String,
}

/// What became of one observation: stored, a duplicate, or refused naming its field.
pub enum ItemOutcome {
    Taken(Taken),
    Refused(ApiError),
}

/// Stores a network's batch; each item is judged alone, and the answer says which were taken.
/// Stations whose air turned bad, or cleared, open or end their episode's warning.
pub async fn ingest(
    state: &AppState,
    network_id: String,
    drafts: Vec<Result<ObservationDraft, ApiError>>,
) -> Result<Vec<ItemOutcome>, ApiError> {
    if drafts.len() > MAX_BATCH {
        return Err(Invalid::new(
            "observations",
            Reason::OutOfRange { min: 1, max: MAX_BATCH as i64 },
        )
        .into());
    }
    let now = smartcity_db::now();
    let mut outcomes: Vec<Option<ItemOutcome>> = Vec::with_capacity(drafts.len());
    let mut valid = Vec::new();
    // Each item alone: a logger's one bad reading must not lose the rest of its batch.
    for (index, draft) in drafts.into_iter().enumerate() {
        match draft.and_then(|draft| Ok(observation(index, draft, now)?)) {
            Ok(observation) => {
                outcomes.push(None);
                valid.push(observation);
            }
            Err(refusal) => outcomes.push(Some(ItemOutcome::Refused(refusal))),
        }
    }
    let (taken, rerated) =
        state.db(move |conn| air::ingest(conn, &network_id, &valid, now)).await?;
    let mut taken = taken.into_iter();
    let outcomes = outcomes
        .into_iter()
        .map(|outcome| {
            outcome.unwrap_or_else(|| ItemOutcome::Taken(taken.next().expect("one per valid item")))
        })
        .collect();
    for code in rerated {
        follow_episode(state, code, now).await?;
    }
    Ok(outcomes)
}

fn observation(
    index: usize,
    draft: ObservationDraft,
    now: NaiveDateTime,
) -> Result<Observation, Invalid> {
    let field = |name: &str| format!("observations[{index}].{name}");
    let station_code = StationCode::parse(&field("station"), &draft.station)?;
    let parameter = Parameter::parse_word(&field("parameter"), &draft.parameter)?;
    let reading = Reading::parse(parameter, draft.result, &draft.unit).map_err(|mut invalid| {
        invalid.field = field(&invalid.field);
        invalid
    })?;
    // Both backends keep microseconds: a duplicate must compare equal to what was stored.
    let observed_at = chrono::SubsecRound::trunc_subsecs(draft.phenomenon_time.naive_utc(), 6);
    let oldest = now - TimeDelta::days(OLDEST_READING_DAYS);
    if observed_at > now + CLOCK_SLACK || observed_at < oldest {
        return Err(Invalid::new(
            field("phenomenonTime"),
            Reason::Format {
                expected_vi: "một thời điểm không ở tương lai và trong vòng 31 ngày qua",
                expected_en: "a time not in the future and within the last 31 days",
            },
        ));
    }
    Ok(Observation { station_code: station_code.as_str().to_string(), reading, observed_at })
}

/// Opens the warning of a station whose latest hour is fresh and bad, or ends the one of a
/// station whose air cleared.
async fn follow_episode(
    state: &AppState,
    code: String,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let (station, latest, live) = {
        let code = code.clone();
        state
            .db(move |conn| {
                let station = air::station(conn, &code)?;
                let latest = air::latest(conn, &code)?;
                let live = warnings::station_episode(conn, &code, now)?;
                Ok((station, latest, live))
            })
            .await?
    };
    let (Some(station), Some(latest)) = (station, latest) else {
        return Ok(());
    };
    let aqi = u16::try_from(latest.aqi).unwrap_or(0);
    let severity = AqiLevel::of(aqi).warning_severity();
    match (severity, live) {
        (None, Some(warning_id)) => {
            state.db(move |conn| warnings::end_now(conn, &warning_id, now)).await?;
        }
        (Some(severity), None) if latest.at >= now - TimeDelta::hours(EPISODE_FRESH_HOURS) => {
            let index = state.areas.index(&state.database).await?;
            let position = LatLon::parse(station.lat, station.lon, state.areas.region())?;
            let around = Shape::of_box(bounding_box(position, WARNING_RADIUS_M));
            let areas: Vec<String> =
                index.overlapping(&around).into_iter().map(area_code).collect();
            if areas.is_empty() {
                return Ok(());
            }
            let text = warning_text(&station.name, aqi);
            let id = uuid::Uuid::new_v4().to_string();
            let told = notice(&id, WarningChange::Issued, WarningKind::AirQuality, severity, &text);
            let content = WarningContent {
                kind: WarningKind::AirQuality,
                severity,
                title_vi: text.title_vi,
                body_vi: text.body_vi,
                title_en: text.title_en,
                body_en: text.body_en,
                polygon: None,
                valid_from: now,
                valid_until: now + TimeDelta::days(EPISODE_DAYS),
                areas,
            };
            let texting = severity.texted().then(|| sms::warning_texting(state));
            let label = change_label(WarningChange::Issued, severity).0;
            let title = content.title_vi.clone();
            let opened = state
                .db(move |conn| {
                    let texts = texting.as_ref().map(|texting| WarningSms {
                        texting,
                        label,
                        title: &title,
                    });
                    air::open_episode(conn, &code, &id, &content, &told, texts.as_ref(), now)
                })
                .await?;
            if let Some(reach) = opened {
                state.pushes_queued();
                if reach.texts > 0 {
                    state.sms_queued();
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// A station with its latest rated hour and, when asked from a point, how far it is.
pub struct StationSummary {
    pub row: StationRow,
    pub latest: Option<Rated<NaiveDateTime>>,
    pub distance_m: Option<f64>,
}

/// The active stations, nearest first when `near` is given (else by code).
pub async fn stations(
    state: &AppState,
    near: Option<LatLon>,
) -> Result<Vec<StationSummary>, ApiError> {
    let rows = state.db(air::stations_with_latest).await?;
    let mut summaries: Vec<StationSummary> = rows
        .into_iter()
        .map(|(row, latest)| {
            let distance_m = near.and_then(|point| {
                LatLon::parse(row.lat, row.lon, state.areas.region())
                    .ok()
                    .map(|station| point.distance_m(station))
            });
            StationSummary { row, latest, distance_m }
        })
        .collect();
    if near.is_some() {
        summaries.sort_by(|a, b| {
            a.distance_m.unwrap_or(f64::MAX).total_cmp(&b.distance_m.unwrap_or(f64::MAX))
        });
    }
    Ok(summaries)
}

/// A station's last 48 rated hours and 30 rated days, the newest first.
pub struct StationHistory {
    pub row: StationRow,
    pub hours: Vec<Rated<NaiveDateTime>>,
    pub days: Vec<Rated<NaiveDate>>,
}

pub async fn station(state: &AppState, code: String) -> Result<StationHistory, ApiError> {
    let now = smartcity_db::now();
    let since_hour = smartcity_domain::air::hour_of(now) - TimeDelta::hours(47);
    let since_day = smartcity_domain::air::vietnam_day_of(now) - TimeDelta::days(29);
    let found = state
        .db(move |conn| {
            let Some(row) = air::station(conn, &code)?.filter(|row| row.active) else {
                return Ok(None);
            };
            let (hours, days) = air::history(conn, &code, since_hour, since_day)?;
            Ok(Some(StationHistory { row, hours, days }))
        })
        .await?;
    found.ok_or_else(ApiError::not_found)
}

/// The air data's revision: public answers are tagged with it.
pub async fn revision(state: &AppState) -> Result<i64, ApiError> {
    state.db(|conn| revisions::current(conn, revisions::AIR)).await
}
