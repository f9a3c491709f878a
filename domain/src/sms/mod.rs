//! SMS: transactional messages only (Decree 91/2020/NĐ-CP governs advertising ones; nothing
//! here is one, and no template may become one). What a message is for, how its body is
//! written and counted ([`text`]), when it may go (quiet hours, a daily cap per number),
//! verification codes ([`code`]), the texts ([`templates`]) and the replies that opt a person
//! out ([`reply`]).

pub mod code;
pub mod reply;
pub mod templates;
pub mod text;

pub use text::{SmsEncoding, SmsText, TextMode};

use crate::backoff::Backoff;
use crate::reminder::{vietnam_date, vietnam_offset};
use crate::word::impl_word;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use std::time::Duration;

/// What a message is for (`sms_outbox.purpose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmsPurpose {
    /// A code proving a number at registration.
    PhoneVerification,
    /// A code to set a new password.
    PasswordReset,
    /// A code proving the new number when a person changes theirs.
    PhoneChange,
    /// A dossier reached a status its applicant must act on or be told of.
    DossierUpdate,
    /// Staff: their agency has overdue items.
    StaffReminder,
    /// A severe warning to an area the person follows, for those without the app.
    Warning,
}

impl_word!(SmsPurpose {
    PhoneVerification => "phone_verification",
    PasswordReset => "password_reset",
    PhoneChange => "phone_change",
    DossierUpdate => "dossier_update",
    StaffReminder => "staff_reminder",
    Warning => "warning",
});

impl SmsPurpose {
    /// Whether the message carries a verification code.
    pub fn is_code(self) -> bool {
        match self {
            SmsPurpose::PhoneVerification | SmsPurpose::PasswordReset | SmsPurpose::PhoneChange => {
                true
            }
            SmsPurpose::DossierUpdate | SmsPurpose::StaffReminder | SmsPurpose::Warning => false,
        }
    }

    /// Whether a person may opt out of it: dossier notices and warnings, yes; a code they asked
    /// for, or a reminder to staff at work, no.
    pub fn may_opt_out(self) -> bool {
        matches!(self, SmsPurpose::DossierUpdate | SmsPurpose::Warning)
    }

    /// Codes are awaited by someone holding the app, and a storm does not wait for morning:
    /// they go at once. The rest wait out the night.
    pub fn urgency(self) -> Urgency {
        if self.is_code() || self == SmsPurpose::Warning {
            Urgency::Immediate
        } else {
            Urgency::Daytime
        }
    }
}

/// Where a message of the outbox stands (`sms_outbox.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmsStatus {
    /// Waiting until it is due (quiet hours, a retry's backoff).
    Queued,
    /// Claimed by a worker under a lease.
    Sending,
    /// Accepted by the gateway, waiting for its delivery receipt.
    Sent,
    /// The delivery receipt says the phone has it.
    Delivered,
    /// The delivery receipt says it did not reach the phone (switched off too long, number
    /// gone); not tried again.
    Undelivered,
    /// A permanent refusal by the gateway, or the attempts are spent: a dead letter.
    Failed,
    /// Refused by the daily cap of its number ([`within_daily_cap`]); never sent.
    Capped,
    /// The person opted out of such messages; never sent.
    OptedOut,
    /// A push about the same change reached the person's app first; never sent.
    Covered,
}

impl_word!(SmsStatus {
    Queued => "queued",
    Sending => "sending",
    Sent => "sent",
    Delivered => "delivered",
    Undelivered => "undelivered",
    Failed => "failed",
    Capped => "capped",
    OptedOut => "opted_out",
    Covered => "covered",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// Sent whatever the hour.
    Immediate,
    /// Not sent between 22:00 and 07:00 Vietnam time: held until 07:00.
    Daytime,
}

/// Quiet hours, Vietnam time (UTC+7 all year): from `QUIET_FROM` to `QUIET_UNTIL` the next
/// morning.
pub const QUIET_FROM: NaiveTime = NaiveTime::from_hms_opt(22, 0, 0).expect("a valid time");
pub const QUIET_UNTIL: NaiveTime = NaiveTime::from_hms_opt(7, 0, 0).expect("a valid time");

/// When a message made at `now` may be sent: at once, or for a `Daytime` one made in quiet
/// hours, 07:00 Vietnam time the next morning (the same morning when made after midnight).
pub fn earliest_send(now: DateTime<Utc>, urgency: Urgency) -> DateTime<Utc> {
    if urgency == Urgency::Immediate {
        return now;
    }
    let local = now.with_timezone(&vietnam_offset());
    let today = local.date_naive();
    let morning = if local.time() >= QUIET_FROM {
        today.succ_opt()
    } else if local.time() < QUIET_UNTIL {
        Some(today)
    } else {
        None
    };
    morning.map_or(now, |day| vietnam_time(day, QUIET_UNTIL))
}

/// `time` on `day`, Vietnam time.
fn vietnam_time(day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = vietnam_offset().from_local_datetime(&day.and_time(time));
    local.single().expect("a fixed offset has one reading of every time").to_utc()
}

/// The next Vietnam midnight after `now`: when "today's" counts start again.
pub fn next_vietnam_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = vietnam_date(now);
    today.succ_opt().map_or(now, |tomorrow| vietnam_time(tomorrow, NaiveTime::MIN))
}

