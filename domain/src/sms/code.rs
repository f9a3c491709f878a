//! Verification codes by SMS (registration, password reset, a new phone number): how long they
//! hold, how often they may be sent and guessed. The caller draws the code at random and stores
//! only its hash; nothing here is random.

use super::{next_vietnam_midnight, SmsPurpose};
use crate::validation::{Invalid, Reason};
use crate::word::impl_word;
use chrono::{DateTime, TimeDelta, Utc};

pub const CODE_DIGITS: usize = 6;
/// A code is accepted this long after it was sent.
pub const CODE_TTL: TimeDelta = TimeDelta::minutes(5);
/// Wrong answers after which a code is dead, right or not.
pub const MAX_CODE_ATTEMPTS: u32 = 5;
/// A new code may be asked for this long after the last was sent.
pub const RESEND_AFTER: TimeDelta = TimeDelta::seconds(60);
/// Codes one number may be sent in one Vietnam day.
pub const MAX_CODES_PER_DAY: u32 = 5;

/// What a code proves (`sms_codes.purpose`): a code of one purpose is never accepted for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodePurpose {
    Verify,
    Reset,
    PhoneChange,
}

impl_word!(CodePurpose {
    Verify => "verify",
    Reset => "reset",
    PhoneChange => "phone_change",
});

impl CodePurpose {
    /// The purpose of the message that carries the code.
    pub fn sms_purpose(self) -> SmsPurpose {
        match self {
            CodePurpose::Verify => SmsPurpose::PhoneVerification,
            CodePurpose::Reset => SmsPurpose::PasswordReset,
            CodePurpose::PhoneChange => SmsPurpose::PhoneChange,
        }
    }
}

/// Why no code is sent now; `retry_after_secs` is for the `Retry-After` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefusal {
    /// The last code went less than [`RESEND_AFTER`] ago.
    TooSoon { retry_after_secs: u64 },
    /// [`MAX_CODES_PER_DAY`] went today: the next may go after Vietnam midnight.
    DailyLimit { retry_after_secs: u64 },
}

/// Whether a code may be sent now to a number whose last code went at `last_sent_at` and which
/// was sent `sent_today` codes since the last Vietnam midnight. The daily limit is told first:
/// it is the longer wait. These limits are a number's; a client address needs looser ones (a
/// ward office or a carrier's NAT puts many people behind one), which the caller keeps.
pub fn may_send_code(
    last_sent_at: Option<DateTime<Utc>>,
    sent_today: u32,
    now: DateTime<Utc>,
) -> Result<(), CodeRefusal> {
    if sent_today >= MAX_CODES_PER_DAY {
        let retry_after_secs = seconds_until(now, next_vietnam_midnight(now));
        return Err(CodeRefusal::DailyLimit { retry_after_secs });
    }
    match last_sent_at.map(|last| last + RESEND_AFTER) {
        Some(next) if next > now => {
            Err(CodeRefusal::TooSoon { retry_after_secs: seconds_until(now, next) })
        }
        _ => Ok(()),
    }
}

/// Whole seconds from `now` to `then`, rounded up (at least 1): waiting that long is enough.
fn seconds_until(now: DateTime<Utc>, then: DateTime<Utc>) -> u64 {
    let wait = (then - now).to_std().unwrap_or_default();
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// When a code sent at `sent_at` stops being accepted.
pub fn expires_at(sent_at: DateTime<Utc>) -> DateTime<Utc> {
    sent_at + CODE_TTL
}

/// What is stored of a code besides its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredCode {
    pub expires_at: DateTime<Utc>,
    /// Wrong answers so far.
    pub attempts: u32,
    /// Accepted once already (or replaced by a newer code).
    pub used: bool,
}

/// The answer to a code typed in.
///
/// The API renders `Rejected` one way whatever the cause (a wrong code, an expired or used one,
/// or no code at all for that number and purpose), so a guess tells nothing but "no".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right, in time, unused: mark it used, and go on.
    Accepted,
    /// Count one more attempt.
    Rejected,
    /// [`MAX_CODE_ATTEMPTS`] wrong answers: the code is dead (mark it used); a new one must be
    /// asked for. Where no code exists, the caller should answer the same after as many tries,
    /// so that this does not tell whether a code was pending.
    Exhausted,
}

/// Judges a code typed in: `matches` is whether its hash matched the stored one (compared by
/// the caller, in constant time). Once the attempts are spent even the right code is refused.
pub fn check_code(stored: &StoredCode, matches: bool, now: DateTime<Utc>) -> CodeCheck {
    if stored.attempts >= MAX_CODE_ATTEMPTS {
        return CodeCheck::Exhausted;
    }
    if matches && !stored.used && now < stored.expires_at {
        return CodeCheck::Accepted;
    }
    if stored.attempts + 1 >= MAX_CODE_ATTEMPTS {
        CodeCheck::Exhausted
    } else {
        CodeCheck::Rejected
    }
}

