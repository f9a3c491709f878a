//! `bench-photo`: the photo pipeline on its own, for `bench/photo/run`.
//! `bench-photo generate FILE` writes a 4000×3000 photo-like JPEG;
//! `bench-photo process FILE [RUNS] [OUT_DIR]` turns it into the display copy and thumbnail
//! RUNS times (1 by default), prints the timings, and writes the last copies into OUT_DIR.

use smartcity_api::adapters::photos::process;
use smartcity_testkit::photos::{jpeg, photo_like};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["generate", file] => std::fs::write(file, jpeg(&photo_like(4000, 3000), 92)).unwrap(),
        ["process", file, rest @ ..] => {
            let runs = rest.first().and_then(|r| r.parse().ok()).unwrap_or(1usize);
            run(file, runs, rest.get(1).copied());
        }
        _ => {
            eprintln!(
                "usage: bench-photo generate FILE | bench-photo process FILE [RUNS] [OUT_DIR]"
            );
            std::process::exit(2);
        }
    }
}

fn run(file: &str, runs: usize, out_dir: Option<&str>) {
    let bytes = std::fs::read(file).unwrap();
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        last = Some(process(&bytes).unwrap());
        times.push(started.elapsed());
    }
    times.sort();
    let out = last.unwrap();
    if let Some(dir) = out_dir {
        std::fs::write(format!("{dir}/display.jpg"), &out.display).unwrap();
        std::fs::write(format!("{dir}/thumb.jpg"), &out.thumbnail).unwrap();
    }
    println!(
        "PHOTO_BENCH runs={} min_ms={:.1} median_ms={:.1} display={}x{} {}B thumb={}x{} {}B",
        times.len(),
        times[0].as_secs_f64() * 1e3,
        times[times.len() / 2].as_secs_f64() * 1e3,
        out.display_width,
        out.display_height,
        out.display.len(),
        out.thumb_width,
        out.thumb_height,
        out.thumbnail.len()
    );
}
