//! Phones and pushes: what a device registration must hold, the kinds of notification a person
//! can turn off, and when a failed push is tried again.

use crate::backoff::Backoff;
use crate::validation::{Invalid, Reason};
use crate::word::{impl_word, Word};
use crate::Lang;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Android,
    Ios,
    Web,
}

impl_word!(Platform {
    Android => "android",
    Ios => "ios",
    Web => "web",
});

impl Platform {
    pub fn parse(raw: &str) -> Result<Platform, Invalid> {
        Self::parse_word("platform", raw)
    }
}

/// An FCM registration token as the app reports it. Google does not fix their length (today
/// about 160 characters); they are URL-safe text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceToken(String);

impl DeviceToken {
    pub const MAX_LEN: usize = 4096;

    pub fn parse(raw: &str) -> Result<DeviceToken, Invalid> {
        if raw.is_empty() {
            return Err(Invalid::new("token", Reason::Required));
        }
        if raw.len() > Self::MAX_LEN {
            return Err(Invalid::new("token", Reason::TooLong { max: Self::MAX_LEN }));
        }
        if !raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-' | '.')) {
            return Err(Invalid::new(
                "token",
                Reason::Format {
                    expected_vi: "mã đăng ký FCM (chữ, số, dấu : _ - .)",
                    expected_en: "an FCM registration token (letters, digits, : _ - .)",
                },
            ));
        }
        Ok(DeviceToken(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The device's language for push texts: `vi` or `en`, optionally with subtags (`en-US`).
pub fn device_lang(raw: &str) -> Result<Lang, Invalid> {
    let refused = || Invalid::new("lang", Reason::OneOf { allowed: &["vi", "en"] });
    let mut subtags = raw.split(['-', '_']);
    let primary = subtags.next().unwrap_or("").to_ascii_lowercase();
    let well_formed = raw.len() <= 20
        && subtags
            .all(|t| (1..=8).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric()));
    match primary.as_str() {
        "vi" if well_formed => Ok(Lang::Vi),
        "en" if well_formed => Ok(Lang::En),
        _ => Err(refused()),
    }
}

/// Every kind of notification there is (the `kind` of the inbox and of the mutes); a person may
/// turn any of them off for pushes (the inbox keeps them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    ComplaintAcknowledged,
    ComplaintInProgress,
    ComplaintResolved,
    ComplaintRejected,
    ComplaintDuplicate,
    ComplaintReassigned,
    ComplaintReopened,
    ComplaintClosed,
    ComplaintAssigned,
    ComplaintDueSoon,
    ComplaintOverdue,
    DossierDueSoon,
    DossierOverdue,
    OverdueDigest,
    DossierStatus,
    DossierUnlinked,
    DossierSubmitted,
    /// A warning to an area the person follows.
    Warning,
    /// To an agency's staff: a citizen asked it a question.
    QuestionAsked,
    /// To the asker: the answer came.
    QuestionAnswered,
    /// To the asker: the question went to another agency.
    QuestionTransferred,
}

impl_word!(NotificationKind {
    ComplaintAcknowledged => "complaint_acknowledged",
    ComplaintInProgress => "complaint_in_progress",
    ComplaintResolved => "complaint_resolved",
    ComplaintRejected => "complaint_rejected",
    ComplaintDuplicate => "complaint_duplicate",
    ComplaintReassigned => "complaint_reassigned",
    ComplaintReopened => "complaint_reopened",
    ComplaintClosed => "complaint_closed",
    ComplaintAssigned => "complaint_assigned",
    ComplaintDueSoon => "complaint_due_soon",
    ComplaintOverdue => "complaint_overdue",
    DossierDueSoon => "dossier_due_soon",
    DossierOverdue => "dossier_overdue",
    OverdueDigest => "overdue_digest",
    DossierStatus => "dossier_status",
    DossierUnlinked => "dossier_unlinked",
    DossierSubmitted => "dossier_submitted",
    Warning => "warning",
    QuestionAsked => "question_asked",
    QuestionAnswered => "question_answered",
    QuestionTransferred => "question_transferred",
});

impl NotificationKind {
    /// The Android notification channel its pushes go to, which a person can silence or let
    /// ring on its own in the phone's settings: warnings must be able to ring when the rest is
    /// quiet.
    pub fn android_channel(self) -> &'static str {
        use NotificationKind::*;
        match self {
            DossierDueSoon | DossierOverdue | DossierStatus | DossierUnlinked
            | DossierSubmitted
            // Questions are about procedures and public services, as dossiers are.
            | QuestionAsked
            | QuestionAnswered
            | QuestionTransferred => "dossiers",
            ComplaintAcknowledged
            | ComplaintInProgress
            | ComplaintResolved
            | ComplaintRejected
            | ComplaintDuplicate
            | ComplaintReassigned
            | ComplaintReopened
            | ComplaintClosed
            | ComplaintAssigned
            | ComplaintDueSoon
            | ComplaintOverdue
            | OverdueDigest => "complaints",
            Warning => "warnings",
        }
    }
}

