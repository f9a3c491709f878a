//! Exponential backoff between attempts of an outbox (pushes, webhook deliveries, SMS): one
//! rule, each outbox with its own first wait, longest wait and number of attempts.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failed attempt; each later one doubles it.
    pub first: Duration,
    /// No wait is longer.
    pub longest: Duration,
    /// Attempts before the item is given up.
    pub max_attempts: i32,
}

impl Backoff {
    /// The wait after failed attempt number `attempt` (1 for the first), without jitter:
    /// `first`, doubled for each attempt after the first, at most `longest`.
    pub fn full(&self, attempt: i32) -> Duration {
        let exponent = u32::try_from(attempt.saturating_sub(1)).unwrap_or(0).min(16);
        self.first.saturating_mul(1 << exponent).min(self.longest)
    }

    /// `full` of which `jitter` (0.0 to 1.0, random) takes away up to half, so items that failed
    /// together do not all come back together; None once `max_attempts` are spent.
    pub fn delay(&self, attempt: i32, jitter: f64) -> Option<Duration> {
        (attempt < self.max_attempts)
            .then(|| self.full(attempt).mul_f64(1.0 - 0.5 * jitter.clamp(0.0, 1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Backoff = Backoff {
        first: Duration::from_secs(5),
        longest: Duration::from_secs(60),
        max_attempts: 4,
    };

    #[test]
    fn doubles_up_to_the_longest_and_stops_after_the_last_attempt() {
        assert_eq!(B.full(0), Duration::from_secs(5), "nothing failed yet: the first wait");
        assert_eq!(B.full(1), Duration::from_secs(5));
        assert_eq!(B.full(2), Duration::from_secs(10));
        assert_eq!(B.full(4), Duration::from_secs(40));
        assert_eq!(B.full(5), Duration::from_secs(60));
        assert_eq!(B.full(i32::MAX), Duration::from_secs(60));
        assert_eq!(B.delay(2, 0.0), Some(Duration::from_secs(10)));
        assert_eq!(B.delay(2, 1.0), Some(Duration::from_secs(5)), "half taken away");
        assert_eq!(B.delay(2, 7.0), Some(Duration::from_secs(5)), "jitter clamped");
        assert_eq!(B.delay(2, -1.0), Some(Duration::from_secs(10)));
        assert_eq!(B.delay(3, 0.0), Some(Duration::from_secs(20)));
        assert_eq!(B.delay(4, 0.0), None);
    }
}
