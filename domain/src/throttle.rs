//! How repeated failures (wrong passwords, wrong dossier proofs) are slowed down and then
//! refused, per subject (a phone number, a dossier code) and per client address.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ThrottlePolicy {
    /// Failures are counted within this window, then forgotten.
    pub window: Duration,
    /// Failures for one subject (the phone number logged into, the dossier code looked up)
    /// before it is locked.
    pub subject_lock_after: i32,
    /// Failures from one client address before it is locked (higher: a ward office or a
    /// carrier's NAT puts many people behind one address).
    pub address_lock_after: i32,
    pub lock_for: Duration,
    /// From this many failures on, each further failure is answered more slowly.
    pub slow_after: i32,
    pub delay_step: Duration,
    pub max_delay: Duration,
}

impl ThrottlePolicy {
    pub fn login() -> Self {
        ThrottlePolicy {
            window: Duration::from_secs(15 * 60),
            subject_lock_after: 10,
            address_lock_after: 50,
            lock_for: Duration::from_secs(15 * 60),
            slow_after: 3,
            delay_step: Duration::from_millis(250),
            max_delay: Duration::from_secs(2),
        }
    }

    /// Dossier lookups: a code is guessed at most a few times an hour, and one address cannot
    /// walk through codes.
    pub fn lookup() -> Self {
        ThrottlePolicy {
            window: Duration::from_secs(60 * 60),
            subject_lock_after: 5,
            address_lock_after: 20,
            lock_for: Duration::from_secs(60 * 60),
            slow_after: 3,
            delay_step: Duration::from_millis(250),
            max_delay: Duration::from_secs(2),
        }
    }

    /// Registrations: every attempt counts (a 409 for a taken number tells who has an
    /// account), per number and per address; generous per address, as a ward office or a
    /// carrier's NAT registers many people from one.
    pub fn registration() -> Self {
        ThrottlePolicy {
            window: Duration::from_secs(60 * 60),
            subject_lock_after: 5,
            address_lock_after: 30,
            lock_for: Duration::from_secs(60 * 60),
            slow_after: 10,
            delay_step: Duration::from_millis(250),
            max_delay: Duration::from_secs(2),
        }
    }

    /// Requests for a code by SMS: every request counts, per number and per address (the
    /// domain's code rules then allow one a minute and a few a day per number); generous per
    /// address, as a ward office helps many people from one.
    pub fn phone_codes() -> Self {
        ThrottlePolicy {
            window: Duration::from_secs(60 * 60),
            subject_lock_after: 10,
            address_lock_after: 30,
            lock_for: Duration::from_secs(60 * 60),
            slow_after: 30,
            delay_step: Duration::from_millis(250),
            max_delay: Duration::from_secs(1),
        }
    }

    /// How long to hold back the answer to a failed login, given the failures counted so far.
    pub fn delay_after(&self, failures: i32) -> Duration {
        let over = failures - self.slow_after + 1;
        if over <= 0 {
            return Duration::ZERO;
        }
        (self.delay_step * over as u32).min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_then_caps() {
        let policy = ThrottlePolicy::login();
        assert_eq!(policy.delay_after(1), Duration::ZERO);
        assert_eq!(policy.delay_after(2), Duration::ZERO);
        assert_eq!(policy.delay_after(3), Duration::from_millis(250));
        assert_eq!(policy.delay_after(4), Duration::from_millis(500));
        assert_eq!(policy.delay_after(40), Duration::from_secs(2));
    }
}
