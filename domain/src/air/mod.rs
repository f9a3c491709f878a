//! Air quality: the Vietnam Air Quality Index (VN_AQI) of Decision 1459/QĐ-TCMT (2019) of the
//! Environment Administration (Tổng cục Môi trường), from the hourly means of a station's
//! readings. What a station measures and a logger's reading of it ([`Parameter`],
//! [`Reading`]), the decision's tables ([`Breakpoints`]), the index of an hour
//! ([`hourly_aqi`]) and of a day ([`daily_aqi`]), its levels and advice ([`AqiLevel`]), and
//! stations ([`StationKind`], [`StationCode`]).
//!
//! Hours are `NaiveDateTime`s in UTC at the start of the hour; days are Vietnam's (UTC+7).

mod breakpoints;
mod daily;
mod episode;
mod hourly;
mod level;
mod parameter;
mod rerate;
mod station;

pub use breakpoints::{Breakpoints, AQI_MAX};
pub use daily::daily_aqi;
pub use episode::warning_text;
pub use hourly::{hourly_aqi, nowcast};
pub use level::AqiLevel;
pub use parameter::{Parameter, Reading};
pub use rerate::{rerating, Rerating};
pub use station::{StationCode, StationKind};

use crate::validation::{Invalid, Reason};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// The hour an observation at `t` (UTC) belongs to: `t` truncated to the hour, so 10:00:00 and
/// 10:59:59 both belong to 10:00.
pub fn hour_of(t: NaiveDateTime) -> NaiveDateTime {
    let start = NaiveTime::from_hms_opt(t.hour(), 0, 0).expect("an hour of a time is valid");
    t.date().and_time(start)
}

/// Vietnam keeps UTC+7 all year: no daylight saving to look up.
const VIETNAM_OFFSET: TimeDelta = TimeDelta::hours(7);

/// The Vietnam calendar day an hour (UTC) falls on: 17:00 UTC starts the next one.
pub fn vietnam_day_of(hour_utc: NaiveDateTime) -> NaiveDate {
    (hour_utc + VIETNAM_OFFSET).date()
}

/// The first hour (UTC) of a Vietnam day: 17:00 UTC the day before.
fn first_hour_of(day: NaiveDate) -> NaiveDateTime {
    day.and_time(NaiveTime::MIN) - VIETNAM_OFFSET
}

/// The hours whose means [`hourly_aqi`] reads for `hour`: the NowCast's twelve, ending there.
pub fn hours_for_hourly(hour: NaiveDateTime) -> RangeInclusive<NaiveDateTime> {
    let hour = hour_of(hour);
    hour - TimeDelta::hours(NOWCAST_HOURS as i64 - 1)..=hour
}

/// The hours (UTC) whose means [`daily_aqi`] reads for a Vietnam day: its 24, and the 7
/// before, which the 8-hour O3 means of its first hours reach back into.
pub fn hours_for_daily(day: NaiveDate) -> RangeInclusive<NaiveDateTime> {
    let first = first_hour_of(day);
    first - TimeDelta::hours(7)..=first + TimeDelta::hours(23)
}

/// The hours a NowCast weighs: the hour rated and the eleven before.
const NOWCAST_HOURS: usize = 12;

/// A station's hourly means, by parameter and hour (UTC), in each parameter's
/// [`Parameter::unit`]: what [`hourly_aqi`] and [`daily_aqi`] rate. Hours without a mean are
/// simply absent.
#[derive(Debug, Clone, Default)]
pub struct HourlyMeans(BTreeMap<(Parameter, NaiveDateTime), f64>);

impl HourlyMeans {
    pub fn new() -> Self {
        HourlyMeans::default()
    }

    /// Records the mean of `parameter` for the hour `hour` falls in ([`hour_of`]), replacing
    /// any before. Refused as a [`Reading`] would be: a mean no accepted readings could make
    /// (field `mean`).
    pub fn insert(
        &mut self,
        parameter: Parameter,
        hour: NaiveDateTime,
        mean: f64,
    ) -> Result<(), Invalid> {
        if !mean.is_finite() {
            return Err(parameter::not_a_number("mean"));
        }
        let range = parameter.accepted_range();
        if !range.contains(&mean) {
            let (min, max) = (range.start().floor() as i64, range.end().ceil() as i64);
            return Err(Invalid::new("mean", Reason::OutOfRange { min, max }));
        }
        self.0.insert((parameter, hour_of(hour)), mean);
        Ok(())
    }

    /// The mean of `parameter` in `hour`, if there is one.
    fn get(&self, parameter: Parameter, hour: NaiveDateTime) -> Option<f64> {
        self.0.get(&(parameter, hour)).copied()
    }

    /// The means of `parameter` in the `N` hours ending at `last`, the latest first.
    fn back_from<const N: usize>(
        &self,
        parameter: Parameter,
        last: NaiveDateTime,
    ) -> [Option<f64>; N] {
        std::array::from_fn(|back| self.get(parameter, last - TimeDelta::hours(back as i64)))
    }
}

