//! A complaint's status and how people read it.

use crate::validation::Invalid;
use crate::word::{impl_word, Word};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    New,
    Acknowledged,
    InProgress,
    Resolved,
    Rejected,
    Duplicate,
    Closed,
}

impl_word!(ComplaintStatus {
    New => "new",
    Acknowledged => "acknowledged",
    InProgress => "in_progress",
    Resolved => "resolved",
    Rejected => "rejected",
    Duplicate => "duplicate",
    Closed => "closed",
});

impl ComplaintStatus {
    /// Waiting on the agency: the SLA clock runs, reminders go out, staff may still act.
    pub const OPEN: [ComplaintStatus; 3] =
        [ComplaintStatus::New, ComplaintStatus::Acknowledged, ComplaintStatus::InProgress];

    pub fn parse(field: &str, raw: &str) -> Result<ComplaintStatus, Invalid> {
        Self::parse_word(field, raw)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ComplaintStatus::New => "Mới",
            ComplaintStatus::Acknowledged => "Đã tiếp nhận",
            ComplaintStatus::InProgress => "Đang xử lý",
            ComplaintStatus::Resolved => "Đã xử lý xong",
            ComplaintStatus::Rejected => "Không xử lý",
            ComplaintStatus::Duplicate => "Trùng lặp",
            ComplaintStatus::Closed => "Đã đóng",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ComplaintStatus::New => "New",
            ComplaintStatus::Acknowledged => "Acknowledged",
            ComplaintStatus::InProgress => "In progress",
            ComplaintStatus::Resolved => "Resolved",
            ComplaintStatus::Rejected => "Rejected",
            ComplaintStatus::Duplicate => "Duplicate",
            ComplaintStatus::Closed => "Closed",
        }
    }

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::Reason;
    use crate::word::assert_words;
    use ComplaintStatus as S;

    #[test]
    fn statuses_are_stored_as_these_words() {
        assert_words(&[
            (S::New, "new"),
            (S::Acknowledged, "acknowledged"),
            (S::InProgress, "in_progress"),
            (S::Resolved, "resolved"),
            (S::Rejected, "rejected"),
            (S::Duplicate, "duplicate"),
            (S::Closed, "closed"),
        ]);
        assert_eq!(S::from_word("open"), None);
    }

    #[test]
    fn new_acknowledged_and_in_progress_are_open_and_nothing_else_is() {
        assert_eq!(S::OPEN, [S::New, S::Acknowledged, S::InProgress]);
        for status in S::ALL {
            assert_eq!(status.is_open(), S::OPEN.contains(&status), "{status:?}");
        }
        assert_eq!(S::ALL.iter().filter(|s| s.is_open()).count(), 3);
    }

    #[test]
    fn statuses_round_trip_as_snake_case() {
        for status in S::ALL {
            assert_eq!(S::parse("status", status.as_str()), Ok(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert_eq!(S::InProgress.as_str(), "in_progress");
        assert_eq!(S::InProgress.label_vi(), "Đang xử lý");
        assert_eq!(
            S::parse("status", "open").unwrap_err(),
            Invalid::new("status", Reason::OneOf { allowed: S::WORDS })
        );
    }
}
