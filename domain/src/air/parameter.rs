//! What a station measures, and a reading of it as accepted from a logger.

use crate::validation::{Invalid, Reason};
use crate::word::impl_word;
use crate::Lang;
use std::ops::RangeInclusive;

/// A quantity a station measures. The six pollutants make the AQI; temperature and humidity
/// are shown beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Parameter {
    Pm25,
    Pm10,
    O3,
    No2,
    So2,
    Co,
    Temperature,
    Humidity,
}

impl_word!(Parameter {
    Pm25 => "pm25",
    Pm10 => "pm10",
    O3 => "o3",
    No2 => "no2",
    So2 => "so2",
    Co => "co",
    Temperature => "temperature",
    Humidity => "humidity",
});

/// Mass concentrations, as loggers write them: the micro sign (U+00B5) or the Greek mu
/// (U+03BC), which look alike, or a plain `u`; `m³` or `m3`.
const MICROGRAMS_PER_CUBIC_METRE: &[&str] = &["µg/m³", "μg/m³", "ug/m³", "µg/m3", "μg/m3", "ug/m3"];
const MILLIGRAMS_PER_CUBIC_METRE: &[&str] = &["mg/m³", "mg/m3"];
/// CO is often logged in mg/m³: its concentrations are a thousand times the others'.
const CO_UNITS: &[&str] = &["µg/m³", "μg/m³", "ug/m³", "µg/m3", "μg/m3", "ug/m3", "mg/m³", "mg/m3"];
/// `degC` and UCUM's `Cel` are how ASCII-only loggers write °C.
const CELSIUS: &[&str] = &["°C", "degC", "Cel"];
const PERCENT: &[&str] = &["%"];

impl Parameter {
    /// Whether it counts in the VN_AQI: the six pollutants of Decision 1459/QĐ-TCMT.
    pub fn counts_in_aqi(self) -> bool {
        match self {
            Parameter::Pm25
            | Parameter::Pm10
            | Parameter::O3
            | Parameter::No2
            | Parameter::So2
            | Parameter::Co => true,
            Parameter::Temperature | Parameter::Humidity => false,
        }
    }

    /// The unit its values are kept and shown in.
    pub fn unit(self) -> &'static str {
        match self {
            Parameter::Pm25
            | Parameter::Pm10
            | Parameter::O3
            | Parameter::No2
            | Parameter::So2
            | Parameter::Co => "µg/m³",
            Parameter::Temperature => "°C",
            Parameter::Humidity => "%",
        }
    }

    /// Its name on a page: the pollutants by their usual symbols, in ASCII as the decision
    /// writes them.
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Parameter::Pm25, _) => "PM2.5",
            (Parameter::Pm10, _) => "PM10",
            (Parameter::O3, _) => "O3",
            (Parameter::No2, _) => "NO2",
            (Parameter::So2, _) => "SO2",
            (Parameter::Co, _) => "CO",
            (Parameter::Temperature, Lang::Vi) => "Nhiệt độ",
            (Parameter::Temperature, Lang::En) => "Temperature",
            (Parameter::Humidity, Lang::Vi) => "Độ ẩm",
            (Parameter::Humidity, Lang::En) => "Humidity",
        }
    }

    /// The values a reading may take, in [`Parameter::unit`]. Generous: well past the top of
    /// the AQI's tables (a fire, a faulty neighbour's chimney), but short of what only a broken
    /// sensor reports.
    pub fn accepted_range(self) -> RangeInclusive<f64> {
        match self {
            Parameter::Pm25 | Parameter::Pm10 | Parameter::O3 => 0.0..=2_000.0,
            Parameter::No2 | Parameter::So2 => 0.0..=5_000.0,
            Parameter::Co => 0.0..=200_000.0,
            Parameter::Temperature => -30.0..=60.0,
            Parameter::Humidity => 0.0..=100.0,
        }
    }

    /// The unit words a logger may send its values in.
    fn accepted_units(self) -> &'static [&'static str] {
        match self {
            Parameter::Pm25 | Parameter::Pm10 | Parameter::O3 | Parameter::No2 | Parameter::So2 => {
                MICROGRAMS_PER_CUBIC_METRE
            }
            Parameter::Co => CO_UNITS,
            Parameter::Temperature => CELSIUS,
            Parameter::Humidity => PERCENT,
        }
    }

    /// How many of [`Parameter::unit`] make one `unit`, when its values may come in `unit`.
    fn factor_from(self, unit: &str) -> Option<f64> {
        self.accepted_units().contains(&unit).then(|| {
            if MILLIGRAMS_PER_CUBIC_METRE.contains(&unit) {
                1_000.0
            } else {
                1.0
            }
        })
    }
}