/// The words of every kind, for the settings a person sees.
pub const KINDS: &[&str] = NotificationKind::WORDS;

pub fn parse_kind(field: &str, raw: &str) -> Result<NotificationKind, Invalid> {
    NotificationKind::from_word(raw).ok_or_else(|| {
        Invalid::new(
            field,
            Reason::Format {
                expected_vi: "một loại thông báo đã biết",
                expected_en: "a known kind of notification",
            },
        )
    })
}

/// Where a push of the outbox stands (`push_outbox.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PushStatus {
    /// Waiting until it is due.
    Queued,
    /// Claimed by a worker under a lease.
    Sending,
    Sent,
    /// No push service is configured: the inbox has it, no phone will.
    Skipped,
    /// FCM said the device token is dead, or the device was removed: it is forgotten.
    Dropped,
    /// Gave up after the last attempt, or a permanent error: a dead letter.
    Dead,
}

impl_word!(PushStatus {
    Queued => "queued",
    Sending => "sending",
    Sent => "sent",
    Skipped => "skipped",
    Dropped => "dropped",
    Dead => "dead",
});

/// Tries before a push is given up as a dead letter.
pub const MAX_ATTEMPTS: i32 = 8;
const LONGEST_DELAY: Duration = Duration::from_secs(15 * 60);
const BACKOFF: Backoff =
    Backoff { first: Duration::from_secs(2), longest: LONGEST_DELAY, max_attempts: MAX_ATTEMPTS };

