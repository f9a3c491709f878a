//! Working days: Monday to Friday, less the public holidays the operator lists.

use crate::datetime::parse_date;
use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>) -> WorkCalendar {
        WorkCalendar { holidays: holidays.into_iter().collect() }
    }

    /// Reads `YYYY-MM-DD` dates separated by commas, spaces or newlines; `#` starts a comment.
    pub fn parse(list: &str) -> Result<WorkCalendar, String> {
        let dates = list
            .lines()
            .map(|line| line.split('#').next().unwrap_or(""))
            .flat_map(|line| line.split(|c: char| c == ',' || c.is_whitespace()))
            .filter(|s| !s.is_empty())
            .map(|s| parse_date("", s).map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD)")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(WorkCalendar::new(dates))
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    /// From Friday to the next Monday is one working day.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to <= from {
            return 0;
        }
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as i64
    }

    /// The day `days` working days after `from` (`from` itself for 0): a due date counted the
    /// way [`working_days_between`](Self::working_days_between) counts back.
    pub fn after_working_days(&self, from: NaiveDate, days: u32) -> NaiveDate {
        let mut day = from;
        let mut left = days;
        while left > 0 {
            day = day.succ_opt().expect("a due date within the calendar's range");
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// The latest day such that `days` whole working days lie between it and `today`: what
    /// was submitted on or before it has waited that long (on a Monday, one working day: what
    /// came by Thursday, for Friday passed whole since).
    pub fn waited_since(&self, today: NaiveDate, days: u32) -> NaiveDate {
        let mut day = today.pred_opt().expect("a day within the calendar's range");
        let mut passed = 0;
        while passed < days {
            if self.is_working_day(day) {
                passed += 1;
            }
            day = day.pred_opt().expect("a day within the calendar's range");
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn what_waited_so_many_working_days_was_submitted_on_or_before_this_day() {
        let calendar = WorkCalendar::new([d("2026-09-02")]);
        for (today, days, since) in [
            ("2026-12-08", 1, "2026-12-06"), // Tuesday: Monday passed whole
            ("2026-12-07", 1, "2026-12-03"), // Monday: Friday passed whole
            ("2026-12-07", 2, "2026-12-02"),
            ("2026-12-06", 1, "2026-12-03"), // Sunday
            ("2026-09-03", 1, "2026-08-31"), // the day after a holiday: Tuesday passed whole
        ] {
            let since_day = calendar.waited_since(d(today), days);
            assert_eq!(since_day, d(since), "{today} {days}");
            let yesterday = d(today).pred_opt().unwrap();
            assert_eq!(calendar.working_days_between(since_day, yesterday), i64::from(days));
        }
    }

    #[test]
    fn weekends_are_not_working_days() {
        let calendar = WorkCalendar::default();
        // Friday 2026-11-20 to Monday 2026-11-23.
        assert_eq!(calendar.working_days_between(d("2026-11-20"), d("2026-11-23")), 1);
        assert_eq!(calendar.working_days_between(d("2026-11-16"), d("2026-11-23")), 5);
        assert_eq!(calendar.working_days_between(d("2026-11-23"), d("2026-11-23")), 0);
        assert_eq!(calendar.working_days_between(d("2026-11-24"), d("2026-11-23")), 0);
    }

    #[test]
    fn holidays_are_skipped_across_a_weekend() {
        // Reunification Day and Labour Day 2026 fall on Thursday and Friday.
        let calendar =
            WorkCalendar::parse("# Reunification, Labour\n2026-04-30, 2026-05-01 # both").unwrap();
        assert!(!calendar.is_working_day(d("2026-04-30")));
        // Wednesday 29 April to Monday 4 May: only the Monday counts.
        assert_eq!(calendar.working_days_between(d("2026-04-29"), d("2026-05-04")), 1);
        assert!(WorkCalendar::parse("2026-02-30").is_err());
        assert_eq!(
            WorkCalendar::parse("2026-5-1").unwrap_err(),
            "\"2026-5-1\" is not a date (YYYY-MM-DD)"
        );
    }

    #[test]
    fn a_due_date_counts_working_days_forward_as_they_are_counted_back() {
        let calendar = WorkCalendar::parse("2026-04-30, 2026-05-01").unwrap();
        // From Wednesday 29 April, the holidays and the weekend are skipped.
        assert_eq!(calendar.after_working_days(d("2026-04-29"), 1), d("2026-05-04"));
        assert_eq!(calendar.after_working_days(d("2026-04-29"), 0), d("2026-04-29"));
        for days in 0..30 {
            let due = calendar.after_working_days(d("2026-04-20"), days);
            assert_eq!(calendar.working_days_between(d("2026-04-20"), due), i64::from(days));
        }
    }
}
