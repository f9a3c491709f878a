//! Air quality: monitoring networks and their stations, the readings their loggers push, and
//! the VN_AQI of every hour and day, rated again in the transaction that stores readings.

use crate::pool::write_transaction;
use crate::revisions;
use crate::schema::{air_daily, air_hourly, air_networks, air_observations, air_stations};
use crate::warnings::{self, FanOut, Issuer, WarningContent, WarningSms};
use crate::words::Stored;
use crate::{new_id, DbConn, DbError};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use smartcity_domain::air::{
    daily_aqi, hourly_aqi, rerating, Aqi, HourlyMeans, Parameter, Reading, StationKind,
};
use smartcity_domain::dossier::Notice;
use std::collections::{BTreeMap, HashMap};

pub fn create_network(
    conn: &mut DbConn,
    name: &str,
    key_hash: &str,
    now: NaiveDateTime,
) -> Result<String, DbError> {
    let id = new_id();
    diesel::insert_into(air_networks::table)
        .values((
            air_networks::id.eq(&id),
            air_networks::name.eq(name),
            air_networks::key_hash.eq(key_hash),
            air_networks::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn network_of_key(conn: &mut DbConn, key_hash: &str) -> Result<Option<String>, DbError> {
    Ok(air_networks::table
        .filter(air_networks::key_hash.eq(key_hash))
        .select(air_networks::id)
        .first(conn)
        .optional()?)
}

pub fn network_exists(conn: &mut DbConn, id: &str) -> Result<bool, DbError> {
    Ok(air_networks::table.find(id).count().get_result::<i64>(conn)? == 1)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = air_stations)]
pub struct StationRow {
    pub code: String,
    pub network_id: String,
    pub name: String,
    pub operator: String,
    pub kind: StationKind,
    pub lat: f64,
    pub lon: f64,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A station as an administrator describes it.
#[derive(Debug, Clone)]
pub struct StationFields {
    pub network_id: String,
    pub name: String,
    pub operator: String,
    pub kind: StationKind,
    pub lat: f64,
    pub lon: f64,
    pub active: bool,
}

/// Creates or replaces a station; true when it is new.
pub fn save_station(
    conn: &mut DbConn,
    code: &str,
    fields: &StationFields,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    write_transaction(conn, |conn| {
        let values = (
            air_stations::network_id.eq(&fields.network_id),
            air_stations::name.eq(&fields.name),
            air_stations::operator.eq(&fields.operator),
            air_stations::kind.eq(Stored(fields.kind)),
            air_stations::lat.eq(fields.lat),
            air_stations::lon.eq(fields.lon),
            air_stations::active.eq(fields.active),
            air_stations::updated_at.eq(now),
        );
        let updated = diesel::update(air_stations::table.find(code)).set(values).execute(conn)?;
        if updated == 1 {
            return Ok(false);
        }
        diesel::insert_into(air_stations::table)
            .values((air_stations::code.eq(code), air_stations::created_at.eq(now), values))
            .execute(conn)?;
        Ok(true)
    })
}

pub fn station(conn: &mut DbConn, code: &str) -> Result<Option<StationRow>, DbError> {
    Ok(crate::row_by_key(air_stations::table.find(code).select(StationRow::as_select()), conn)?)
}

/// One rated hour or day as stored.
#[derive(Debug, Clone)]
pub struct Rated<T> {
    pub at: T,
    pub aqi: i32,
    pub dominant: Parameter,
    /// Parameter word to sub-index, in the order the rating listed them.
    pub sub_indices: Vec<(Parameter, i32)>,
}

type RatedColumns<T> = (T, i32, Parameter, String);
/// A rated hour (the hour it begins).
pub type RatedHour = Rated<NaiveDateTime>;
/// A rated day.
pub type RatedDay = Rated<NaiveDate>;

fn rated<T>((at, aqi, dominant, sub_indices): RatedColumns<T>) -> Result<Rated<T>, DbError> {
    let pairs: Vec<(String, i32)> = serde_json::from_str(&sub_indices)
        .map_err(|err| DbError::Corrupt(format!("air sub-indices: {err}")))?;
    let sub_indices = pairs
        .into_iter()
        .map(|(word, value)| {
            smartcity_domain::Word::from_word(&word)
                .map(|parameter| (parameter, value))
                .ok_or_else(|| DbError::Corrupt(format!("air parameter {word:?}")))
        })
        .collect::<Result<_, _>>()?;
    Ok(Rated { at, aqi, dominant, sub_indices })
}

fn sub_indices_json(aqi: &Aqi) -> String {
    let pairs: Vec<(&str, u16)> =
        aqi.sub_indices.iter().map(|sub| (sub.parameter.as_str(), sub.value)).collect();
    serde_json::to_string(&pairs).expect("pairs serialize")
}

/// Active stations with their latest rated hour, if any.
pub fn stations_with_latest(
    conn: &mut DbConn,
) -> Result<Vec<(StationRow, Option<RatedHour>)>, DbError> {
    let stations: Vec<StationRow> = air_stations::table
        .filter(air_stations::active.eq(true))
        .order(air_stations::code)
        .select(StationRow::as_select())
        .load(conn)?;
    let mut out = Vec::with_capacity(stations.len());
    // A city has tens of stations: a lookup each, by primary key, is simpler than a window query
    // written twice for two backends.
    for station in stations {
        let latest = latest(conn, &station.code)?;
        out.push((station, latest));
    }
    Ok(out)
}

/// A station's rated hours since `since_hour` and days since `since_day`, the newest first.
pub fn history(
    conn: &mut DbConn,
    code: &str,
    since_hour: NaiveDateTime,
    since_day: NaiveDate,
) -> Result<(Vec<RatedHour>, Vec<RatedDay>), DbError> {
    let hours = air_hourly::table
        .filter(air_hourly::station_code.eq(code))
        .filter(air_hourly::hour.ge(since_hour))
        .order(air_hourly::hour.desc())
        .select((air_hourly::hour, air_hourly::aqi, air_hourly::dominant, air_hourly::sub_indices))
        .load::<RatedColumns<NaiveDateTime>>(conn)?
        .into_iter()
        .map(rated)
        .collect::<Result<_, _>>()?;
    let days = air_daily::table
        .filter(air_daily::station_code.eq(code))
        .filter(air_daily::day.ge(since_day))
        .order(air_daily::day.desc())
        .select((air_daily::day, air_daily::aqi, air_daily::dominant, air_daily::sub_indices))
        .load::<RatedColumns<NaiveDate>>(conn)?
        .into_iter()
        .map(rated)
        .collect::<Result<_, _>>()?;
    Ok((hours, days))
}

/// A reading a logger sent, checked, for a station named by code.
#[derive(Debug, Clone)]
pub struct Observation {
    pub station_code: String,
    pub reading: Reading,
    pub observed_at: NaiveDateTime,
}

/// What became of one observation of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    Stored,
    /// The same station, parameter and time was stored before: nothing changed.
    Duplicate,
    /// No active station of the sending network has that code.
    UnknownStation,
}

/// Stores a network's batch and rates again the hours and days of its automatic stations that
/// the new readings feed, all in one transaction; returns each observation's fate and the
/// stations whose ratings were redone.
pub fn ingest(
    conn: &mut DbConn,
    network_id: &str,
    batch: &[Observation],
    now: NaiveDateTime,
) -> Result<(Vec<Taken>, Vec<String>), DbError> {
    write_transaction(conn, |conn| {
        // Batches of one network queue on its row on PostgreSQL, so the duplicate check below
        // holds until the insert (SQLite's write transaction already does).
        diesel::update(air_networks::table.find(network_id))
            .set(air_networks::id.eq(network_id))
            .execute(conn)?;
        let stations: HashMap<String, StationKind> = air_stations::table
            .filter(air_stations::network_id.eq(network_id))
            .filter(air_stations::active.eq(true))
            .select((air_stations::code, air_stations::kind))
            .load::<(String, StationKind)>(conn)?
            .into_iter()
            .collect();
        let mut taken = Vec::with_capacity(batch.len());
        let mut changed: BTreeMap<&str, Vec<NaiveDateTime>> = BTreeMap::new();
        for observation in batch {
            let Some(kind) = stations.get(&observation.station_code) else {
                taken.push(Taken::UnknownStation);
                continue;
            };
            let parameter = observation.reading.parameter();
            let known = air_observations::table
                .find((&observation.station_code, observation.observed_at, Stored(parameter)))
                .count()
                .get_result::<i64>(conn)?
                > 0;
            if known {
                taken.push(Taken::Duplicate);
                continue;
            }
            diesel::insert_into(air_observations::table)
                .values((
                    air_observations::station_code.eq(&observation.station_code),
                    air_observations::parameter.eq(Stored(parameter)),
                    air_observations::observed_at.eq(observation.observed_at),
                    air_observations::value.eq(observation.reading.value()),
                    air_observations::received_at.eq(now),
                ))
                .execute(conn)?;
            taken.push(Taken::Stored);
            if *kind == StationKind::Automatic {
                changed.entry(&observation.station_code).or_default().push(observation.observed_at);
            }
        }
        let mut rerated = Vec::new();
        for (code, times) in changed {
            if rate_again(conn, code, &times, now)? {
                rerated.push(code.to_string());
            }
        }
        if taken.contains(&Taken::Stored) {
            revisions::bump(conn, revisions::AIR)?;
        }
        Ok((taken, rerated))
    })
}

/// Rates again what readings at `times` feed; false when nothing was due (future times).
fn rate_again(
    conn: &mut DbConn,
    code: &str,
    times: &[NaiveDateTime],
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let Some(plan) = rerating(times, now) else {
        return Ok(false);
    };
    let readings: Vec<(Parameter, NaiveDateTime, f64)> = air_observations::table
        .filter(air_observations::station_code.eq(code))
        .filter(air_observations::observed_at.ge(*plan.window.start()))
        .filter(air_observations::observed_at.lt(*plan.window.end() + chrono::TimeDelta::hours(1)))
        .select((
            air_observations::parameter,
            air_observations::observed_at,
            air_observations::value,
        ))
        .load(conn)?;
    let means = HourlyMeans::of_readings(readings);
    let (first_hour, last_hour) = (plan.hours[0], plan.hours[plan.hours.len() - 1]);
    diesel::delete(
        air_hourly::table
            .filter(air_hourly::station_code.eq(code))
            .filter(air_hourly::hour.between(first_hour, last_hour)),
    )
    .execute(conn)?;
    for hour in &plan.hours {
        if let Some(aqi) = hourly_aqi(&means, *hour) {
            diesel::insert_into(air_hourly::table)
                .values((
                    air_hourly::station_code.eq(code),
                    air_hourly::hour.eq(hour),
                    air_hourly::aqi.eq(i32::from(aqi.value)),
                    air_hourly::dominant.eq(Stored(aqi.dominant)),
                    air_hourly::sub_indices.eq(sub_indices_json(&aqi)),
                ))
                .execute(conn)?;
        }
    }
    let (first_day, last_day) = (plan.days[0], plan.days[plan.days.len() - 1]);
    diesel::delete(
        air_daily::table
            .filter(air_daily::station_code.eq(code))
            .filter(air_daily::day.between(first_day, last_day)),
    )
    .execute(conn)?;
    for day in &plan.days {
        if let Some(aqi) = daily_aqi(&means, *day) {
            diesel::insert_into(air_daily::table)
                .values((
                    air_daily::station_code.eq(code),
                    air_daily::day.eq(day),
                    air_daily::aqi.eq(i32::from(aqi.value)),
                    air_daily::dominant.eq(Stored(aqi.dominant)),
                    air_daily::sub_indices.eq(sub_indices_json(&aqi)),
                ))
                .execute(conn)?;
        }
    }
    Ok(true)
}

/// The latest rated hour of a station.
pub fn latest(conn: &mut DbConn, code: &str) -> Result<Option<RatedHour>, DbError> {
    air_hourly::table
        .filter(air_hourly::station_code.eq(code))
        .order(air_hourly::hour.desc())
        .select((air_hourly::hour, air_hourly::aqi, air_hourly::dominant, air_hourly::sub_indices))
        .first::<RatedColumns<NaiveDateTime>>(conn)
        .optional()?
        .map(rated)
        .transpose()
}

/// Issues the warning of an air episode at a station unless one is still live there (once per
/// episode, also when two batches of the station rate it bad at once); None when one was.
pub fn open_episode(
    conn: &mut DbConn,
    station_code: &str,
    warning_id: &str,
    content: &WarningContent,
    notice: &Notice,
    texts: Option<&WarningSms>,
    now: NaiveDateTime,
) -> Result<Option<FanOut>, DbError> {
    write_transaction(conn, |conn| {
        diesel::update(air_stations::table.find(station_code))
            .set(air_stations::code.eq(station_code))
            .execute(conn)?;
        if warnings::station_episode(conn, station_code, now)?.is_some() {
            return Ok(None);
        }
        let issuer =
            Issuer { agency_id: None, user_id: None, station_code: Some(station_code.to_string()) };
        warnings::issue(conn, warning_id, content, &issuer, notice, texts, now).map(Some)
    })
}
