//! The breakpoint tables of Decision 1459/QĐ-TCMT and the sub-index they give a concentration.

use super::Parameter;

/// The index values at the breakpoints, the same for every table: `INDEX_STEPS[i]` is reached
/// at a table's `i`-th concentration.
const INDEX_STEPS: [u16; 8] = [0, 50, 100, 150, 200, 300, 400, 500];

/// The top of the scale: every concentration beyond a table's last breakpoint rates this.
pub const AQI_MAX: u16 = 500;

/// One table of the decision: the concentrations (µg/m³) at which the sub-index reaches 0, 50,
/// 100, 150, 200, 300, 400 and 500, as far as the table goes.
#[derive(Debug, PartialEq)]
pub struct Breakpoints(&'static [f64]);

impl Breakpoints {
    /// O3, 1-hour mean.
    pub const O3_1_HOUR: Breakpoints =
        Breakpoints(&[0.0, 160.0, 200.0, 300.0, 400.0, 800.0, 1_000.0, 1_200.0]);
    /// O3, 8-hour mean. It stops at 300: above 400 µg/m³ the decision rates O3 by its 1-hour
    /// mean alone.
    pub const O3_8_HOURS: Breakpoints = Breakpoints(&[0.0, 100.0, 120.0, 170.0, 210.0, 400.0]);
    /// CO, 1-hour mean.
    pub const CO: Breakpoints =
        Breakpoints(&[0.0, 10_000.0, 30_000.0, 45_000.0, 60_000.0, 90_000.0, 120_000.0, 150_000.0]);
    /// SO2, 1-hour mean.
    pub const SO2: Breakpoints =
        Breakpoints(&[0.0, 125.0, 350.0, 550.0, 800.0, 1_600.0, 2_100.0, 2_630.0]);
    /// NO2, 1-hour mean.
    pub const NO2: Breakpoints =
        Breakpoints(&[0.0, 100.0, 200.0, 700.0, 1_200.0, 2_350.0, 3_100.0, 3_850.0]);
    /// PM10: a 24-hour mean, or a NowCast for the hour.
    pub const PM10: Breakpoints =
        Breakpoints(&[0.0, 50.0, 150.0, 250.0, 350.0, 420.0, 500.0, 600.0]);
    /// PM2.5: a 24-hour mean, or a NowCast for the hour.
    pub const PM25: Breakpoints = Breakpoints(&[0.0, 25.0, 50.0, 80.0, 150.0, 250.0, 350.0, 500.0]);

    /// The table a pollutant's hourly and daily figures are rated by (O3: the 1-hour one);
    /// none for temperature and humidity.
    pub fn of(parameter: Parameter) -> Option<&'static Breakpoints> {
        match parameter {
            Parameter::Pm25 => Some(&Breakpoints::PM25),
            Parameter::Pm10 => Some(&Breakpoints::PM10),
            Parameter::O3 => Some(&Breakpoints::O3_1_HOUR),
            Parameter::No2 => Some(&Breakpoints::NO2),
            Parameter::So2 => Some(&Breakpoints::SO2),
            Parameter::Co => Some(&Breakpoints::CO),
            Parameter::Temperature | Parameter::Humidity => None,
        }
    }

    /// The sub-index of `concentration` (µg/m³), by linear interpolation within its band,
    /// rounded half up to a whole number as the decision publishes it. At a breakpoint both
    /// bands agree; the lower one is used. Beyond the last breakpoint, [`AQI_MAX`] (the scale
    /// ends there), except for a table that stops short of it ([`Breakpoints::O3_8_HOURS`]),
    /// which gives none. None for what is no concentration (negative, NaN).
    pub fn sub_index(&self, concentration: f64) -> Option<u16> {
        if concentration.is_nan() || concentration < 0.0 {
            return None;
        }
        let bands = self.0.windows(2).zip(INDEX_STEPS.windows(2));
        for (concentrations, steps) in bands {
            let (low, high) = (concentrations[0], concentrations[1]);
            if concentration <= high {
                let (from, to) = (f64::from(steps[0]), f64::from(steps[1]));
                // Multiplied before divided: the exact answer for more concentrations.
                let index = (to - from) * (concentration - low) / (high - low) + from;
                return Some(round_half_up(index));
            }
        }
        let top = INDEX_STEPS[self.0.len() - 1];
        (top == AQI_MAX).then_some(AQI_MAX)
    }
}

