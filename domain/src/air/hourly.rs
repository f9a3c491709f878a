//! The AQI of an hour: gases by their hour's mean, particulates by the NowCast.

use super::{hour_of, Aqi, Breakpoints, HourlyMeans, Parameter, SubIndex, NOWCAST_HOURS};
use chrono::NaiveDateTime;

/// The NowCast of the decision: a mean of the last twelve hours' means that weighs the recent
/// ones more the faster the air is changing. `hours[0]` is the hour rated (c₁), `hours[1]`
/// the one before (c₂), and so on; `None` where a mean is missing. With w* = c_min / c_max
/// over the hours present, w = w* when w* > ½, else ½, and
/// NowCast = Σ wⁱ⁻¹·cᵢ / Σ wⁱ⁻¹ over the hours present: a missing hour drops out of both
/// sums, the others keep their own powers. None unless at least two of c₁, c₂, c₃ are
/// present: the decision's rule that the figure reflect the latest hours.
pub fn nowcast(hours: &[Option<f64>; NOWCAST_HOURS]) -> Option<f64> {
    if hours[..3].iter().flatten().count() < 2 {
        return None;
    }
    let present = || hours.iter().enumerate().filter_map(|(i, c)| c.map(|c| (i, c)));
    let (min, max) =
        present().fold((f64::INFINITY, 0.0_f64), |(min, max), (_, c)| (min.min(c), max.max(c)));
    if max == 0.0 {
        // Every hour clean: w* would be 0/0.
        return Some(0.0);
    }
    let weight = (min / max).max(0.5);
    let (weighted, weights) = present().fold((0.0, 0.0), |(weighted, weights), (i, c)| {
        let w = weight.powi(i as i32);
        (weighted + w * c, weights + w)
    });
    Some(weighted / weights)
}

