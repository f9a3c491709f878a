//! The AQI of a day: particulates by their daily means, gases by their worst hour.

use super::{first_hour_of, Aqi, Breakpoints, HourlyMeans, Parameter, SubIndex};
use chrono::{NaiveDate, TimeDelta};

/// Hours of a day a particulate's 24-hour mean needs, as the decision requires.
const MIN_HOURS_FOR_DAILY_MEAN: usize = 18;
/// Hours an 8-hour O3 mean needs of its eight.
const MIN_HOURS_FOR_8_HOUR_MEAN: usize = 6;
const HOURS_IN_DAY: usize = 24;
const O3_MEAN_HOURS: usize = 8;

/// The AQI of a station for a Vietnam calendar day from its hourly means
/// ([`super::hours_for_daily`]), as Decision 1459 computes the daily figure: PM2.5 and PM10 by
/// the sub-index of their 24-hour mean over the day (not the hourly NowCasts), which needs the
/// means of at least 18 of its hours; SO2, CO and NO2 by the largest sub-index of their hours;
/// O3 by the largest of its hours' sub-indices and those of its 8-hour means. An 8-hour mean
/// is the mean of the eight hours ending at an hour of the day (the first ones reach into the
/// day before), needs at least six of them, and counts only up to 400 µg/m³, where its table
/// ends: above, the 1-hour means rate O3 alone. None when neither PM10 nor PM2.5 has a daily
/// figure: the decision publishes no AQI without one of them.
pub fn daily_aqi(means: &HourlyMeans, day: NaiveDate) -> Option<Aqi> {
    let last_hour = first_hour_of(day) + TimeDelta::hours(HOURS_IN_DAY as i64 - 1);
    let sub_indices = Parameter::ALL
        .into_iter()
        .filter_map(|parameter| {
            let table = Breakpoints::of(parameter)?;
            let day_hours: [_; HOURS_IN_DAY] = means.back_from(parameter, last_hour);
            let value = match parameter {
                Parameter::Pm25 | Parameter::Pm10 => table.sub_index(daily_mean(&day_hours)?),
                Parameter::O3 => {
                    // Seven hours more, for the 8-hour means of the day's first hours.
                    let hours: [_; HOURS_IN_DAY + O3_MEAN_HOURS - 1] =
                        means.back_from(parameter, last_hour);
                    let eight_hour = hours.windows(O3_MEAN_HOURS).filter_map(|window| {
                        Breakpoints::O3_8_HOURS.sub_index(eight_hour_mean(window)?)
                    });
                    highest_sub_index(table, &day_hours).into_iter().chain(eight_hour).max()
                }
                // SO2, CO, NO2.
                _ => highest_sub_index(table, &day_hours),
            }?;
            Some(SubIndex { parameter, value })
        })
        .collect();
    Aqi::of(sub_indices)
}

fn daily_mean(day_hours: &[Option<f64>]) -> Option<f64> {
    mean_of_at_least(day_hours, MIN_HOURS_FOR_DAILY_MEAN)
}

fn eight_hour_mean(window: &[Option<f64>]) -> Option<f64> {
    mean_of_at_least(window, MIN_HOURS_FOR_8_HOUR_MEAN)
}

/// The mean of the hours present, if there are at least `min` of them.
fn mean_of_at_least(hours: &[Option<f64>], min: usize) -> Option<f64> {
    let present: Vec<f64> = hours.iter().flatten().copied().collect();
    (present.len() >= min).then(|| present.iter().sum::<f64>() / present.len() as f64)
}

