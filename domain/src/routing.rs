//! Which agency receives a complaint: rules map (category, area) to an agency, with a default
//! per area and a city-wide fallback.

/// `*` in a rule matches any category (an area's default) or any area (the fallback).
pub const ANY: &str = "*";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub category: String,
    pub area: String,
    pub agency_id: String,
}

/// The most specific rule wins: the category in the area, then the area's default, then the
/// category city-wide, then the fallback. `area` is `None` for a point outside every area.
pub fn route<'a>(rules: &'a [Rule], category: &str, area: Option<&str>) -> Option<&'a str> {
    let find = |c: &str, a: &str| {
        rules.iter().find(|r| r.category == c && r.area == a).map(|r| r.agency_id.as_str())
    };
    let in_area = area.and_then(|a| find(category, a).or_else(|| find(ANY, a)));
    in_area.or_else(|| find(category, ANY)).or_else(|| find(ANY, ANY))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(category: &str, area: &str, agency: &str) -> Rule {
        Rule { category: category.into(), area: area.into(), agency_id: agency.into() }
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let rules = vec![
            rule("street_light", "P1", "lights-p1"),
            rule(ANY, "P1", "ward-p1"),
            rule("street_light", ANY, "lights-city"),
            rule(ANY, ANY, "city"),
        ];
        assert_eq!(route(&rules, "street_light", Some("P1")), Some("lights-p1"));
        assert_eq!(route(&rules, "garbage", Some("P1")), Some("ward-p1"));
        assert_eq!(route(&rules, "street_light", Some("P2")), Some("lights-city"));
        assert_eq!(route(&rules, "garbage", Some("P2")), Some("city"));
        assert_eq!(route(&rules, "garbage", None), Some("city"));
        assert_eq!(route(&rules[..2], "garbage", None), None, "no fallback: refused");
    }
}