/// The AQI of a station for `hour` (UTC; [`hour_of`] is taken) from its hourly means of
/// that hour and the eleven before ([`super::hours_for_hourly`]): O3, NO2, SO2 and CO by
/// the sub-index of the hour's mean (a parameter without one that hour does not count), PM2.5
/// and PM10 by the sub-index of their [`nowcast`]. None when neither PM10 nor PM2.5 has a
/// figure: Decision 1459 publishes no AQI without one of them.
pub fn hourly_aqi(means: &HourlyMeans, hour: NaiveDateTime) -> Option<Aqi> {
    let hour = hour_of(hour);
    let sub_indices = Parameter::ALL
        .into_iter()
        .filter_map(|parameter| {
            let table = Breakpoints::of(parameter)?;
            let concentration = match parameter {
                Parameter::Pm25 | Parameter::Pm10 => nowcast(&means.back_from(parameter, hour))?,
                // The gases: their hour's own mean.
                _ => means.get(parameter, hour)?,
            };
            Some(SubIndex { parameter, value: table.sub_index(concentration)? })
        })
        .collect();
    Aqi::of(sub_indices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::air::tests::utc;
    use crate::air::AqiLevel;
    use chrono::TimeDelta;

    /// Twelve hours, the latest first; `None` past the values given.
    fn hours(values: &[Option<f64>]) -> [Option<f64>; NOWCAST_HOURS] {
        let mut hours = [None; NOWCAST_HOURS];
        hours[..values.len()].copy_from_slice(values);
        hours
    }

    fn close(actual: Option<f64>, expected: f64) -> bool {
        actual.is_some_and(|actual| (actual - expected).abs() < 1e-9)
    }

    #[test]
    fn a_steady_series_is_its_own_nowcast() {
        assert!(close(nowcast(&[Some(35.0); NOWCAST_HOURS]), 35.0));
        assert_eq!(nowcast(&[Some(0.0); NOWCAST_HOURS]), Some(0.0));
    }

    #[test]
    fn a_sudden_rise_weighs_the_latest_hour_by_halves() {
        // c = 100, then eleven hours of 10: w* = 10/100 = 0.1 < ½, so w = ½.
        // Σ wⁱ⁻¹·cᵢ = 100 + 10 × (½ + ¼ + … + ½¹¹) = 100 + 10 × 2047/2048 = 225270/2048;
        // Σ wⁱ⁻¹ = 1 + ½ + … + ½¹¹ = 4095/2048; NowCast = 225270/4095 = 55.0110…
        let mut series = [Some(10.0); NOWCAST_HOURS];
        series[0] = Some(100.0);
        assert!(close(nowcast(&series), 225_270.0 / 4_095.0));
        assert_eq!(Breakpoints::PM25.sub_index(nowcast(&series).unwrap()), Some(108));
    }

    #[test]
    fn a_gentle_change_weighs_by_the_ratio() {
        // c = 80, 100, 80: w* = 80/100 = 0.8 > ½, so w = 0.8.
        // (80 + 0.8 × 100 + 0.64 × 80) / (1 + 0.8 + 0.64) = 211.2 / 2.44 = 86.557…
        let series = hours(&[Some(80.0), Some(100.0), Some(80.0)]);
        assert!(close(nowcast(&series), 211.2 / 2.44));
    }

    #[test]
    fn missing_hours_drop_out_and_the_others_keep_their_powers() {
        // c₁ missing, c₂ = 20, c₃ = 40: w* = ½, so w = ½.
        // (½ × 20 + ¼ × 40) / (½ + ¼) = 20 / 0.75 = 26.67
        let series = hours(&[None, Some(20.0), Some(40.0)]);
        assert!(close(nowcast(&series), 20.0 / 0.75));
        // c = 30, 30, –, –, 60: w* = ½, so w = ½.
        // (30 + ½ × 30 + ½⁴ × 60) / (1 + ½ + ½⁴) = 48.75 / 1.5625 = 31.2
        let series = hours(&[Some(30.0), Some(30.0), None, None, Some(60.0)]);
        assert!(close(nowcast(&series), 31.2));
    }

    #[test]
    fn without_two_of_the_latest_three_hours_there_is_no_nowcast() {
        assert_eq!(nowcast(&hours(&[Some(50.0)])), None);
        assert_eq!(nowcast(&hours(&[None, None, Some(50.0), Some(50.0)])), None);
        let mut stale = [Some(50.0); NOWCAST_HOURS];
        stale[1] = None;
        stale[2] = None;
        assert_eq!(nowcast(&stale), None, "one of the three, however full the rest");
        assert!(close(nowcast(&hours(&[Some(50.0), None, Some(50.0)])), 50.0));
        assert_eq!(nowcast(&[None; NOWCAST_HOURS]), None);
    }

    /// Means of one parameter for the hours ending at `last`, the latest first.
    fn record(means: &mut HourlyMeans, parameter: Parameter, last: &str, values: &[f64]) {
        for (back, value) in values.iter().enumerate() {
            let hour = utc(last) - TimeDelta::hours(back as i64);
            means.insert(parameter, hour, *value).unwrap();
        }
    }

    #[test]
    fn the_hour_is_rated_by_its_worst_pollutant() {
        let mut means = HourlyMeans::new();
        let hour = "2026-03-10T05:00";
        record(&mut means, Parameter::Pm25, hour, &[37.5; 12]);
        // Only the hour's own mean counts for the gases: the hour before is past.
        record(&mut means, Parameter::No2, hour, &[450.0, 2_000.0]);
        record(&mut means, Parameter::Co, hour, &[20_000.0]);
        record(&mut means, Parameter::Temperature, hour, &[31.0]);
        let aqi = hourly_aqi(&means, utc(hour)).unwrap();
        assert_eq!(
            aqi.sub_indices,
            [
                // NowCast 37.5: 50/25 × 12.5 + 50
                SubIndex { parameter: Parameter::Pm25, value: 75 },
                // 50/500 × (450 − 200) + 100
                SubIndex { parameter: Parameter::No2, value: 125 },
                // 50/20000 × 10000 + 50
                SubIndex { parameter: Parameter::Co, value: 75 },
            ]
        );
        assert_eq!((aqi.value, aqi.dominant, aqi.level()), (125, Parameter::No2, AqiLevel::Poor));
        assert_eq!(hourly_aqi(&means, utc("2026-03-10T05:59")), Some(aqi), "within the hour");
    }

    #[test]
    fn o3_is_rated_by_its_hour_on_the_one_hour_table() {
        let mut means = HourlyMeans::new();
        let hour = "2026-03-10T05:00";
        record(&mut means, Parameter::Pm10, hour, &[20.0, 20.0]);
        record(&mut means, Parameter::O3, hour, &[250.0; 8]);
        let aqi = hourly_aqi(&means, utc(hour)).unwrap();
        // 50/100 × (250 − 200) + 100 = 125, where the 8-hour table would give
        // 100/190 × (250 − 210) + 200 = 221.
        assert_eq!((aqi.value, aqi.dominant), (125, Parameter::O3));
        assert_eq!(aqi.sub_indices[0], SubIndex { parameter: Parameter::Pm10, value: 20 });
    }

    #[test]
    fn no_hourly_aqi_without_particulates() {
        let mut means = HourlyMeans::new();
        let hour = "2026-03-10T05:00";
        record(&mut means, Parameter::O3, hour, &[250.0]);
        record(&mut means, Parameter::So2, hour, &[400.0]);
        assert_eq!(hourly_aqi(&means, utc(hour)), None);
        // One recent PM2.5 hour is no NowCast, so still none.
        record(&mut means, Parameter::Pm25, hour, &[40.0]);
        assert_eq!(hourly_aqi(&means, utc(hour)), None);
        record(&mut means, Parameter::Pm25, "2026-03-10T03:00", &[40.0]);
        let aqi = hourly_aqi(&means, utc(hour)).unwrap();
        // O3: 50/100 × 50 + 100 = 125; SO2: 50/200 × 50 + 100 = 112.5, so 113; PM2.5
        // NowCast 40: 50/25 × 15 + 50 = 80.
        assert_eq!((aqi.value, aqi.dominant), (125, Parameter::O3));
        assert_eq!(aqi.sub_indices.len(), 3);
        // An hour later nothing new has come: PM2.5 has only c₂, the rest are past.
        assert_eq!(hourly_aqi(&means, utc("2026-03-10T06:00")), None);
    }
}
