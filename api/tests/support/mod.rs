//! Shared by the tests that run the `smartcity` binary itself.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The port a server started with `SMARTCITY_BIND=127.0.0.1:0` and JSON logs on stdout
/// announces, read within a minute; the rest of its output is drained so it never blocks on a
/// full pipe.
fn announced_port(child: &mut Child) -> u16 {
    let mut lines = BufReader::new(child.stdout.take().expect("stdout piped")).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut port = None;
    while port.is_none() && Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        if let Ok(event) = serde_json::from_str::<Value>(&line) {
            if event["fields"]["message"] == "smartcity serving" {
                port = event["fields"]["port"].as_u64();
            }
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    let port = port.expect("the server announced its port");
    u16::try_from(port).expect("a port number")
}

/// `smartcity serve` on a free port with JSON logs, killed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
}

impl Server {
    pub fn start(database_url: &str, photo_dir: &Path, extra_env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_smartcity"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("SMARTCITY_BIND", "127.0.0.1:0")
            .env("SMARTCITY_PHOTO_DIR", photo_dir)
            .env("SMARTCITY_LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .envs(extra_env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("smartcity runs");
        let port = announced_port(&mut child);
        Server { child, port }
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