/// One accepted value of a parameter, in the parameter's [`Parameter::unit`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    parameter: Parameter,
    value: f64,
}

impl Reading {
    /// A logger's value as it sent it: `value` in `unit`, converted to the parameter's unit
    /// (CO in mg/m³ to µg/m³). Refused, naming the field: a value that is not a finite number
    /// or that falls outside the parameter's [`Parameter::accepted_range`] (`result`, the
    /// range given in the unit sent), a unit the parameter is not measured in (`unit`).
    pub fn parse(parameter: Parameter, value: f64, unit: &str) -> Result<Reading, Invalid> {
        if !value.is_finite() {
            return Err(not_a_number("result"));
        }
        let factor = parameter.factor_from(unit.trim()).ok_or_else(|| {
            Invalid::new("unit", Reason::OneOf { allowed: parameter.accepted_units() })
        })?;
        let value = value * factor;
        let range = parameter.accepted_range();
        if !range.contains(&value) {
            // The message takes whole numbers, in the unit the logger uses.
            let (min, max) = (range.start() / factor, range.end() / factor);
            let (min, max) = (min.floor() as i64, max.ceil() as i64);
            return Err(Invalid::new("result", Reason::OutOfRange { min, max }));
        }
        Ok(Reading { parameter, value })
    }

    pub fn parameter(self) -> Parameter {
        self.parameter
    }

    /// The value in [`Parameter::unit`].
    pub fn value(self) -> f64 {
        self.value
    }
}