/// `index` (0 to 500) to the nearest whole number, halves up. A half computed in binary
/// floating point can land a hair below it (O3 36.8 µg/m³ is 11.5, computed 11.4999…), so
/// what is within a billionth of a half counts as one.
fn round_half_up(index: f64) -> u16 {
    (index + 0.5 + 1e-9).floor() as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every breakpoint of `table` rates its index value, and halfway along each band, the
    /// middle of the band's index values.
    fn assert_band_ends(table: &Breakpoints, breakpoints: &[f64]) {
        assert_eq!(table.0, breakpoints);
        for (at, index) in breakpoints.iter().zip(INDEX_STEPS) {
            assert_eq!(table.sub_index(*at), Some(index), "{at}");
        }
        for (band, pair) in breakpoints.windows(2).enumerate() {
            let middle = (pair[0] + pair[1]) / 2.0;
            let expected = (INDEX_STEPS[band] + INDEX_STEPS[band + 1]) / 2;
            assert_eq!(table.sub_index(middle), Some(expected), "{middle}");
        }
    }

    #[test]
    fn every_band_of_every_table_ends_at_its_index_values() {
        use Breakpoints as B;
        let o3 = [0.0, 160.0, 200.0, 300.0, 400.0, 800.0, 1_000.0, 1_200.0];
        assert_band_ends(&B::O3_1_HOUR, &o3);
        assert_band_ends(&B::O3_8_HOURS, &[0.0, 100.0, 120.0, 170.0, 210.0, 400.0]);
        let co = [0.0, 10_000.0, 30_000.0, 45_000.0, 60_000.0, 90_000.0, 120_000.0, 150_000.0];
        assert_band_ends(&B::CO, &co);
        let so2 = [0.0, 125.0, 350.0, 550.0, 800.0, 1_600.0, 2_100.0, 2_630.0];
        assert_band_ends(&B::SO2, &so2);
        let no2 = [0.0, 100.0, 200.0, 700.0, 1_200.0, 2_350.0, 3_100.0, 3_850.0];
        assert_band_ends(&B::NO2, &no2);
        assert_band_ends(&B::PM10, &[0.0, 50.0, 150.0, 250.0, 350.0, 420.0, 500.0, 600.0]);
        assert_band_ends(&B::PM25, &[0.0, 25.0, 50.0, 80.0, 150.0, 250.0, 350.0, 500.0]);
    }

    #[test]
    fn pm25_band_by_band() {
        let pm25 = |c| Breakpoints::PM25.sub_index(c);
        for (concentration, index) in [
            (0.0, 0),
            (25.0, 50),
            (50.0, 100),
            (80.0, 150),
            (150.0, 200),
            (250.0, 300),
            (350.0, 400),
            (500.0, 500),
            (600.0, 500),
            (2_000.0, 500),
            // 50/25 × (37.5 − 25) + 50
            (37.5, 75),
            // 50/25 × 12.4 = 24.8, and 50/25 × 12.6 = 25.2
            (12.4, 25),
            (12.6, 25),
            // Just past a breakpoint, the next band: 50/25 × 0.2 + 50 = 50.4
            (25.2, 50),
            // 100/100 × 1 + 200
            (151.0, 201),
        ] {
            assert_eq!(pm25(concentration), Some(index), "{concentration}");
        }
    }

    #[test]
    fn mid_band_values_computed_by_hand() {
        for (table, concentration, index) in [
            // 50/100 × (200 − 150) + 100
            (&Breakpoints::PM10, 200.0, 125),
            // 100/70 × (385 − 350) + 200 = 250
            (&Breakpoints::PM10, 385.0, 250),
            // 50/20000 × (20000 − 10000) + 50
            (&Breakpoints::CO, 20_000.0, 75),
            // 50/225 × (200 − 125) + 50 = 66.67
            (&Breakpoints::SO2, 200.0, 67),
            // 50/500 × (450 − 200) + 100
            (&Breakpoints::NO2, 450.0, 125),
            // 50/160 × 80
            (&Breakpoints::O3_1_HOUR, 80.0, 25),
            // 100/400 × (600 − 400) + 200
            (&Breakpoints::O3_1_HOUR, 600.0, 250),
            // 50/50 × (150 − 120) + 100
            (&Breakpoints::O3_8_HOURS, 150.0, 130),
            // 100/190 × (300 − 210) + 200 = 247.4
            (&Breakpoints::O3_8_HOURS, 300.0, 247),
        ] {
            assert_eq!(table.sub_index(concentration), Some(index), "{concentration}");
        }
    }

    #[test]
    fn halves_round_up_even_when_the_arithmetic_falls_just_short() {
        // 50/160 × 36.8 = 11.5, computed 11.499999999999998.
        assert_eq!(Breakpoints::O3_1_HOUR.sub_index(36.8), Some(12));
        // 50/40 × (161.2 − 160) + 50 = 51.5, computed 51.499999999999986.
        assert_eq!(Breakpoints::O3_1_HOUR.sub_index(161.2), Some(52));
        // 50/100 × (51 − 50) + 50 = 50.5: Moderate, not Good.
        assert_eq!(Breakpoints::PM10.sub_index(51.0), Some(51));
        assert_eq!(Breakpoints::PM10.sub_index(50.9), Some(50));
    }

    #[test]
    fn beyond_the_tables_the_scale_ends_at_500_and_the_o3_8_hour_table_says_nothing() {
        assert_eq!(Breakpoints::CO.sub_index(150_001.0), Some(AQI_MAX));
        assert_eq!(Breakpoints::SO2.sub_index(f64::INFINITY), Some(AQI_MAX));
        assert_eq!(Breakpoints::O3_1_HOUR.sub_index(1_500.0), Some(AQI_MAX));
        assert_eq!(Breakpoints::O3_8_HOURS.sub_index(400.0), Some(300));
        assert_eq!(Breakpoints::O3_8_HOURS.sub_index(400.1), None);
        assert_eq!(Breakpoints::PM25.sub_index(-1.0), None);
        assert_eq!(Breakpoints::PM25.sub_index(f64::NAN), None);
    }

    #[test]
    fn each_pollutant_has_its_table_and_the_weather_none() {
        assert_eq!(Breakpoints::of(Parameter::O3), Some(&Breakpoints::O3_1_HOUR));
        assert_eq!(Breakpoints::of(Parameter::Pm25), Some(&Breakpoints::PM25));
        for parameter in Parameter::ALL {
            assert_eq!(Breakpoints::of(parameter).is_some(), parameter.counts_in_aqi());
        }
    }
}