/// A code as typed: exactly [`CODE_DIGITS`] ASCII digits, surrounding spaces trimmed.
pub fn parse_code(field: &str, raw: &str) -> Result<String, Invalid> {
    let code = raw.trim();
    if code.is_empty() {
        return Err(Invalid::new(field, Reason::Required));
    }
    if code.len() != CODE_DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Invalid::new(
            field,
            Reason::Format {
                expected_vi: "mã gồm 6 chữ số", expected_en: "a code of 6 digits"
            },
        ));
    }
    Ok(code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::word::assert_words;
    use chrono::TimeZone;

    fn at(hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, hour, minute, second).unwrap()
    }

    #[test]
    fn purposes_are_stored_as_these_words_and_carried_by_their_messages() {
        assert_words(&[
            (CodePurpose::Verify, "verify"),
            (CodePurpose::Reset, "reset"),
            (CodePurpose::PhoneChange, "phone_change"),
        ]);
        for purpose in CodePurpose::ALL {
            assert!(purpose.sms_purpose().is_code(), "{purpose:?}");
        }
        assert_eq!(CodePurpose::Reset.sms_purpose(), SmsPurpose::PasswordReset);
    }

    #[test]
    fn a_code_may_be_resent_after_a_minute_and_five_times_a_day() {
        let now = at(3, 0, 0);
        assert_eq!(may_send_code(None, 0, now), Ok(()));
        assert_eq!(may_send_code(Some(at(2, 59, 0)), 1, now), Ok(()), "exactly 60 s");
        assert_eq!(
            may_send_code(Some(at(2, 59, 1)), 1, now),
            Err(CodeRefusal::TooSoon { retry_after_secs: 1 })
        );
        assert_eq!(
            may_send_code(Some(now), 1, now),
            Err(CodeRefusal::TooSoon { retry_after_secs: 60 })
        );
        let fraction = now - TimeDelta::milliseconds(30_500);
        assert_eq!(
            may_send_code(Some(fraction), 1, now),
            Err(CodeRefusal::TooSoon { retry_after_secs: 30 })
        );
        assert_eq!(may_send_code(Some(at(1, 0, 0)), MAX_CODES_PER_DAY - 1, now), Ok(()));
        // 03:00 UTC is 10:00 in Vietnam: 14 hours to midnight.
        assert_eq!(
            may_send_code(Some(at(1, 0, 0)), MAX_CODES_PER_DAY, now),
            Err(CodeRefusal::DailyLimit { retry_after_secs: 14 * 3600 })
        );
        assert_eq!(
            may_send_code(Some(now), MAX_CODES_PER_DAY, now),
            Err(CodeRefusal::DailyLimit { retry_after_secs: 14 * 3600 }),
            "the longer wait is told"
        );
        // 16:59:59 UTC is 23:59:59 in Vietnam.
        assert_eq!(
            may_send_code(None, MAX_CODES_PER_DAY, at(16, 59, 59)),
            Err(CodeRefusal::DailyLimit { retry_after_secs: 1 })
        );
    }

    #[test]
    fn a_code_is_accepted_once_in_time_and_within_its_attempts() {
        let sent = at(3, 0, 0);
        let fresh = StoredCode { expires_at: expires_at(sent), attempts: 0, used: false };
        assert_eq!(fresh.expires_at, at(3, 5, 0));
        let in_time = at(3, 4, 59);
        assert_eq!(check_code(&fresh, true, in_time), CodeCheck::Accepted);
        assert_eq!(check_code(&fresh, false, in_time), CodeCheck::Rejected);
        assert_eq!(check_code(&fresh, true, at(3, 5, 0)), CodeCheck::Rejected, "expired");
        let used = StoredCode { used: true, ..fresh };
        assert_eq!(check_code(&used, true, in_time), CodeCheck::Rejected);
        let four_wrong = StoredCode { attempts: MAX_CODE_ATTEMPTS - 1, ..fresh };
        assert_eq!(check_code(&four_wrong, true, in_time), CodeCheck::Accepted);
        assert_eq!(check_code(&four_wrong, false, in_time), CodeCheck::Exhausted, "the fifth");
        let five_wrong = StoredCode { attempts: MAX_CODE_ATTEMPTS, ..fresh };
        assert_eq!(check_code(&five_wrong, true, in_time), CodeCheck::Exhausted);
    }

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(parse_code("code", " 012345 ").unwrap(), "012345");
        assert_eq!(parse_code("code", "  ").unwrap_err().reason, Reason::Required);
        for raw in ["12345", "1234567", "12 3456", "12345a", "１２３４５６", "-12345", "12345\u{0}"]
        {
            let refused = parse_code("code", raw).unwrap_err();
            assert_eq!(refused.field, "code", "{raw}");
            assert!(matches!(refused.reason, Reason::Format { .. }), "{raw}");
        }
    }
}
