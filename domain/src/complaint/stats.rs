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
    /// Received that month; resolved that month and how long those took.
    #[serde(flatten)]
    pub figures: ComplaintFigures,
}

/// Per agency and month: received that month; resolved that month, within the SLA (resolved
/// ≤ due), the median time it took; and the ratings of those resolved that month.
pub fn monthly_complaint_stats(outcomes: &[ComplaintOutcome]) -> Vec<ComplaintMonth> {
    let vietnam = FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    let month = |at: DateTime<Utc>| at.with_timezone(&vietnam).format("%Y-%m").to_string();
    let mut table: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for o in outcomes {
        table.entry((o.agency_id.clone(), month(o.created_at))).or_default().received += 1;
        if let Some(resolved) = o.resolved_at {
            table
                .entry((o.agency_id.clone(), month(resolved)))
                .or_default()
                .resolution(o, resolved);
        }
    }
    table
        .into_iter()
        .map(|((agency_id, month), tally)| ComplaintMonth {
            agency_id,
            month,
            figures: tally.summary(),
        })
        .collect()
}

/// One agency's record over a whole period: what the public page puts side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintRecord {
    pub agency_id: String,
    /// The median is over every resolution of the period (not a mean of monthly medians).
    pub figures: ComplaintFigures,
}

/// Per agency since `since`: received since then, resolved since then (within the SLA, the
/// median time it took), and the ratings of those resolutions; by agency id.
pub fn complaint_records_since(
    outcomes: &[ComplaintOutcome],
    since: DateTime<Utc>,
) -> Vec<ComplaintRecord> {
    let mut table: BTreeMap<String, Tally> = BTreeMap::new();
    for o in outcomes {
        if o.created_at >= since {
            table.entry(o.agency_id.clone()).or_default().received += 1;
        }
        if let Some(resolved) = o.resolved_at.filter(|&at| at >= since) {
            table.entry(o.agency_id.clone()).or_default().resolution(o, resolved);
        }
    }
    table
        .into_iter()
        .map(|(agency_id, tally)| ComplaintRecord { agency_id, figures: tally.summary() })
        .collect()
}

/// Complaints received and resolutions of one group (an agency's month, or its period).
#[derive(Default)]
struct Tally {
    received: u64,
    hours: Vec<f64>,
    within: u64,
    ratings: Vec<i32>,
}

/// Received, resolved, within the SLA, the median hours it took, and the ratings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplaintFigures {
    pub received: u64,
    pub resolved: u64,
    pub resolved_within_sla: u64,
    pub median_hours_to_resolve: Option<f64>,
    pub average_rating: Option<f64>,
    pub ratings: u64,
}

impl ComplaintFigures {
    /// Resolved within the SLA, of those resolved; none before the first resolution.
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.resolved > 0).then(|| self.resolved_within_sla as f64 / self.resolved as f64)
    }
}

impl Tally {
    fn resolution(&mut self, o: &ComplaintOutcome, resolved: DateTime<Utc>) {
        self.hours.push((resolved - o.created_at).num_seconds() as f64 / 3600.0);
        self.within += u64::from(resolved <= o.due_at);
        self.ratings.extend(o.rating);
    }

    fn summary(mut self) -> ComplaintFigures {
        self.hours.sort_by(f64::total_cmp);
        let median = match self.hours.len() {
            0 => None,
            n if n % 2 == 1 => Some(self.hours[n / 2]),
            n => Some((self.hours[n / 2 - 1] + self.hours[n / 2]) / 2.0),
        };
        let ratings = self.ratings.len() as u64;
        ComplaintFigures {
            received: self.received,
            resolved: self.hours.len() as u64,
            resolved_within_sla: self.within,
            median_hours_to_resolve: median.map(|h| (h * 10.0).round() / 10.0),
            average_rating: (ratings > 0)
                .then(|| self.ratings.iter().map(|&r| f64::from(r)).sum::<f64>() / ratings as f64),
            ratings,
        }
    }
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
        let november = &stats[0].figures;
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

    #[test]
    fn a_period_record_takes_the_median_of_every_resolution_not_of_the_months() {
        let outcome = |created: &str, resolved: &str| ComplaintOutcome {
            agency_id: "a".into(),
            created_at: at(created),
            due_at: at(created) + chrono::Duration::hours(48),
            resolved_at: Some(at(resolved)),
            rating: None,
        };
        let outcomes = [
            // Before the period: neither received nor resolved in it.
            outcome("2026-08-01T00:00:00Z", "2026-08-01T01:00:00Z"),
            // Received before, resolved in it (late: 72 hours).
            outcome("2026-08-31T00:00:00Z", "2026-09-03T00:00:00Z"),
            outcome("2026-09-10T00:00:00Z", "2026-09-10T10:00:00Z"),
            outcome("2026-10-10T00:00:00Z", "2026-10-10T20:00:00Z"),
        ];
        let records = complaint_records_since(&outcomes, at("2026-09-01T00:00:00Z"));
        assert_eq!(records.len(), 1);
        let a = &records[0].figures;
        assert_eq!((a.received, a.resolved, a.resolved_within_sla), (2, 3, 2));
        assert_eq!(a.median_hours_to_resolve, Some(20.0));
        assert_eq!(a.on_time_rate(), Some(2.0 / 3.0));
    }
}