pub(super) fn not_a_number(field: &str) -> Invalid {
    Invalid::new(
        field,
        Reason::Format {
            expected_vi: "một số thực hữu hạn", expected_en: "a finite number"
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::word::assert_words;

    #[test]
    fn parameters_are_stored_as_these_words() {
        use Parameter as P;
        assert_words(&[
            (P::Pm25, "pm25"),
            (P::Pm10, "pm10"),
            (P::O3, "o3"),
            (P::No2, "no2"),
            (P::So2, "so2"),
            (P::Co, "co"),
            (P::Temperature, "temperature"),
            (P::Humidity, "humidity"),
        ]);
    }

    #[test]
    fn the_six_pollutants_count_and_are_mass_concentrations() {
        for parameter in Parameter::ALL {
            let pollutant = !matches!(parameter, Parameter::Temperature | Parameter::Humidity);
            assert_eq!(parameter.counts_in_aqi(), pollutant, "{parameter:?}");
            assert_eq!(parameter.unit() == "µg/m³", pollutant, "{parameter:?}");
        }
        assert_eq!(Parameter::Temperature.unit(), "°C");
        assert_eq!(Parameter::Humidity.unit(), "%");
        assert_eq!(Parameter::Pm25.name(Lang::Vi), "PM2.5");
        assert_eq!(Parameter::Humidity.name(Lang::Vi), "Độ ẩm");
        assert_eq!(Parameter::Temperature.name(Lang::En), "Temperature");
    }

    #[test]
    fn readings_come_in_the_units_loggers_write() {
        let accepted = |parameter, value, unit| Reading::parse(parameter, value, unit).unwrap();
        for unit in ["µg/m³", "μg/m³", "ug/m3", "ug/m³", "µg/m3", " μg/m3 "] {
            assert_eq!(accepted(Parameter::Pm25, 37.5, unit).value(), 37.5, "{unit:?}");
        }
        assert_eq!(accepted(Parameter::Co, 2.5, "mg/m3").value(), 2_500.0);
        assert_eq!(accepted(Parameter::Co, 2.5, "mg/m³").value(), 2_500.0);
        assert_eq!(accepted(Parameter::Co, 2_500.0, "ug/m3").value(), 2_500.0);
        for unit in ["°C", "degC", "Cel"] {
            assert_eq!(accepted(Parameter::Temperature, -3.5, unit).value(), -3.5, "{unit:?}");
        }
        let humidity = accepted(Parameter::Humidity, 81.0, "%");
        assert_eq!((humidity.parameter(), humidity.value()), (Parameter::Humidity, 81.0));
    }

    #[test]
    fn a_unit_that_does_not_fit_the_parameter_is_refused_with_the_ones_that_do() {
        for (parameter, unit) in [
            (Parameter::Pm25, "mg/m3"),
            (Parameter::No2, "ppb"),
            (Parameter::Co, "ppm"),
            (Parameter::Temperature, "°F"),
            (Parameter::Humidity, "ug/m3"),
            (Parameter::O3, ""),
            (Parameter::So2, "UG/M3"),
        ] {
            let refused = Reading::parse(parameter, 1.0, unit).unwrap_err();
            assert_eq!(refused.field, "unit", "{parameter:?} {unit:?}");
            assert_eq!(
                refused.reason,
                Reason::OneOf { allowed: parameter.accepted_units() },
                "{parameter:?} {unit:?}"
            );
        }
    }

    #[test]
    fn values_that_no_sensor_could_read_are_refused() {
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(
                Reading::parse(Parameter::Pm10, value, "ug/m3"),
                Err(not_a_number("result"))
            );
        }
        let out_of_range = |min, max| Err(Invalid::new("result", Reason::OutOfRange { min, max }));
        assert_eq!(Reading::parse(Parameter::Pm25, -0.1, "ug/m3"), out_of_range(0, 2_000));
        assert_eq!(Reading::parse(Parameter::Pm25, 2_000.1, "ug/m3"), out_of_range(0, 2_000));
        assert!(Reading::parse(Parameter::Pm25, 2_000.0, "ug/m3").is_ok());
        assert!(Reading::parse(Parameter::Pm25, 0.0, "ug/m3").is_ok());
        assert_eq!(Reading::parse(Parameter::No2, 5_001.0, "ug/m3"), out_of_range(0, 5_000));
        assert_eq!(Reading::parse(Parameter::So2, 5_001.0, "ug/m3"), out_of_range(0, 5_000));
        assert_eq!(Reading::parse(Parameter::O3, 2_001.0, "ug/m3"), out_of_range(0, 2_000));
        // In the unit the logger sent.
        assert_eq!(Reading::parse(Parameter::Co, 201.0, "mg/m3"), out_of_range(0, 200));
        assert_eq!(Reading::parse(Parameter::Co, 200_001.0, "ug/m3"), out_of_range(0, 200_000));
        assert!(Reading::parse(Parameter::Co, 200.0, "mg/m3").is_ok());
        assert_eq!(Reading::parse(Parameter::Temperature, 60.5, "°C"), out_of_range(-30, 60));
        assert_eq!(Reading::parse(Parameter::Temperature, -30.5, "°C"), out_of_range(-30, 60));
        assert_eq!(Reading::parse(Parameter::Humidity, 100.5, "%"), out_of_range(0, 100));
        // What is no number is refused as such, whatever its unit.
        assert_eq!(Reading::parse(Parameter::Pm25, f64::NAN, "ppm"), Err(not_a_number("result")));
    }
}
