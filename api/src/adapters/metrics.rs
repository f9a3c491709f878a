//! Prometheus metrics: requests by route and status, latency, the database pool, and pushes
//! (by outcome, the queue's depth and the age of its oldest due row), text messages (by outcome,
//! and delivery receipts), and throttle locks.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
};
use std::time::Duration;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_connections: IntGaugeVec,
    pushes: IntCounterVec,
    sms: IntCounterVec,
    sms_receipts: IntCounterVec,
    throttle_locks: IntCounterVec,
    push_queue_depth: IntGauge,
    push_oldest_due_age: IntGauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new_custom(Some("smartcity".into()), None).expect("valid prefix");
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by method, route and status"),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(
                vec![0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
            ),
            &["method", "route"],
        )
        .expect("valid metric");
        let pool_connections = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state"),
            &["state"],
        )
        .expect("valid metric");
        registry.register(Box::new(requests.clone())).expect("registered once");
        registry.register(Box::new(latency.clone())).expect("registered once");
        let pushes = IntCounterVec::new(
            Opts::new("pushes_total", "Pushes by outcome: sent, retry, dropped, dead, skipped"),
            &["outcome"],
        )
        .expect("valid metric");
        let sms = IntCounterVec::new(
            Opts::new(
                "sms_total",
                "Text messages by outcome: sent, retry, failed, covered (a push reached the app \
                 first); capped and opted_out are counted when queued",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let sms_receipts = IntCounterVec::new(
            Opts::new("sms_receipts_total", "Delivery receipts by outcome: delivered, undelivered"),
            &["outcome"],
        )
        .expect("valid metric");
        let throttle_locks = IntCounterVec::new(
            Opts::new(
                "throttle_locks_total",
                "Locks set by too many failures, by purpose (login, lookup, registration) and key \
                 (subject: a number or code; address: a client)",
            ),
            &["purpose", "key"],
        )
        .expect("valid metric");
        let push_queue_depth =
            IntGauge::new("push_queue_depth", "Pushes queued or being sent").expect("valid metric");
        let push_oldest_due_age = IntGauge::new(
            "push_oldest_due_age_seconds",
            "How long the oldest queued push has been due (0 when none)",
        )
        .expect("valid metric");
        registry.register(Box::new(pool_connections.clone())).expect("registered once");
        registry.register(Box::new(pushes.clone())).expect("registered once");
        registry.register(Box::new(sms.clone())).expect("registered once");
        registry.register(Box::new(sms_receipts.clone())).expect("registered once");
        registry.register(Box::new(throttle_locks.clone())).expect("registered once");
        registry.register(Box::new(push_queue_depth.clone())).expect("registered once");
        registry.register(Box::new(push_oldest_due_age.clone())).expect("registered once");
        Metrics {
            registry,
            requests,
            latency,
            pool_connections,
            pushes,
            sms,
            sms_receipts,
            throttle_locks,
            push_queue_depth,
            push_oldest_due_age,
        }
    }

    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests.with_label_values(&[method, route, &status.to_string()]).inc();
        self.latency.with_label_values(&[method, route]).observe(elapsed.as_secs_f64());
    }

    pub fn count_push(&self, outcome: &str) {
        self.pushes.with_label_values(&[outcome]).inc();
    }

    pub fn count_sms(&self, outcome: &str) {
        self.sms.with_label_values(&[outcome]).inc();
    }

    pub fn count_sms_receipt(&self, outcome: &str) {
        self.sms_receipts.with_label_values(&[outcome]).inc();
    }

    pub fn count_lock(&self, purpose: &str, key: &str) {
        self.throttle_locks.with_label_values(&[purpose, key]).inc();
    }

    /// The text exposition, with the pool and queue gauges read at scrape time.
    /// Without a backlog (the database did not answer) the queue gauges keep their last values.
    pub fn render(&self, pool: &smartcity_db::Pool, push_backlog: Option<PushBacklog>) -> String {
        if let Some(backlog) = push_backlog {
            self.push_queue_depth.set(backlog.depth);
            self.push_oldest_due_age.set(backlog.oldest_due_age_secs);
        }
        let state = pool.state();
        let idle = i64::from(state.idle_connections);
        let in_use = i64::from(state.connections) - idle;
        self.pool_connections.with_label_values(&["in_use"]).set(in_use);
        self.pool_connections.with_label_values(&["idle"]).set(idle);
        self.pool_connections.with_label_values(&["max"]).set(i64::from(pool.max_size()));
        let mut buffer = Vec::new();
        prometheus::TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .expect("text encoding cannot fail");
        String::from_utf8(buffer).expect("prometheus text is UTF-8")
    }
}

/// The push queue as read at scrape time.
pub struct PushBacklog {
    pub depth: i64,
    pub oldest_due_age_secs: i64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
