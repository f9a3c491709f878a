//! Reminders for agencies (nhắc việc): a complaint or dossier due soon, one that has become
//! overdue (once per item), and a daily digest of everything overdue, rather than one push per
//! item every day.

use crate::complaint::Category;
use crate::dossier::Notice;
use crate::push::NotificationKind;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use std::collections::BTreeMap;

/// Vietnam keeps UTC+7 all year; due dates and "today" are Vietnam's.
pub fn vietnam_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

pub fn vietnam_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&vietnam_offset()).date_naive()
}

/// What a reminder is about.
pub enum Subject<'a> {
    Complaint { id: &'a str, category: &'a Category, due_at: DateTime<Utc> },
    Dossier { code: &'a str, procedure: &'a str, due_on: NaiveDate },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    DueSoon,
    Overdue,
}

pub fn reminder_notice(reminder: Reminder, subject: &Subject) -> Notice {
    let (kind, what_vi, what_en, due_vi, due_en, data) = match subject {
        Subject::Complaint { id, category, due_at } => {
            let local = due_at.with_timezone(&vietnam_offset());
            (
                match reminder {
                    Reminder::DueSoon => NotificationKind::ComplaintDueSoon,
                    Reminder::Overdue => NotificationKind::ComplaintOverdue,
                },
                format!("Phản ánh #{id} ({})", category.name.vi),
                format!("Complaint #{id} ({})", category.name.en),
                local.format("%H:%M %d/%m/%Y").to_string(),
                local.format("%H:%M %d/%m/%Y").to_string(),
                ("complaint_id", id.to_string()),
            )
        }
        Subject::Dossier { code, procedure, due_on } => (
            match reminder {
                Reminder::DueSoon => NotificationKind::DossierDueSoon,
                Reminder::Overdue => NotificationKind::DossierOverdue,
            },
            format!("Hồ sơ {code} ({procedure})"),
            format!("Dossier {code} ({procedure})"),
            due_on.format("%d/%m/%Y").to_string(),
            due_on.format("%d/%m/%Y").to_string(),
            ("dossier_code", code.to_string()),
        ),
    };
    let (title_vi, title_en, body_vi, body_en) = match reminder {
        Reminder::DueSoon => (
            format!("Sắp đến hạn: {what_vi}"),
            format!("Due soon: {what_en}"),
            format!("{what_vi} đến hạn xử lý lúc {due_vi}."),
            format!("{what_en} is due {due_en}."),
        ),
        Reminder::Overdue => (
            format!("Quá hạn: {what_vi}"),
            format!("Overdue: {what_en}"),
            format!("{what_vi} đã quá hạn xử lý ({due_vi})."),
            format!("{what_en} is past its due time ({due_en})."),
        ),
    };
    Notice {
        kind,
        title_vi,
        body_vi,
        title_en,
        body_en,
        data: BTreeMap::from([("kind", kind.as_str().to_string()), data]),
    }
}

/// The day's one reminder of everything still overdue at an agency.
pub fn digest_notice(complaints: i64, dossiers: i64, day: NaiveDate) -> Notice {
    let kind = NotificationKind::OverdueDigest;
    Notice {
        kind,
        title_vi: format!("Việc quá hạn ngày {}", day.format("%d/%m/%Y")),
        body_vi: format!("Cơ quan còn {complaints} phản ánh và {dossiers} hồ sơ quá hạn."),
        title_en: format!("Overdue work on {}", day.format("%d/%m/%Y")),
        body_en: format!(
            "Your agency has {complaints} complaint(s) and {dossiers} dossier(s) overdue."
        ),
        data: BTreeMap::from([
            ("kind", kind.as_str().to_string()),
            ("complaints", complaints.to_string()),
            ("dossiers", dossiers.to_string()),
            ("day", day.to_string()),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Bilingual;

    fn category() -> Category {
        Category {
            code: "trees".into(),
            name: Bilingual::new("Cây xanh", "Trees"),
            group: Bilingual::default(),
            keywords: Bilingual::default(),
            sla_hours: 48,
            icon: "tree".into(),
            nearby_radius_m: 100,
            attributes: Vec::new(),
        }
    }

    #[test]
    fn a_complaint_reminder_gives_the_due_time_in_vietnam() {
        let due_at = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").unwrap().to_utc();
        let category = category();
        let subject = Subject::Complaint { id: "c1", category: &category, due_at };
        let notice = reminder_notice(Reminder::DueSoon, &subject);
        assert_eq!(notice.kind, NotificationKind::ComplaintDueSoon);
        assert_eq!(notice.body_vi, "Phản ánh #c1 (Cây xanh) đến hạn xử lý lúc 17:00 23/11/2026.");
        assert_eq!(notice.data["complaint_id"], "c1");
        let overdue = reminder_notice(Reminder::Overdue, &subject);
        assert_eq!(overdue.kind, NotificationKind::ComplaintOverdue);
        assert!(overdue.title_en.starts_with("Overdue: Complaint #c1"));
    }

    #[test]
    fn a_dossier_reminder_and_the_digest() {
        let due_on = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let subject = Subject::Dossier { code: "HS-1", procedure: "Khai sinh", due_on };
        let notice = reminder_notice(Reminder::Overdue, &subject);
        assert_eq!(notice.kind, NotificationKind::DossierOverdue);
        assert_eq!(notice.body_vi, "Hồ sơ HS-1 (Khai sinh) đã quá hạn xử lý (24/11/2026).");
        let digest = digest_notice(3, 1, due_on);
        assert_eq!(digest.body_vi, "Cơ quan còn 3 phản ánh và 1 hồ sơ quá hạn.");
        assert_eq!(digest.data["complaints"], "3");
    }

    #[test]
    fn vietnam_s_day_starts_at_17_utc() {
        let late = DateTime::parse_from_rfc3339("2026-11-23T17:30:00Z").unwrap().to_utc();
        assert_eq!(vietnam_date(late), NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
    }
}
