//! A real S3-compatible server for the photo store's tests: moto's standalone server
//! (`python3 -m pip install 'moto[server]'`), started by the test on a port the system picks and
//! stopped when dropped. Each test starts its own (about 0.6 s and 75 MiB) and keeps a few small
//! objects in it.
//!
//! Without moto the tests skip, saying why, unless `SMARTCITY_REQUIRE_S3_SERVER=1` (CI sets it)
//! makes that a failure.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const REQUIRE_S3_SERVER_ENV: &str = "SMARTCITY_REQUIRE_S3_SERVER";

/// moto's server, killed when dropped.
pub struct S3Server {
    child: Child,
    /// `http://127.0.0.1:{port}`
    pub endpoint: String,
}

impl S3Server {
    /// The running server; None, after printing why, when moto cannot be started and
    /// `SMARTCITY_REQUIRE_S3_SERVER=1` is not set.
    pub fn start() -> Option<S3Server> {
        match launch() {
            Ok(server) => Some(server),
            Err(why) if std::env::var(REQUIRE_S3_SERVER_ENV).is_ok_and(|v| v == "1") => {
                panic!("{REQUIRE_S3_SERVER_ENV}=1, but {why}")
            }
            Err(why) => {
                eprintln!(
                    "skipped: {why}; `python3 -m pip install 'moto[server]'` runs this test \
                     against a real S3 server, and {REQUIRE_S3_SERVER_ENV}=1 (CI) makes its \
                     absence a failure"
                );
                None
            }
        }
    }

    /// Creates bucket `name` (S3's CreateBucket) and returns what an operator would configure
    /// for it, as for a MinIO beside the server.
    pub async fn bucket(&self, name: &str) -> S3Bucket {
        let res = reqwest::Client::new()
            .put(format!("{}/{name}", self.endpoint))
            .send()
            .await
            .expect("CreateBucket reaches moto");
        assert!(res.status().is_success(), "CreateBucket {name}: {}", res.status());
        S3Bucket {
            endpoint: self.endpoint.clone(),
            bucket: name.to_string(),
            region: "us-east-1",
            access_key_id: "smartcity-test",
            secret_access_key: "smartcity-test-secret",
        }
    }
}

/// A bucket of the test server, as `SMARTCITY_S3_*` would name it (plain HTTP allowed).
pub struct S3Bucket {
    pub endpoint: String,
    pub bucket: String,
    pub region: &'static str,
    pub access_key_id: &'static str,
    pub secret_access_key: &'static str,
}

impl S3Server {
    /// `GET {endpoint}/{path}` straight to S3, past the photo store: what S3 itself keeps.
    /// moto does not check signatures, but refuses anonymous requests on a private bucket, so
    /// the request carries a well-formed (unchecked) one.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(format!("{}/{path}", self.endpoint))
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=smartcity-test/20260101/us-east-1/s3/aws4_request, \
                 SignedHeaders=host, Signature=0000",
            )
            .send()
            .await
            .expect("S3 answers")
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Port 0: the system picks a free port, and werkzeug announces it on stderr
/// (` * Running on http://127.0.0.1:PORT`). Nothing can take the port between choosing and binding.
fn launch() -> Result<S3Server, String> {
    let mut child = Command::new("python3")
        .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", "0"])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("python3 could not run ({e})"))?;
    let stderr = child.stderr.take().expect("stderr piped");
    let (announced, port) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stderr).lines().map_while(Result::ok);
        let mut said = String::new();
        let mut outcome = Err(());
        for line in lines.by_ref() {
            if let Some(port) = announced_port(&line) {
                outcome = Ok(port);
                break;
            }
            said.push_str(&line);
            said.push('\n');
        }
        let _ = announced.send(outcome.map_err(|()| said));
        // Every request is logged; read on so moto never blocks on a full pipe.
        lines.for_each(drop);
    });
    match port.recv_timeout(Duration::from_secs(30)) {
        Ok(Ok(port)) => Ok(S3Server { child, endpoint: format!("http://127.0.0.1:{port}") }),
        Ok(Err(said)) => {
            let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
            Err(format!("moto's S3 server did not start ({status}): {}", said.trim()))
        }
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            Err("moto's S3 server announced no port within 30 s".into())
        }
    }
}

fn announced_port(line: &str) -> Option<u16> {
    let (_, address) = line.split_once("Running on http://")?;
    let (_, port) = address.trim().trim_end_matches('/').rsplit_once(':')?;
    port.parse().ok().filter(|port| *port != 0)
}
