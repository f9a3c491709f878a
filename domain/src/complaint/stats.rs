//! Public statistics of complaints: per agency and month.

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// One complaint's dates and outcome, for the public statistics.
#[derive(Debug, Clone)]
pub struct ComplaintOutcome {
    pub agency_id: String,
    pub created_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub rating: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplaintMonth {
    pub agency_id: String,
    /// `YYYY-MM`, in Vietnam's time.
    pub month: String,
    pub received: u64,
    pub resolved: u64,
    pub resolved_within_sla: u64,
    /// Median hours from filing to resolution of those resolved that month.
    pub median_hours_to_resolve: Option<f64>,
    pub average_rating: Option<f64>,
    pub ratings: u64,
}

/// Per agency and month: received that month; resolved that month, within the SLA (resolved
/// ≤ due), the median time it took; and the ratings of those resolved that month.
pub fn monthly_complaint_stats(outcomes: &[ComplaintOutcome]) -> Vec<ComplaintMonth> {
    #[derive(Default)]
    struct Cell {
        received: u64,
        hours: Vec<f64>,
        within: u64,
        ratings: Vec<i32>,
    }
    let vietnam = FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    let month = |at: DateTime<Utc>| at.with_timezone(&vietnam).format("%Y-%m").to_string();
    let mut table: BTreeMap<(String, String), Cell> = BTreeMap::new();
    for o in outcomes {
        table.entry((o.agency_id.clone(), month(o.created_at))).or_default().received += 1;
        if let Some(resolved) = o.resolved_at {
            let cell = table.entry((o.agency_id.clone(), month(resolved))).or_default();
            cell.hours.push((resolved - o.created_at).num_seconds() as f64 / 3600.0);
            cell.within += u64::from(resolved <= o.due_at);
            cell.ratings.extend(o.rating);
        }
    }
    table
        .into_iter()
        .map(|((agency_id, month), mut cell)| {
            cell.hours.sort_by(f64::total_cmp);
            let median = match cell.hours.len() {
                0 => None,
                n if n % 2 == 1 => Some(cell.hours[n / 2]),
                n => Some((cell.hours[n / 2 - 1] + cell.hours[n / 2]) / 2.0),
            };
            let ratings = cell.ratings.len() as u64;
            ComplaintMonth {
                agency_id,
                month,
                received: cell.received,
                resolved: cell.hours.len() as u64,
                resolved_within_sla: cell.within,
                median_hours_to_resolve: median.map(|h| (h * 10.0).round() / 10.0),
                average_rating: (ratings > 0).then(|| {
                    cell.ratings.iter().map(|&r| f64::from(r)).sum::<f64>() / ratings as f64
                }),
                ratings,
            }
        })
        .collect()
}

#[cfg(test)]
mod stats_tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn months_count_received_resolved_within_sla_median_and_rating() {
        let outcome = |created: &str, due: &str, resolved: Option<&str>, rating| ComplaintOutcome {
            agency_id: "a".into(),
            created_at: at(created),
            due_at: at(due),
            resolved_at: resolved.map(at),
            rating,
        };
        let stats = monthly_complaint_stats(&[
            outcome(
                "2026-11-01T00:00:00Z",
                "2026-11-02T00:00:00Z",
                Some("2026-11-01T10:00:00Z"),
                Some(5),
            ),
            outcome(
                "2026-11-02T00:00:00Z",
                "2026-11-03T00:00:00Z",
                Some("2026-11-04T00:00:00Z"),
                Some(2),
            ),
            outcome(
                "2026-11-03T00:00:00Z",
                "2026-11-04T00:00:00Z",
                Some("2026-11-03T20:00:00Z"),
                None,
            ),
            outcome("2026-11-05T00:00:00Z", "2026-11-06T00:00:00Z", None, None),
        ]);
        assert_eq!(stats.len(), 1);
        let november = &stats[0];
        assert_eq!((november.received, november.resolved, november.resolved_within_sla), (4, 3, 2));
        assert_eq!(november.median_hours_to_resolve, Some(20.0));
        assert_eq!(november.average_rating, Some(3.5));
        // 31 October 20:00 UTC is already November in Vietnam.
        let late = monthly_complaint_stats(&[outcome(
            "2026-10-31T20:00:00Z",
            "2026-11-01T20:00:00Z",
            None,
            None,
        )]);
        assert_eq!(late[0].month, "2026-11");
    }
}
