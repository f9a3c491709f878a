//! `bench-photo`: the photo pipeline on its own, for `bench/photo/run`.
//! `bench-photo generate FILE` writes a 4000×3000 photo-like JPEG;
//! `bench-photo process FILE [RUNS] [OUT_DIR]` turns it into the display copy and thumbnail
//! RUNS times (1 by default), prints the timings, and writes the last copies into OUT_DIR;
//! `bench-photo chroma FILE…` prints each JPEG's chroma subsampling (4:2:0, 4:4:4, …) from its
//! frame header.

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
        ["chroma", files @ ..] if !files.is_empty() => {
            for file in files {
                println!("{file}\t{}", chroma(&std::fs::read(file).unwrap()));
            }
        }
        _ => {
            eprintln!(
                "usage: bench-photo generate FILE | bench-photo process FILE [RUNS] [OUT_DIR] \
                 | bench-photo chroma FILE…"
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

/// The chroma subsampling a JPEG's frame header (SOF0–SOF3) declares: `4:2:0`, `4:2:2`, `4:4:4`,
/// `grey`, or the raw sampling factors when it is none of those.
fn chroma(jpeg: &[u8]) -> String {
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        if (0xC0..=0xC3).contains(&marker) {
            let count = usize::from(jpeg[at + 9]);
            let factors: Vec<u8> = (0..count).map(|i| jpeg[at + 10 + 3 * i + 1]).collect();
            return match factors.as_slice() {
                [_] => "grey".into(),
                [0x22, 0x11, 0x11] => "4:2:0".into(),
                [0x21, 0x11, 0x11] => "4:2:2".into(),
                [0x11, 0x11, 0x11] => "4:4:4".into(),
                other => format!("{other:02x?}"),
            };
        }
        if marker == 0xDA {
            break;
        }
        at += 2 + len;
    }
    "no frame header".into()
}
