//! A complaint's status and how people read it.

use crate::validation::{Invalid, Reason};
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

impl ComplaintStatus {
    pub const ALL: [ComplaintStatus; 7] = [
        ComplaintStatus::New,
        ComplaintStatus::Acknowledged,
        ComplaintStatus::InProgress,
        ComplaintStatus::Resolved,
        ComplaintStatus::Rejected,
        ComplaintStatus::Duplicate,
        ComplaintStatus::Closed,
    ];
    const CODES: &'static [&'static str] =
        &["new", "acknowledged", "in_progress", "resolved", "rejected", "duplicate", "closed"];

    pub fn as_str(self) -> &'static str {
        Self::CODES[self as usize]
    }

    pub fn parse(field: &str, raw: &str) -> Result<ComplaintStatus, Invalid> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == raw)
            .ok_or_else(|| Invalid::new(field, Reason::OneOf { allowed: Self::CODES }))
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

    /// Waiting on the agency: the SLA clock runs.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ComplaintStatus::New | ComplaintStatus::Acknowledged | ComplaintStatus::InProgress
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComplaintStatus as S;

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
            Invalid::new("status", Reason::OneOf { allowed: S::CODES })
        );
    }
}
