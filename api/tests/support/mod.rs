//! Shared by the tests that run the `smartcity` binary itself.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Most log events a test keeps; the rest are drained and dropped.
const KEPT_EVENTS: usize = 10_000;

/// What a server started with `SMARTCITY_BIND=127.0.0.1:0`, `SMARTCITY_METRICS_BIND=127.0.0.1:0`
/// and JSON logs on stdout announces within a minute: its port and its metrics port. Its later
/// output is read on a thread (so it never blocks on a full pipe) and kept as events.
fn announced_ports(child: &mut Child, events: Arc<Mutex<Vec<Value>>>) -> (u16, u16) {
    let mut lines = BufReader::new(child.stdout.take().expect("stdout piped")).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut port, mut metrics_port) = (None, None);
    while port.is_none() && Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        if let Ok(event) = serde_json::from_str::<Value>(&line) {
            match event["fields"]["message"].as_str() {
                Some("smartcity serving") => port = event["fields"]["port"].as_u64(),
                Some("metrics serving at /metrics") => {
                    metrics_port = event["fields"]["port"].as_u64()
                }
                _ => {}
            }
        }
    }
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let mut kept = events.lock().unwrap();
            if kept.len() < KEPT_EVENTS {
                if let Ok(event) = serde_json::from_str::<Value>(&line) {
                    kept.push(event);
                }
            }
        }
    });
    let port = port.expect("the server announced its port");
    let metrics_port = metrics_port.expect("the server announced its metrics port");
    (u16::try_from(port).expect("a port"), u16::try_from(metrics_port).expect("a port"))
}

/// `smartcity serve` on a free port with JSON logs, killed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
    /// The operator's listener, where `/metrics` is.
    pub metrics_port: u16,
    events: Arc<Mutex<Vec<Value>>>,
}

impl Server {
    pub fn start(database_url: &str, photo_dir: &Path, extra_env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_smartcity"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("SMARTCITY_BIND", "127.0.0.1:0")
            .env("SMARTCITY_METRICS_BIND", "127.0.0.1:0")
            .env("SMARTCITY_PHOTO_DIR", photo_dir)
            .env("SMARTCITY_LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            // These tests file as new citizens at once; proving a number by SMS code is
            // tests/api/sms.rs's subject, and an operator may turn the requirement off so.
            .env("SMARTCITY_REQUIRE_VERIFIED_PHONE", "false")
            .envs(extra_env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("smartcity runs");
        let events = Arc::new(Mutex::new(Vec::new()));
        let (port, metrics_port) = announced_ports(&mut child, events.clone());
        Server { child, port, metrics_port, events }
    }

    /// The events logged with `message` once there is at least one, or whatever there is
    /// after five seconds (the log is read on another thread).
    pub fn wait_for_logged(&self, message: &str) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let logged = self.logged(message);
            if !logged.is_empty() || Instant::now() > deadline {
                return logged;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The log events so far whose message is `message`, their fields.
    pub fn logged(&self, message: &str) -> Vec<Value> {
        let events = self.events.lock().unwrap();
        events
            .iter()
            .filter(|event| event["fields"]["message"] == message)
            .map(|event| event["fields"].clone())
            .collect()
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    /// SIGKILL: no chance to finish or clean anything.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Peak resident memory so far (`VmHWM`), in KiB.
    pub fn peak_memory_kib(&self) -> u64 {
        self.memory_kib("VmHWM:")
    }

    pub fn resident_memory_kib(&self) -> u64 {
        self.memory_kib("VmRSS:")
    }

    fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{field} in /proc/PID/status"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