/// One pollutant's part in an AQI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubIndex {
    pub parameter: Parameter,
    pub value: u16,
}

/// The AQI of a station for an hour or a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aqi {
    /// The largest of the sub-indices.
    pub value: u16,
    /// The pollutant whose sub-index it is; of two equal ones, the first in [`Parameter::ALL`].
    pub dominant: Parameter,
    /// Every pollutant that had a figure, in [`Parameter::ALL`]'s order.
    pub sub_indices: Vec<SubIndex>,
}

impl Aqi {
    pub fn level(&self) -> AqiLevel {
        AqiLevel::of(self.value)
    }

    /// The AQI of these sub-indices (in [`Parameter::ALL`]'s order), if it may be published:
    /// the decision requires PM10 or PM2.5 among them.
    fn of(sub_indices: Vec<SubIndex>) -> Option<Aqi> {
        let has_particulates = sub_indices
            .iter()
            .any(|sub| matches!(sub.parameter, Parameter::Pm25 | Parameter::Pm10));
        if !has_particulates {
            return None;
        }
        // `min_by_key` keeps the first of equals, which `max_by_key` would not.
        let dominant = *sub_indices.iter().min_by_key(|sub| std::cmp::Reverse(sub.value))?;
        Some(Aqi { value: dominant.value, dominant: dominant.parameter, sub_indices })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An hour written `2026-03-10T05:00`, UTC.
    pub(crate) fn utc(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn an_observation_belongs_to_the_hour_it_falls_in() {
        let at = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").unwrap();
        assert_eq!(hour_of(at("2026-03-10T10:00:00.0")), utc("2026-03-10T10:00"));
        assert_eq!(hour_of(at("2026-03-10T10:59:59.999")), utc("2026-03-10T10:00"));
        assert_eq!(hour_of(at("2026-03-10T11:00:00.0")), utc("2026-03-10T11:00"));
        assert_eq!(hour_of(at("2026-12-31T23:30:00.0")), utc("2026-12-31T23:00"));
    }

    #[test]
    fn vietnam_days_start_at_17_utc() {
        let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(vietnam_day_of(utc("2026-03-09T16:00")), day("2026-03-09"));
        assert_eq!(vietnam_day_of(utc("2026-03-09T17:00")), day("2026-03-10"));
        assert_eq!(vietnam_day_of(utc("2026-03-10T16:00")), day("2026-03-10"));
        assert_eq!(vietnam_day_of(utc("2026-12-31T17:00")), day("2027-01-01"));
        assert_eq!(first_hour_of(day("2026-03-10")), utc("2026-03-09T17:00"));
    }

    #[test]
    fn the_hours_to_load() {
        assert_eq!(
            hours_for_hourly(utc("2026-03-10T05:00")),
            utc("2026-03-09T18:00")..=utc("2026-03-10T05:00")
        );
        let day = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        assert_eq!(hours_for_daily(day), utc("2026-03-09T10:00")..=utc("2026-03-10T16:00"));
    }

    #[test]
    fn means_are_kept_by_hour_and_refused_as_readings_are() {
        let mut means = HourlyMeans::new();
        let hour = utc("2026-03-10T05:00");
        means.insert(Parameter::Pm25, hour + TimeDelta::minutes(30), 12.0).unwrap();
        assert_eq!(means.get(Parameter::Pm25, hour), Some(12.0));
        assert_eq!(means.get(Parameter::Pm10, hour), None);
        means.insert(Parameter::Pm25, hour, 14.0).unwrap();
        assert_eq!(means.get(Parameter::Pm25, hour), Some(14.0), "the later replaces");
        assert_eq!(
            means.insert(Parameter::Pm25, hour, -1.0),
            Err(Invalid::new("mean", Reason::OutOfRange { min: 0, max: 2_000 }))
        );
        assert_eq!(means.insert(Parameter::Co, hour, f64::NAN).unwrap_err().field, "mean");
        assert_eq!(means.get(Parameter::Pm25, hour), Some(14.0));
        assert_eq!(
            means.back_from::<3>(Parameter::Pm25, hour + TimeDelta::hours(1)),
            [None, Some(14.0), None]
        );
    }

    #[test]
    fn an_aqi_is_its_largest_sub_index_and_needs_particulates() {
        let sub = |parameter, value| SubIndex { parameter, value };
        let aqi = Aqi::of(vec![sub(Parameter::Pm25, 80), sub(Parameter::No2, 125)]).unwrap();
        assert_eq!((aqi.value, aqi.dominant, aqi.level()), (125, Parameter::No2, AqiLevel::Poor));
        let tie = Aqi::of(vec![sub(Parameter::Pm25, 90), sub(Parameter::Pm10, 90)]).unwrap();
        assert_eq!(tie.dominant, Parameter::Pm25, "the first of equals");
        assert_eq!(Aqi::of(vec![sub(Parameter::O3, 200), sub(Parameter::Co, 60)]), None);
        assert_eq!(Aqi::of(vec![]), None);
    }
}