fn highest_sub_index(table: &Breakpoints, hours: &[Option<f64>]) -> Option<u16> {
    hours.iter().flatten().filter_map(|c| table.sub_index(*c)).max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::air::AqiLevel;
    use chrono::NaiveDateTime;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
    }

    /// Hour `h` of the day, Vietnam time; negative for the evening before.
    fn local(h: i64) -> NaiveDateTime {
        first_hour_of(day()) + TimeDelta::hours(h)
    }

    /// `value` for each hour of `hours`, Vietnam time.
    fn record(means: &mut HourlyMeans, parameter: Parameter, hours: &[i64], value: f64) {
        for h in hours {
            means.insert(parameter, local(*h), value).unwrap();
        }
    }

    /// A day of clean PM2.5 (sub-index 20), so the day has an AQI whatever else is tested.
    fn clean_day() -> HourlyMeans {
        let mut means = HourlyMeans::new();
        record(&mut means, Parameter::Pm25, &(0..24).collect::<Vec<_>>(), 10.0);
        means
    }

    fn sub_index_of(aqi: &Aqi, parameter: Parameter) -> Option<u16> {
        aqi.sub_indices.iter().find(|sub| sub.parameter == parameter).map(|sub| sub.value)
    }

    #[test]
    fn particulates_take_the_mean_of_at_least_18_hours() {
        let mut means = HourlyMeans::new();
        // Seventeen hours: no daily mean, so no AQI.
        record(&mut means, Parameter::Pm25, &(0..17).collect::<Vec<_>>(), 50.0);
        assert_eq!(daily_aqi(&means, day()), None);
        // The evening before is another day's.
        record(&mut means, Parameter::Pm25, &[-1], 50.0);
        assert_eq!(daily_aqi(&means, day()), None);
        // The eighteenth: 50 µg/m³ rates 100.
        record(&mut means, Parameter::Pm25, &[23], 50.0);
        let aqi = daily_aqi(&means, day()).unwrap();
        assert_eq!(
            (aqi.value, aqi.dominant, aqi.level()),
            (100, Parameter::Pm25, AqiLevel::Moderate)
        );
    }

    #[test]
    fn the_daily_figure_is_the_mean_not_the_worst_hour() {
        let mut means = HourlyMeans::new();
        record(&mut means, Parameter::Pm10, &(0..12).collect::<Vec<_>>(), 100.0);
        record(&mut means, Parameter::Pm10, &(12..24).collect::<Vec<_>>(), 200.0);
        // The mean, 150 µg/m³, rates 100; 200 alone would rate 125.
        let aqi = daily_aqi(&means, day()).unwrap();
        assert_eq!((aqi.value, aqi.dominant), (100, Parameter::Pm10));
    }

    #[test]
    fn gases_take_their_worst_hour_of_the_day() {
        let mut means = clean_day();
        record(&mut means, Parameter::No2, &[3, 4], 150.0);
        record(&mut means, Parameter::No2, &[18], 450.0);
        // A worse hour the evening before is not this day's.
        record(&mut means, Parameter::No2, &[-1], 1_200.0);
        record(&mut means, Parameter::Co, &[9], 20_000.0);
        record(&mut means, Parameter::So2, &[12], 200.0);
        let aqi = daily_aqi(&means, day()).unwrap();
        // NO2: 50/500 × (450 − 200) + 100; CO: 50/20000 × 10000 + 50; SO2: 50/225 × 75 + 50.
        assert_eq!(sub_index_of(&aqi, Parameter::No2), Some(125));
        assert_eq!(sub_index_of(&aqi, Parameter::Co), Some(75));
        assert_eq!(sub_index_of(&aqi, Parameter::So2), Some(67));
        assert_eq!(sub_index_of(&aqi, Parameter::Pm25), Some(20));
        assert_eq!((aqi.value, aqi.dominant), (125, Parameter::No2));
    }

    #[test]
    fn no_daily_aqi_without_particulates() {
        let mut means = HourlyMeans::new();
        record(&mut means, Parameter::Co, &(0..24).collect::<Vec<_>>(), 20_000.0);
        record(&mut means, Parameter::O3, &(0..24).collect::<Vec<_>>(), 150.0);
        assert_eq!(daily_aqi(&means, day()), None);
    }

    #[test]
    fn o3_takes_the_worse_of_its_hours_and_its_8_hour_means() {
        let mut means = clean_day();
        record(&mut means, Parameter::O3, &(8..16).collect::<Vec<_>>(), 150.0);
        // Each hour: 50/160 × 150 = 46.9; the 8-hour mean 150: 50/50 × 30 + 100 = 130.
        let aqi = daily_aqi(&means, day()).unwrap();
        assert_eq!(sub_index_of(&aqi, Parameter::O3), Some(130));
        assert_eq!((aqi.value, aqi.dominant), (130, Parameter::O3));
    }

    #[test]
    fn an_8_hour_o3_mean_needs_6_of_its_hours() {
        let mut means = clean_day();
        // Five hours, each eight apart from the next: no window holds six.
        record(&mut means, Parameter::O3, &[8, 9, 10, 11, 12], 150.0);
        let aqi = daily_aqi(&means, day()).unwrap();
        assert_eq!(sub_index_of(&aqi, Parameter::O3), Some(47), "the hours alone");
        record(&mut means, Parameter::O3, &[15], 150.0);
        let aqi = daily_aqi(&means, day()).unwrap();
        assert_eq!(sub_index_of(&aqi, Parameter::O3), Some(130), "six of 08:00–15:00");
    }

    #[test]
    fn the_first_8_hour_means_reach_into_the_evening_before() {
        let mut means = clean_day();
        // 19:00–23:00 the evening before and 00:00: six of the eight hours ending at 00:00.
        record(&mut means, Parameter::O3, &[-5, -4, -3, -2, -1, 0], 150.0);
        let aqi = daily_aqi(&means, day()).unwrap();
        assert_eq!(sub_index_of(&aqi, Parameter::O3), Some(130));
        // The evening's hours count only in the 8-hour means: one would need all six.
        let mut means = clean_day();
        record(&mut means, Parameter::O3, &[-1], 600.0);
        assert_eq!(sub_index_of(&daily_aqi(&means, day()).unwrap(), Parameter::O3), None);
    }

    #[test]
    fn above_400_the_8_hour_table_gives_way_to_the_hours() {
        let mut means = clean_day();
        record(&mut means, Parameter::O3, &(8..16).collect::<Vec<_>>(), 500.0);
        // 100/400 × (500 − 400) + 200 = 225, from the 1-hour table; the 8-hour one ends at 400.
        let aqi = daily_aqi(&means, day()).unwrap();
        assert_eq!(sub_index_of(&aqi, Parameter::O3), Some(225));
        // Where the 8-hour mean is 400 or less, it counts, and here it is the worse:
        // 100/190 × (300 − 210) + 200 = 247, against 1-hour 100/100 × (300 − 300) + 150 = 150.
        let mut means = clean_day();
        record(&mut means, Parameter::O3, &(8..16).collect::<Vec<_>>(), 300.0);
        let aqi = daily_aqi(&means, day()).unwrap();
        assert_eq!(sub_index_of(&aqi, Parameter::O3), Some(247));
        assert_eq!(aqi.level(), AqiLevel::VeryBad);
    }
}