/// When to try again after failed attempt number `attempt` (1 for the first): an exponential
/// backoff (2 s, 4 s, 8 s … at most 15 min) of which `jitter` (0.0 to 1.0, random) takes away
/// up to half, so pushes that failed together do not all come back together; or what the
/// server asked with `Retry-After` when that is longer. Never shorter than the backoff: a
/// server repeating a short `Retry-After` through a long outage would otherwise spend every
/// attempt within seconds. None once the attempts are spent.
pub fn retry_delay(attempt: i32, retry_after: Option<Duration>, jitter: f64) -> Option<Duration> {
    let backoff = BACKOFF.delay(attempt, jitter)?;
    Some(retry_after.map_or(backoff, |asked| asked.max(backoff)).min(LONGEST_DELAY))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::word::assert_words;

    #[test]
    fn platforms_push_statuses_and_notification_kinds_are_stored_as_these_words() {
        assert_words(&[
            (Platform::Android, "android"),
            (Platform::Ios, "ios"),
            (Platform::Web, "web"),
        ]);
        assert_words(&[
            (PushStatus::Queued, "queued"),
            (PushStatus::Sending, "sending"),
            (PushStatus::Sent, "sent"),
            (PushStatus::Skipped, "skipped"),
            (PushStatus::Dropped, "dropped"),
            (PushStatus::Dead, "dead"),
        ]);
        use NotificationKind as K;
        assert_words(&[
            (K::ComplaintAcknowledged, "complaint_acknowledged"),
            (K::ComplaintInProgress, "complaint_in_progress"),
            (K::ComplaintResolved, "complaint_resolved"),
            (K::ComplaintRejected, "complaint_rejected"),
            (K::ComplaintDuplicate, "complaint_duplicate"),
            (K::ComplaintReassigned, "complaint_reassigned"),
            (K::ComplaintReopened, "complaint_reopened"),
            (K::ComplaintClosed, "complaint_closed"),
            (K::ComplaintAssigned, "complaint_assigned"),
            (K::ComplaintDueSoon, "complaint_due_soon"),
            (K::ComplaintOverdue, "complaint_overdue"),
            (K::DossierDueSoon, "dossier_due_soon"),
            (K::DossierOverdue, "dossier_overdue"),
            (K::OverdueDigest, "overdue_digest"),
            (K::DossierStatus, "dossier_status"),
            (K::DossierUnlinked, "dossier_unlinked"),
            (K::DossierSubmitted, "dossier_submitted"),
            (K::Warning, "warning"),
            (K::QuestionAsked, "question_asked"),
            (K::QuestionAnswered, "question_answered"),
            (K::QuestionTransferred, "question_transferred"),
        ]);
        assert_eq!(KINDS, K::WORDS);
    }

    #[test]
    fn tokens_are_url_safe_text_of_bounded_length() {
        let real = "fMEQbYbZQ0y:APA91bH-x_9pQkR0e7aS3v.abc";
        assert_eq!(DeviceToken::parse(real).unwrap().as_str(), real);
        assert_eq!(DeviceToken::parse("").unwrap_err().reason, Reason::Required);
        assert_eq!(DeviceToken::parse("a b").unwrap_err().field, "token");
        assert_eq!(DeviceToken::parse("<script>").unwrap_err().field, "token");
        assert!(DeviceToken::parse(&"a".repeat(4097)).is_err());
    }

    #[test]
    fn platforms_and_languages() {
        assert_eq!(Platform::parse("ios").unwrap(), Platform::Ios);
        assert_eq!(Platform::parse("iOS").unwrap_err().field, "platform");
        assert_eq!(device_lang("en-US").unwrap(), Lang::En);
        assert_eq!(device_lang("vi").unwrap(), Lang::Vi);
        assert_eq!(device_lang("fr").unwrap_err().field, "lang");
        assert_eq!(device_lang("EN_gb").unwrap(), Lang::En);
        assert!(device_lang("en-").is_err() && device_lang("vi-VN-x-toolongsubtag").is_err());
    }

    #[test]
    fn every_complaint_notice_is_a_kind_one_can_turn_off() {
        use crate::complaint::NoticeKind::*;
        for kind in [
            Acknowledged,
            InProgress,
            Resolved,
            Rejected,
            Duplicate,
            Reassigned,
            Reopened,
            Closed,
            Assigned,
        ] {
            assert!(KINDS.contains(&kind.notification().as_str()), "{kind:?}");
        }
        assert_eq!(parse_kind("kinds", "dossier_status").unwrap(), NotificationKind::DossierStatus);
        assert_eq!(parse_kind("kinds.x", "spam").unwrap_err().field, "kinds.x");
    }

    #[test]
    fn retries_back_off_with_jitter_honour_retry_after_and_stop() {
        assert_eq!(retry_delay(1, None, 0.0), Some(Duration::from_secs(2)));
        assert_eq!(retry_delay(2, None, 0.0), Some(Duration::from_secs(4)));
        assert_eq!(retry_delay(3, None, 1.0), Some(Duration::from_secs(4)), "half taken away");
        assert_eq!(retry_delay(7, None, 0.0), Some(Duration::from_secs(128)));
        assert_eq!(
            retry_delay(2, Some(Duration::from_secs(30)), 0.7),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_delay(6, Some(Duration::from_secs(5)), 0.0),
            Some(Duration::from_secs(64)),
            "a short Retry-After does not hurry the backoff"
        );
        assert_eq!(retry_delay(2, Some(Duration::from_secs(86_400)), 0.0), Some(LONGEST_DELAY));
        assert_eq!(retry_delay(MAX_ATTEMPTS, None, 0.0), None);
        assert_eq!(retry_delay(MAX_ATTEMPTS, Some(Duration::from_secs(1)), 0.0), None);
    }
}
