//! Shared by the tests that run the `smartcity` binary itself.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::Child;
use std::time::{Duration, Instant};

/// The port a server started with `SMARTCITY_BIND=127.0.0.1:0` and JSON logs on stdout
/// announces, read within a minute; the rest of its output is drained so it never blocks on a
/// full pipe.
pub fn announced_port(child: &mut Child) -> u16 {
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
