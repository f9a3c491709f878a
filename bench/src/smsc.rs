//! `bench-smsc`: the testkit's SMSC simulator (SMPP 3.4 over TCP on 127.0.0.1, delivery
//! receipts 50 ms after each submit) as a process of its own, for `bench/sms/run`.
//!
//! `bench-smsc [SYSTEM_ID] [PASSWORD]` (default `smartcity` and `secret`) prints `PORT <port>`,
//! then answers lines on standard input, one `REPORT` line each, until standard input ends:
//! - `wait N SECS`: once N messages have arrived, or SECS have passed;
//! - `report`: now.
//!
//! `REPORT received=R distinct=D first=T0 nth=TN last=TL seconds=S per_second=P receipts=A
//! binds=B`: R messages received, to D distinct numbers (each benchmark message
//! goes to its own number, so R − D were doubled); T0, TN and TL (Unix seconds) when the first,
//! the Nth and the last arrived; S = TN − T0 and P = (N − 1) / S, the rate between them; A
//! receipts the ESME answered; B binds.

use smartcity_testkit::smsc::FakeSmsc;
use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let system_id = args.first().map_or("smartcity", String::as_str);
    let password = args.get(1).map_or("secret", String::as_str);
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let smsc = runtime.block_on(FakeSmsc::start(system_id, password));
    // One clock reading of both kinds, to turn the simulator's Instants into Unix time.
    let (started, started_unix) = (Instant::now(), SystemTime::now());
    let unix = |at: Instant| {
        let since = started_unix.duration_since(UNIX_EPOCH).expect("after 1970");
        let offset = at.checked_duration_since(started).unwrap_or_default();
        (since + offset).as_secs_f64()
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "PORT {}", smsc.port()).and_then(|()| out.flush()).expect("stdout");

    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin");
        let words: Vec<&str> = line.split_whitespace().collect();
        let target = match words.as_slice() {
            ["wait", n, secs] => {
                let (Ok(n), Ok(secs)) = (n.parse::<usize>(), secs.parse::<f64>()) else {
                    eprintln!("bench-smsc: wait N SECS, not {line:?}");
                    continue;
                };
                let limit = Duration::from_secs_f64(secs);
                // The testkit's wait panics at its own limit: ours comes first.
                let waited = runtime.block_on(async {
                    let wait = smsc.wait_for_messages(n, limit + Duration::from_secs(60));
                    tokio::time::timeout(limit, wait).await
                });
                if waited.is_err() {
                    eprintln!("bench-smsc: not {n} messages within {secs} s");
                }
                n
            }
            ["report"] => 0,
            [] => continue,
            _ => {
                eprintln!("bench-smsc: unknown command {line:?}");
                continue;
            }
        };
        let messages = smsc.messages();
        let distinct: HashSet<&str> = messages.iter().map(|m| m.destination.as_str()).collect();
        // In order of arrival (connections of several workers may record out of order).
        let mut arrivals: Vec<f64> = messages.iter().map(|m| unix(m.received_at)).collect();
        arrivals.sort_by(f64::total_cmp);
        let nth = if target == 0 { arrivals.len() } else { target.min(arrivals.len()) };
        let at = |i: Option<usize>| i.and_then(|i| arrivals.get(i)).copied().unwrap_or(0.0);
        let (first, nth_at) = (at(Some(0)), at(nth.checked_sub(1)));
        let last = at(arrivals.len().checked_sub(1));
        let seconds = nth_at - first;
        let per_second = if seconds > 0.0 { (nth - 1) as f64 / seconds } else { 0.0 };
        writeln!(
            out,
            "REPORT received={} distinct={} first={first:.6} nth={nth_at:.6} last={last:.6} \
             seconds={seconds:.3} per_second={per_second:.1} receipts={} binds={}",
            messages.len(),
            distinct.len(),
            smsc.receipt_answers().len(),
            smsc.binds(),
        )
        .and_then(|()| out.flush())
        .expect("stdout");
    }
}
