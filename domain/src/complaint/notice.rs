//! What a complaint's reporter, followers and agency staff are told, in both languages.

use super::Category;
use crate::dossier::Notice;
use crate::push::NotificationKind;
use std::collections::BTreeMap;

/// What the reporter and the followers of a complaint are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    Acknowledged,
    InProgress,
    Resolved,
    Rejected,
    Duplicate,
    Reassigned,
    Reopened,
    Closed,
    /// To the staff of the agency a complaint was filed with or passed to.
    Assigned,
}

impl NoticeKind {
    /// The kind of notification it is stored and pushed as.
    pub fn notification(self) -> NotificationKind {
        match self {
            NoticeKind::Acknowledged => NotificationKind::ComplaintAcknowledged,
            NoticeKind::InProgress => NotificationKind::ComplaintInProgress,
            NoticeKind::Resolved => NotificationKind::ComplaintResolved,
            NoticeKind::Rejected => NotificationKind::ComplaintRejected,
            NoticeKind::Duplicate => NotificationKind::ComplaintDuplicate,
            NoticeKind::Reassigned => NotificationKind::ComplaintReassigned,
            NoticeKind::Reopened => NotificationKind::ComplaintReopened,
            NoticeKind::Closed => NotificationKind::ComplaintClosed,
            NoticeKind::Assigned => NotificationKind::ComplaintAssigned,
        }
    }

    /// (what happened, what the detail is), in Vietnamese then English.
    fn wording(self) -> [(&'static str, &'static str); 2] {
        match self {
            NoticeKind::Acknowledged => [
                ("đã được tiếp nhận", "Ý kiến của cơ quan"),
                ("was acknowledged", "The agency says"),
            ],
            NoticeKind::InProgress => [
                ("đang được xử lý", "Ý kiến của cơ quan"),
                ("is being worked on", "The agency says"),
            ],
            NoticeKind::Resolved => {
                [("đã được xử lý xong", "Kết quả xử lý"), ("was resolved", "The agency's response")]
            }
            NoticeKind::Rejected => [("không được xử lý", "Lý do"), ("was rejected", "Reason")],
            NoticeKind::Duplicate => [
                ("trùng với một phản ánh đã có", "Mời theo dõi phản ánh"),
                ("duplicates an earlier complaint", "Follow complaint"),
            ],
            NoticeKind::Reassigned => [
                ("đã được chuyển sang cơ quan khác xử lý", "Cơ quan tiếp nhận"),
                ("was passed to another agency", "Now handled by"),
            ],
            NoticeKind::Reopened => [("đã được mở lại", "Lý do"), ("was reopened", "Reason")],
            NoticeKind::Closed => [
                ("đã đóng sau 7 ngày không có ý kiến", "Ghi chú"),
                ("was closed after 7 days without a reply", "Note"),
            ],
            NoticeKind::Assigned => [
                ("đã được giao cho cơ quan của bạn", "Nội dung"),
                ("was assigned to your agency", "Description"),
            ],
        }
    }
}

/// Longest detail quoted in a notice; push payloads are small.
const NOTICE_DETAIL_CHARS: usize = 200;

/// The inbox entry for a complaint's followers. `detail` is the agency's words (comment,
/// response, reason), the other complaint's id for a duplicate, or the receiving agency's
/// name for a reassignment; it is quoted as written, shortened past 200 characters.
pub fn complaint_notice(
    kind: NoticeKind,
    complaint_id: &str,
    category: &Category,
    detail: Option<&str>,
) -> Notice {
    let [(happened_vi, detail_vi), (happened_en, detail_en)] = kind.wording();
    let detail = detail.map(str::trim).filter(|d| !d.is_empty()).map(|d| {
        if d.chars().count() > NOTICE_DETAIL_CHARS {
            format!("{}…", d.chars().take(NOTICE_DETAIL_CHARS - 1).collect::<String>())
        } else {
            d.to_string()
        }
    });
    let with_detail = |sentence: String, label: &str| match &detail {
        Some(detail) => format!("{sentence} {label}: {detail}"),
        None => sentence,
    };
    Notice {
        kind: kind.notification(),
        title_vi: format!("Phản ánh #{complaint_id} {happened_vi}"),
        body_vi: with_detail(
            format!("Phản ánh #{complaint_id} ({}) {happened_vi}.", category.name.vi),
            detail_vi,
        ),
        title_en: format!("Complaint #{complaint_id} {happened_en}"),
        body_en: with_detail(
            format!("Complaint #{complaint_id} ({}) {happened_en}.", category.name.en),
            detail_en,
        ),
        data: BTreeMap::from([
            ("kind", kind.notification().as_str().to_string()),
            ("complaint_id", complaint_id.to_string()),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::complaint::category::tests::category;

    #[test]
    fn notice_kinds_are_stored_as_these_notification_kinds() {
        for (notice, word) in [
            (NoticeKind::Acknowledged, "complaint_acknowledged"),
            (NoticeKind::InProgress, "complaint_in_progress"),
            (NoticeKind::Resolved, "complaint_resolved"),
            (NoticeKind::Rejected, "complaint_rejected"),
            (NoticeKind::Duplicate, "complaint_duplicate"),
            (NoticeKind::Reassigned, "complaint_reassigned"),
            (NoticeKind::Reopened, "complaint_reopened"),
            (NoticeKind::Closed, "complaint_closed"),
            (NoticeKind::Assigned, "complaint_assigned"),
        ] {
            assert_eq!(notice.notification().as_str(), word, "{notice:?}");
        }
    }

    #[test]
    fn notices_speak_both_languages_and_quote_the_agency_briefly() {
        let road = category("road_damage");
        let notice =
            complaint_notice(NoticeKind::Resolved, "c-77", &road, Some("Đã vá ổ gà trước số 12"));
        assert_eq!(notice.kind, NotificationKind::ComplaintResolved);
        assert_eq!(notice.title_vi, "Phản ánh #c-77 đã được xử lý xong");
        assert_eq!(
            notice.body_vi,
            "Phản ánh #c-77 (Hư hỏng đường) đã được xử lý xong. Kết quả xử lý: Đã vá ổ gà trước số 12"
        );
        assert_eq!(notice.title_en, "Complaint #c-77 was resolved");
        assert_eq!(
            notice.body_en,
            "Complaint #c-77 (Road damage) was resolved. The agency's response: Đã vá ổ gà trước số 12"
        );
        assert_eq!(notice.data["complaint_id"], "c-77");
        assert_eq!(notice.data["kind"], "complaint_resolved");

        let bare = complaint_notice(NoticeKind::InProgress, "c-77", &road, Some("  "));
        assert_eq!(bare.body_en, "Complaint #c-77 (Road damage) is being worked on.");
        let long = complaint_notice(NoticeKind::Rejected, "c-77", &road, Some(&"ạ".repeat(500)));
        let quoted = long.body_vi.split("Lý do: ").nth(1).unwrap();
        assert_eq!(quoted.chars().count(), NOTICE_DETAIL_CHARS);
        assert!(quoted.ends_with('…'));
    }
}
