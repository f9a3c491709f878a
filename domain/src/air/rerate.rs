//! What to rate again when readings arrive: an hour's AQI reads the eleven hours before it
//! (the NowCast), and a day's reads seven hours into the day before (the 8-hour O3 means).

use super::{first_hour_of, hour_of, vietnam_day_of, HourlyMeans, Parameter, NOWCAST_HOURS};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// The hours and days whose AQI may have changed, and the hours whose means rating them needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rerating {
    pub hours: Vec<NaiveDateTime>,
    pub days: Vec<NaiveDate>,
    pub window: RangeInclusive<NaiveDateTime>,
}

/// Hours an 8-hour O3 mean reaches after a reading's hour.
const O3_REACH_HOURS: i64 = 7;

/// What readings at `changed` times (UTC) call for, up to the hour of `now`; None when there
/// is nothing to rate (no times, or all after `now`).
pub fn rerating(changed: &[NaiveDateTime], now: NaiveDateTime) -> Option<Rerating> {
    let last_hour = hour_of(now);
    let first = changed.iter().copied().map(hour_of).min()?;
    let latest = changed.iter().copied().map(hour_of).max()?;
    if first > last_hour {
        return None;
    }
    let reach = TimeDelta::hours(NOWCAST_HOURS as i64 - 1);
    let hours_end = (latest + reach).min(last_hour);
    let hours = std::iter::successors(Some(first), |h| Some(*h + TimeDelta::hours(1)))
        .take_while(|h| *h <= hours_end)
        .collect();
    let first_day = vietnam_day_of(first);
    let last_day = vietnam_day_of((latest + TimeDelta::hours(O3_REACH_HOURS)).min(last_hour));
    let days: Vec<NaiveDate> = first_day.iter_days().take_while(|d| *d <= last_day).collect();
    let window_start = (first - reach).min(first_hour_of(first_day) - TimeDelta::hours(7));
    let window_end = hours_end.max(first_hour_of(last_day) + TimeDelta::hours(23)).min(last_hour);
    Some(Rerating { hours, days, window: window_start..=window_end })
}

impl HourlyMeans {
    /// The means of readings (parameter, time, value in the parameter's unit), hour by hour.
    /// Readings outside what a [`super::Reading`] accepts are skipped: stored ones were checked.
    pub fn of_readings(
        readings: impl IntoIterator<Item = (Parameter, NaiveDateTime, f64)>,
    ) -> Self {
        let mut sums: BTreeMap<(Parameter, NaiveDateTime), (f64, u32)> = BTreeMap::new();
        for (parameter, at, value) in readings {
            let sum = sums.entry((parameter, hour_of(at))).or_insert((0.0, 0));
            sum.0 += value;
            sum.1 += 1;
        }
        let mut means = HourlyMeans::new();
        for ((parameter, hour), (sum, count)) in sums {
            // A mean of accepted readings is itself acceptable.
            let _ = means.insert(parameter, hour, sum / f64::from(count));
        }
        means
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::air::tests::utc;

    #[test]
    fn a_reading_rates_its_hour_and_the_eleven_after_up_to_now() {
        let plan = rerating(&[utc("2026-03-10T05:00")], utc("2026-03-10T20:30")).unwrap();
        assert_eq!(plan.hours.first(), Some(&utc("2026-03-10T05:00")));
        assert_eq!(plan.hours.last(), Some(&utc("2026-03-10T16:00")));
        assert_eq!(plan.hours.len(), 12);
        // 05:00 UTC is 12:00 in Vietnam on the 10th; 7 hours on is still the 10th.
        let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(plan.days, [day("2026-03-10")]);
        // The NowCast of 05:00 reads from 18:00 the day before; the day's O3 from 10:00 UTC
        // of the 9th (17:00 UTC less seven hours).
        assert_eq!(*plan.window.start(), utc("2026-03-09T10:00"));
        assert_eq!(*plan.window.end(), utc("2026-03-10T16:00"));

        let recent = rerating(&[utc("2026-03-10T20:10")], utc("2026-03-10T20:30")).unwrap();
        assert_eq!(recent.hours, [utc("2026-03-10T20:00")], "not hours still to come");
        // 20:00 UTC is 03:00 on the 11th in Vietnam.
        assert_eq!(recent.days, [day("2026-03-11")]);
    }

    #[test]
    fn a_late_evening_reading_reaches_the_next_day_s_o3() {
        // 16:00 UTC is 23:00 on the 10th; its O3 counts in 8-hour means ending on the 11th.
        let plan = rerating(&[utc("2026-03-10T16:00")], utc("2026-03-12T00:00")).unwrap();
        let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(plan.days, [day("2026-03-10"), day("2026-03-11")]);
    }

    #[test]
    fn nothing_to_rate_without_times_or_with_only_future_ones() {
        assert_eq!(rerating(&[], utc("2026-03-10T05:00")), None);
        assert_eq!(rerating(&[utc("2026-03-10T07:00")], utc("2026-03-10T05:00")), None);
    }

    #[test]
    fn readings_of_an_hour_are_averaged() {
        let at = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap();
        let means = HourlyMeans::of_readings([
            (Parameter::Pm25, at("2026-03-10T05:00:00"), 30.0),
            (Parameter::Pm25, at("2026-03-10T05:30:00"), 40.0),
            (Parameter::Pm25, at("2026-03-10T06:00:00"), 10.0),
        ]);
        assert_eq!(means.get(Parameter::Pm25, utc("2026-03-10T05:00")), Some(35.0));
        assert_eq!(means.get(Parameter::Pm25, utc("2026-03-10T06:00")), Some(10.0));
    }
}