/// The last Vietnam midnight at or before `now`: where "today's" counts start.
pub fn vietnam_day_start(now: DateTime<Utc>) -> DateTime<Utc> {
    vietnam_time(vietnam_date(now), NaiveTime::MIN)
}

/// Messages of every purpose one number may be sent in one Vietnam day: whatever a bug does,
/// nobody is texted more than this and [`code::MAX_CODES_PER_DAY`] codes besides.
pub const DAILY_CAP_PER_NUMBER: u32 = 10;

/// Whether one more message of `purpose` may go to a number that has been sent `sent_today`
/// messages (of every purpose, codes included: those handed to the gateway since the last
/// Vietnam midnight, whatever their receipt) today. Notices stop at the cap; a code may go
/// [`code::MAX_CODES_PER_DAY`] past it, so a day of notices never locks a person out of their
/// account. Refused: mark the message [`SmsStatus::Capped`].
/// `cap` is the operator's ([`DAILY_CAP_PER_NUMBER`] by default).
pub fn within_daily_cap(purpose: SmsPurpose, sent_today: u32, cap: u32) -> bool {
    let cap = if purpose.is_code() { cap + code::MAX_CODES_PER_DAY } else { cap };
    sent_today < cap
}

/// A sent code's text as kept afterwards: every run of six digits masked, so the outbox keeps
/// what was said, not a code someone could still use.
pub fn redact_code(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() == code::CODE_DIGITS {
            out.extend(std::iter::repeat_n('*', digits.len()));
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in body.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// Whether a delivery receipt's status word says the message is still on its way (SMPP's
/// `ENROUTE`, `ACCEPTD`), so a final receipt is still to come.
pub fn is_interim_report(detail: &str) -> bool {
    matches!(detail.trim().to_ascii_uppercase().as_str(), "ENROUTE" | "ACCEPTD" | "ACCEPTED")
}

/// Attempts before a message is given up as [`SmsStatus::Failed`].
pub const MAX_ATTEMPTS: i32 = 10;
const BACKOFF: Backoff = Backoff {
    first: Duration::from_secs(5),
    longest: Duration::from_secs(15 * 60),
    max_attempts: MAX_ATTEMPTS,
};

/// When to try again after failed attempt number `attempt` (1 for the first): 5 s, doubling, at
/// most 15 min, of which `jitter` (0.0 to 1.0, random) takes away up to half. None once the
/// attempts are spent. A code older than its [`code::CODE_TTL`] is not worth sending: the
/// outbox should fail it rather than retry.
pub fn retry_delay(attempt: i32, jitter: f64) -> Option<Duration> {
    BACKOFF.delay(attempt, jitter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::word::assert_words;

    #[test]
    fn purposes_and_statuses_are_stored_as_these_words() {
        use SmsPurpose as P;
        assert_words(&[
            (P::PhoneVerification, "phone_verification"),
            (P::PasswordReset, "password_reset"),
            (P::PhoneChange, "phone_change"),
            (P::DossierUpdate, "dossier_update"),
            (P::StaffReminder, "staff_reminder"),
            (P::Warning, "warning"),
        ]);
        use SmsStatus as S;
        assert_words(&[
            (S::Queued, "queued"),
            (S::Sending, "sending"),
            (S::Sent, "sent"),
            (S::Delivered, "delivered"),
            (S::Undelivered, "undelivered"),
            (S::Failed, "failed"),
            (S::Capped, "capped"),
            (S::OptedOut, "opted_out"),
            (S::Covered, "covered"),
        ]);
    }

    #[test]
    fn codes_and_warnings_go_at_once_and_notices_by_day() {
        for purpose in SmsPurpose::ALL {
            let expected = match purpose {
                SmsPurpose::PhoneVerification
                | SmsPurpose::PasswordReset
                | SmsPurpose::PhoneChange
                | SmsPurpose::Warning => Urgency::Immediate,
                SmsPurpose::DossierUpdate | SmsPurpose::StaffReminder => Urgency::Daytime,
            };
            assert_eq!(purpose.urgency(), expected, "{purpose:?}");
        }
    }

    /// A moment given in Vietnam time.
    fn vn(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        let date = NaiveDate::from_ymd_opt(2026, 12, day).unwrap();
        vietnam_time(date, NaiveTime::from_hms_opt(hour, minute, 0).unwrap())
    }

    #[test]
    fn daytime_messages_made_in_quiet_hours_wait_for_seven_in_the_morning() {
        let seven_next = vn(8, 7, 0);
        for (made, sent) in [
            (vn(7, 21, 59), vn(7, 21, 59)),
            (vn(7, 22, 0), seven_next),
            (vn(7, 23, 30), seven_next),
            (vn(8, 0, 0), seven_next),
            (vn(8, 6, 59), seven_next),
            (vn(8, 7, 0), vn(8, 7, 0)),
            (vn(8, 12, 0), vn(8, 12, 0)),
        ] {
            assert_eq!(earliest_send(made, Urgency::Daytime), sent, "{made}");
            assert_eq!(earliest_send(made, Urgency::Immediate), made, "{made}");
        }
        assert_eq!(vn(8, 7, 0).to_rfc3339(), "2026-12-08T00:00:00+00:00", "07:00 is 00:00 UTC");
        // Across a month's and a year's end.
        assert_eq!(
            earliest_send(vn(31, 23, 0), Urgency::Daytime).to_rfc3339(),
            "2027-01-01T00:00:00+00:00"
        );
    }

    #[test]
    fn days_end_at_vietnam_midnight() {
        assert_eq!(next_vietnam_midnight(vn(7, 23, 59)), vn(8, 0, 0));
        assert_eq!(next_vietnam_midnight(vn(8, 0, 0)), vn(9, 0, 0));
        assert_eq!(next_vietnam_midnight(vn(8, 6, 0)).to_rfc3339(), "2026-12-08T17:00:00+00:00");
    }

    #[test]
    fn the_daily_cap_stops_notices_first_and_codes_a_little_later() {
        let notice = SmsPurpose::DossierUpdate;
        assert!(within_daily_cap(notice, 0, DAILY_CAP_PER_NUMBER));
        assert!(within_daily_cap(notice, DAILY_CAP_PER_NUMBER - 1, DAILY_CAP_PER_NUMBER));
        assert!(!within_daily_cap(notice, DAILY_CAP_PER_NUMBER, DAILY_CAP_PER_NUMBER));
        assert!(!within_daily_cap(SmsPurpose::StaffReminder, 100, DAILY_CAP_PER_NUMBER));
        let code = SmsPurpose::PasswordReset;
        assert!(within_daily_cap(code, DAILY_CAP_PER_NUMBER, DAILY_CAP_PER_NUMBER));
        assert!(within_daily_cap(
            code,
            DAILY_CAP_PER_NUMBER + code::MAX_CODES_PER_DAY - 1,
            DAILY_CAP_PER_NUMBER
        ));
        assert!(!within_daily_cap(
            code,
            DAILY_CAP_PER_NUMBER + code::MAX_CODES_PER_DAY,
            DAILY_CAP_PER_NUMBER
        ));
        assert!(!within_daily_cap(code, u32::MAX, DAILY_CAP_PER_NUMBER));
        assert!(within_daily_cap(notice, 10, 20), "the operator's cap");
    }

    #[test]
    fn retries_back_off_and_stop() {
        assert_eq!(retry_delay(1, 0.0), Some(Duration::from_secs(5)));
        assert_eq!(retry_delay(2, 0.0), Some(Duration::from_secs(10)));
        assert_eq!(retry_delay(3, 1.0), Some(Duration::from_secs(10)), "half taken away");
        assert_eq!(retry_delay(9, 0.0), Some(Duration::from_secs(15 * 60)));
        assert_eq!(retry_delay(MAX_ATTEMPTS, 0.0), None);
    }

    #[test]
    fn a_sent_code_is_kept_masked_and_other_numbers_are_kept() {
        let body = "Ma xac thuc SmartCity Da Nang cua ban la 048213, hieu luc 5 phut.";
        assert_eq!(
            redact_code(body),
            "Ma xac thuc SmartCity Da Nang cua ban la ******, hieu luc 5 phut."
        );
        assert_eq!(redact_code("123456"), "******");
        assert_eq!(
            redact_code("Ho so 261207-0001 ngay 07/12/2026"),
            "Ho so ******-0001 ngay 07/12/2026"
        );
        assert_eq!(redact_code("1234567 12345"), "1234567 12345");
    }

    #[test]
    fn the_vietnam_day_starts_at_local_midnight() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        assert_eq!(vietnam_day_start(at("2026-12-07T16:59:59Z")), at("2026-12-06T17:00:00Z"));
        assert_eq!(vietnam_day_start(at("2026-12-07T17:00:00Z")), at("2026-12-07T17:00:00Z"));
        assert_eq!(vietnam_day_start(at("2026-12-07T02:00:00Z")), at("2026-12-06T17:00:00Z"));
    }

    #[test]
    fn interim_receipts_are_told_from_final_ones() {
        assert!(is_interim_report("ENROUTE") && is_interim_report("acceptd"));
        assert!(!is_interim_report("UNDELIV") && !is_interim_report("DELIVRD"));
        assert!(SmsPurpose::DossierUpdate.may_opt_out());
        assert!(
            !SmsPurpose::PasswordReset.may_opt_out() && !SmsPurpose::StaffReminder.may_opt_out()
        );
    }
}
