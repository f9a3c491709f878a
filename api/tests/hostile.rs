//! Hostile input against the real binary: pixel floods and decompression bombs, booby-trapped
//! and truncated images, malformed and oversized multipart forms, deep and huge JSON, enormous
//! query strings, headers and paths, and invalid UTF-8 wherever text goes. Each gets its own
//! clear 4xx quickly (problem+json naming the field; Open311's error list on Open311 routes),
//! nothing is written, the server's peak memory stays bounded, and it still serves afterwards.
//! Whole photos that merely carry junk (a ZIP or script appended, HTML in a comment, huge or
//! absurd EXIF) are kept, as phones' own photos carry trailers and odd EXIF: what is stored is
//! a re-encoded copy without any of it. Forty 70 MiB uploads sent at once, chunked, are each
//! answered (filed, or 503 `server_busy`) while the server's memory stays under its bound.
//!
//! Requests are written by hand on a plain TCP socket: most of these are not requests an HTTP
//! client library would agree to send.

#[allow(dead_code)] // each test binary uses part of it
mod support;

use diesel::prelude::*;
use serde_json::{json, Value};
use smartcity_db::DbConn;
use smartcity_testkit::photos::{contains, jpeg_claiming, photo_like, png_chunk};
use smartcity_testkit::test_db::TestDb;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::Server;

/// The binary under test: this build's, or another (the release build, to measure its memory)
/// named by `SMARTCITY_TEST_BIN`.
fn binary() -> String {
    std::env::var("SMARTCITY_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_smartcity").into())
}
/// The issue's bound: a refusal that takes longer than this is a refusal nobody waits for.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);
/// Peak resident memory of the server over the whole run. Measured at about 135 MiB (most of
/// it the 16 MiB photo and the 10 MiB of APP segments held while read, the multipart parser's
/// buffers, and the allocator keeping what they freed). Any bomb here that got decoded would add
/// hundreds of MiB at once (the 49-megapixel 16-bit PNG alone is 392 MB of pixels), so 300 MiB
/// leaves over twice the measured room without hiding one.
const PEAK_MEMORY_MIB: u64 = 300;
const ADMIN_PHONE: &str = "0905000001";
const ADMIN_PASSWORD: &str = "ca phe sua da luc bay gio";
const CITIZEN_PHONE: &str = "0912345678";
/// A point in Hải Châu, inside the seeded areas.
const LAT: &str = "16.045";
const LON: &str = "108.205";

// ---- the server -------------------------------------------------------------------------------

fn run(db: &TestDb, args: &[&str], stdin: &str) {
    let mut child = Command::new(binary())
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("smartcity runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn connect(db: &TestDb) -> DbConn {
    use smartcity_db::pool::{build_pool, PoolSettings};
    let pool = build_pool(
        &smartcity_db::Backend::from_url(db.url()),
        &PoolSettings { max_size: 1, checkout_timeout: Duration::from_secs(5) },
    );
    let mut conn = pool.get().expect("connect");
    // Hand back the bare connection; the pool would keep it open otherwise.
    std::mem::replace(
        &mut *conn,
        DbConn::Sqlite(diesel::Connection::establish(":memory:").unwrap()),
    )
}

/// What hostile input could have written: rows of people, complaints, their events and photos,
/// and files in the photo store.
#[derive(Debug, PartialEq)]
struct Written {
    users: i64,
    complaints: i64,
    events: i64,
    photos: i64,
    photo_files: usize,
}

fn written(db: &TestDb, photo_dir: &std::path::Path) -> Written {
    use smartcity_db::schema::{complaint_events, complaint_photos, complaints, users};
    let mut conn = connect(db);
    fn files(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| if e.path().is_dir() { files(&e.path()) } else { 1 })
                    .sum()
            })
            .unwrap_or(0)
    }
    Written {
        users: users::table.count().get_result(&mut conn).unwrap(),
        complaints: complaints::table.count().get_result(&mut conn).unwrap(),
        events: complaint_events::table.count().get_result(&mut conn).unwrap(),
        photos: complaint_photos::table.count().get_result(&mut conn).unwrap(),
        photo_files: files(photo_dir),
    }
}

// ---- a bare HTTP/1.1 client -----------------------------------------------------------------

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    elapsed: Duration,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn summary(&self) -> String {
        let body = String::from_utf8_lossy(&self.body);
        let body: String = body.chars().take(300).collect();
        format!(
            "{} {} in {:?}: {body}",
            self.status,
            self.header("content-type").unwrap_or("(no content type)"),
            self.elapsed
        )
    }
}

/// A request as bytes: `Connection: close` and `Content-Length` are added (unless the caller
/// sets its own framing), the path goes out exactly as given.
fn request(method: &str, path: &[u8], headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(path);
    out.extend_from_slice(b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    let framed = headers.iter().any(|(n, _)| {
        n.eq_ignore_ascii_case("content-length") || n.eq_ignore_ascii_case("transfer-encoding")
    });
    if !framed && (!body.is_empty() || method != "GET") {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// Sends `raw` (from another thread, so a server that answers before reading the whole body is
/// heard) and reads the answer, giving up after twice [`ANSWER_WITHIN`].
fn exchange(port: u16, raw: Vec<u8>) -> Result<Answer, String> {
    let started = Instant::now();
    let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(ANSWER_WITHIN * 2)).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sending = std::thread::spawn(move || {
        // The server may answer and close before taking the whole body: that is allowed.
        let _ = writer.write_all(&raw);
    });
    let answer = read_answer(stream, started);
    let _ = sending.join();
    answer
}

fn read_answer(mut stream: TcpStream, started: Instant) -> Result<Answer, String> {
    let mut received = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let head_end = loop {
        if let Some(at) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut buf) {
            Ok(0) => {
                return Err(format!(
                    "connection closed without an answer after {:?} ({} bytes)",
                    started.elapsed(),
                    received.len()
                ))
            }
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) => return Err(format!("no answer after {:?}: {e}", started.elapsed())),
        }
    };
    let head = String::from_utf8_lossy(&received[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = received[head_end..].to_vec();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    loop {
        let complete = match length {
            Some(length) => body.len() >= length,
            None if chunked => body.ends_with(b"0\r\n\r\n"),
            None => false,
        };
        if complete {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => body.extend_from_slice(&buf[..n]),
            Err(e) => return Err(format!("answer cut after {:?}: {e}", started.elapsed())),
        }
    }
    if chunked {
        body = dechunk(&body);
    }
    Ok(Answer { status, headers, body, elapsed: started.elapsed() })
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&raw[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 || raw.len() < line_end + 2 + size {
            break;
        }
        out.extend_from_slice(&raw[line_end + 2..line_end + 2 + size]);
        raw = &raw[(line_end + 4 + size).min(raw.len())..];
    }
    out
}

fn bearer(token: &str) -> (&'static str, String) {
    ("Authorization", format!("Bearer {token}"))
}

fn json_post(path: &str, token: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut headers = vec![("Content-Type", "application/json".to_string())];
    headers.extend(token.map(bearer));
    request("POST", path.as_bytes(), &headers, body)
}

// ---- multipart ------------------------------------------------------------------------------

const BOUNDARY: &str = "hostile-boundary-7d3f";

/// One part: its header lines as written, then its content.
struct Part {
    headers: Vec<String>,
    content: Vec<u8>,
}

fn text_part(name: &str, value: &str) -> Part {
    Part {
        headers: vec![format!("Content-Disposition: form-data; name=\"{name}\"")],
        content: value.as_bytes().to_vec(),
    }
}

fn photo_part(bytes: Vec<u8>, filename: &str, content_type: &str) -> Part {
    Part {
        headers: vec![
            format!("Content-Disposition: form-data; name=\"photos\"; filename=\"{filename}\""),
            format!("Content-Type: {content_type}"),
        ],
        content: bytes,
    }
}

/// A form that files a good complaint but for what is added to it.
fn filing(extra: Vec<Part>) -> Vec<Part> {
    let mut parts = vec![
        text_part("category", "trees"),
        text_part("description", "Cây đổ chắn ngang vỉa hè trước số 12 Trần Phú."),
        text_part("lat", LAT),
        text_part("lon", LON),
    ];
    parts.extend(extra);
    parts
}

fn multipart_body(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        for header in &part.headers {
            body.extend_from_slice(header.as_bytes());
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&part.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn multipart_post(path: &str, token: &str, body: &[u8]) -> Vec<u8> {
    request(
        "POST",
        path.as_bytes(),
        &[("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}")), bearer(token)],
        body,
    )
}

fn file_complaint(token: &str, parts: Vec<Part>) -> Vec<u8> {
    multipart_post("/v1/complaints", token, &multipart_body(&parts))
}

fn with_photo(token: &str, photo: Vec<u8>) -> Vec<u8> {
    file_complaint(token, filing(vec![photo_part(photo, "photo.jpg", "image/jpeg")]))
}

// ---- images, built byte by byte ---------------------------------------------------------------

/// A PNG of the given header with `chunks` (already framed) between IHDR and IEND.
fn png_with(width: u32, height: u32, bit_depth: u8, color_type: u8, chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[bit_depth, color_type, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(png_chunk(b"IHDR", &ihdr));
    for chunk in chunks {
        out.extend_from_slice(chunk);
    }
    out.extend(png_chunk(b"IEND", b""));
    out
}

/// zlib of `len` zero bytes in a few bytes per kilobyte: one literal zero, then matches of 258
/// at distance 1, in a fixed-Huffman block. The inflater has to produce every byte.
fn zlib_zeros(len: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u32,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u32, count: u32) {
            self.acc |= value << self.n;
            self.n += count;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// Huffman codes go most significant bit first.
        fn code(&mut self, code: u32, count: u32) {
            let reversed = code.reverse_bits() >> (32 - count);
            self.put(reversed, count);
        }
    }
    let mut bits = Bits { out: vec![0x78, 0x01], acc: 0, n: 0 };
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman
    bits.code(0x30, 8); // literal 0
    let mut left = len - 1;
    while left >= 258 {
        bits.code(0b1100_0101, 8); // length 258 (symbol 285)
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // end of block
    if bits.n > 0 {
        bits.out.push(bits.acc as u8);
    }
    // Adler-32 of zeros: a stays 1, b adds 1 per byte.
    let b = (len % 65_521) as u32;
    bits.out.extend_from_slice(&((b << 16) | 1).to_be_bytes());
    bits.out
}

fn idat_of_zeros(len: u64) -> Vec<u8> {
    png_chunk(b"IDAT", &zlib_zeros(len))
}

/// A small, ordinary photo-like JPEG.
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    smartcity_testkit::photos::jpeg(&photo_like(width, height), 85)
}

/// A small, ordinary photo-like PNG.
fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = photo_like(width, height);
    smartcity_testkit::photos::png(picture.as_raw(), width, height, image::ExtendedColorType::Rgb8)
}

/// `jpeg` with `segments` (marker, payload) inserted right after its start marker.
fn jpeg_with_segments(jpeg: &[u8], segments: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    for (marker, payload) in segments {
        out.extend_from_slice(&[0xFF, *marker]);
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(payload);
    }
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A WebP whose extended header claims a `width × height` canvas (each at most 2^24).
fn webp_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut vp8x = vec![0u8; 4];
    vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut chunks = b"VP8X".to_vec();
    chunks.extend_from_slice(&(vp8x.len() as u32).to_le_bytes());
    chunks.extend_from_slice(&vp8x);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&((chunks.len() + 4) as u32).to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend_from_slice(&chunks);
    out
}

/// A lossless WebP whose header claims `width × height` (each at most 16383), with a few
/// bytes of image data.
fn webp_lossless_claiming(width: u32, height: u32) -> Vec<u8> {
    let header = (width - 1) | (height - 1) << 14;
    let mut vp8l = vec![0x2F];
    vp8l.extend_from_slice(&header.to_le_bytes());
    vp8l.extend_from_slice(&[0; 11]);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&((vp8l.len() + 12) as u32).to_le_bytes());
    out.extend_from_slice(b"WEBPVP8L");
    out.extend_from_slice(&(vp8l.len() as u32).to_le_bytes());
    out.extend_from_slice(&vp8l);
    out
}

/// A GIF of `frames` one-pixel frames on a `width × height` screen.
fn gif(width: u16, height: u16, frames: usize) -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    out.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF]);
    out.extend_from_slice(b"!\xFF\x0BNETSCAPE2.0\x03\x01\x00\x00\x00");
    for _ in 0..frames {
        out.extend_from_slice(b"!\xF9\x04\x00\x00\x00\x00\x00");
        out.extend_from_slice(b",\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0");
    }
    out.push(b';');
    out
}

/// An EXIF (TIFF) block whose first IFD claims `count` entries, each pointing `offset` away.
fn absurd_exif(count: u16, offset: u32) -> Vec<u8> {
    let mut out = b"Exif\0\0II*\0\x08\0\0\0".to_vec();
    out.extend_from_slice(&count.to_le_bytes());
    for tag in [0x8825u16, 0x8769, 0x010F, 0x0110] {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&4u16.to_le_bytes()); // LONG
        out.extend_from_slice(&u32::MAX.to_le_bytes()); // count
        out.extend_from_slice(&offset.to_le_bytes());
    }
    out.extend_from_slice(&offset.to_le_bytes()); // next IFD
    out
}

// ---- expectations -----------------------------------------------------------------------------

enum Expect {
    /// problem+json with this status and code, naming this field (or none).
    Problem(u16, &'static str, Option<&'static str>),
    /// Open311's error list with this status, its description mentioning this.
    GeoReport(u16, &'static str),
    /// A refused photo: problem+json with this status and code, naming `photos[0]`, its detail
    /// ending with this photo code.
    Photo(u16, &'static str, &'static str),
    /// The status alone, no body: what actix's HTTP/1 parser answers by itself, before any of
    /// the app runs, to a request head over 128 KiB or 96 headers (431) or one it cannot parse
    /// (400). The client still hears why; nothing of ours could add a body there.
    Bare(u16),
}

struct Case {
    label: String,
    raw: Vec<u8>,
    expect: Expect,
}

fn case(label: impl Into<String>, raw: Vec<u8>, expect: Expect) -> Case {
    Case { label: label.into(), raw, expect }
}

/// What is wrong with `answer` against `expect`, if anything.
fn check(answer: &Answer, expect: &Expect) -> Option<String> {
    if answer.elapsed > ANSWER_WITHIN {
        return Some(format!("too slow: {}", answer.summary()));
    }
    let content_type = answer.header("content-type").unwrap_or("");
    let body = answer.json();
    let fine = match *expect {
        Expect::Photo(status, code, photo_code) => {
            check(answer, &Expect::Problem(status, code, Some("photos[0]"))).is_none()
                && body["detail"].as_str().is_some_and(|d| d.ends_with(&format!("({photo_code})")))
        }
        Expect::Problem(status, code, field) => {
            answer.status == status
                && content_type.starts_with("application/problem+json")
                && body["status"] == status
                && body["code"] == code
                && body["field"].as_str() == field
                && body["detail"].as_str().is_some_and(|d| !d.is_empty())
        }
        Expect::GeoReport(status, mentions) => {
            answer.status == status
                && content_type.starts_with("application/json")
                && body[0]["code"] == status
                && body[0]["description"].as_str().is_some_and(|d| d.contains(mentions))
        }
        Expect::Bare(status) => answer.status == status && answer.body.is_empty(),
    };
    (!fine).then(|| answer.summary())
}

// ---- the cases --------------------------------------------------------------------------------

fn image_cases(token: &str) -> Vec<Case> {
    let photo = Expect::Photo;
    let too_many_pixels = || photo(422, "invalid_field", "photo_too_many_pixels");
    let corrupt = || photo(422, "invalid_field", "photo_corrupt");
    let unsupported = || photo(415, "unsupported_media_type", "photo_unsupported_type");
    let whole = jpeg(640, 480);
    let png_photo = png(64, 48);
    let apng_frames = {
        let mut actl = 0x7FFF_FFFFu32.to_be_bytes().to_vec();
        actl.extend_from_slice(&0u32.to_be_bytes());
        png_chunk(b"acTL", &actl)
    };
    let mut apng = png_photo[..33].to_vec(); // signature and IHDR
    apng.extend(apng_frames);
    apng.extend_from_slice(&png_photo[33..]);
    let mut animated_webp = webp_claiming(64, 48);
    animated_webp[20] = 0x02; // VP8X flags: animation
    animated_webp.extend_from_slice(b"ANIM\x06\0\0\0\0\0\0\0\0\0");
    for _ in 0..10_000 {
        animated_webp.extend_from_slice(b"ANMF\x10\0\0\0\0\0\0\0\0\0\x3F\0\0\x2F\0\0\x01\0\0\0");
    }
    let riff_len = (animated_webp.len() - 8) as u32;
    animated_webp[4..8].copy_from_slice(&riff_len.to_le_bytes());
    let mut html_jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    html_jpeg
        .extend_from_slice(b"<html><body><script>alert(document.cookie)</script></body></html>");
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec();
    let mut zip_then_jpeg = b"PK\x03\x04\x14\0\0\0\x08\0".to_vec();
    zip_then_jpeg.extend_from_slice(&whole);

    vec![
        case(
            "PNG header claiming 100000×100000",
            with_photo(token, png_with(100_000, 100_000, 8, 6, &[idat_of_zeros(1024)])),
            too_many_pixels(),
        ),
        case(
            "JPEG frame header claiming 65500×65500",
            with_photo(token, jpeg_claiming(&jpeg(16, 16), 65_500, 65_500)),
            too_many_pixels(),
        ),
        case(
            "lossless WebP claiming 16383×16383",
            with_photo(token, webp_lossless_claiming(16_383, 16_383)),
            too_many_pixels(),
        ),
        case(
            "GIF screen claiming 65535×65535",
            with_photo(token, gif(65_535, 65_535, 1)),
            unsupported(),
        ),
        case(
            // 6.5 MB that inflate to 1 GiB: refused from the header (268 megapixels).
            "PNG bomb: 16384×16384 RGBA, 1 GiB of zeros deflated",
            with_photo(token, png_with(16_384, 16_384, 8, 6, &[idat_of_zeros(1 << 30)])),
            too_many_pixels(),
        ),
        case(
            // Under the pixel count, over the decoding budget: 49 megapixels × 8 bytes.
            "PNG bomb: 7000×7000 16-bit RGBA, 392 MB of zeros deflated",
            with_photo(token, png_with(7_000, 7_000, 16, 6, &[idat_of_zeros(7_000 * 56_001)])),
            too_many_pixels(),
        ),
        case("animated GIF of 100000 frames", with_photo(token, gif(1, 1, 100_000)), unsupported()),
        case("APNG claiming 2147483647 frames", with_photo(token, apng), unsupported()),
        case("animated WebP of 10000 frames", with_photo(token, animated_webp), unsupported()),
        case("JPEG cut in half", with_photo(token, whole[..whole.len() / 2].to_vec()), corrupt()),
        case(
            "PNG cut before its end",
            with_photo(token, png_photo[..png_photo.len() - 20].to_vec()),
            corrupt(),
        ),
        case("JPEG magic followed by HTML", with_photo(token, html_jpeg), corrupt()),
        case(
            "SVG sent as photo.jpg, image/jpeg",
            file_complaint(token, filing(vec![photo_part(svg, "photo.jpg", "image/jpeg")])),
            unsupported(),
        ),
        case("HTML sent as photo.jpg", with_photo(token, html), unsupported()),
        case("ZIP with a JPEG inside", with_photo(token, zip_then_jpeg), unsupported()),
        case(
            "empty photo",
            with_photo(token, Vec::new()),
            photo(422, "invalid_field", "photo_empty"),
        ),
    ]
}

/// Photos that are whole and ordinary under their junk: kept, re-encoded without it.
fn valid_photos_carrying_junk() -> Vec<(&'static str, Vec<u8>, &'static [u8])> {
    let photo = jpeg(320, 240);
    let mut jpeg_then_zip = photo.clone();
    jpeg_then_zip.extend_from_slice(b"PK\x03\x04\x14\0\0\0\x08\0hostile.html");
    jpeg_then_zip.extend_from_slice(&[0xAB; 4096]);
    jpeg_then_zip.extend_from_slice(b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
    let mut png_then_script = png(64, 48);
    png_then_script.extend_from_slice(b"<script>alert(document.cookie)</script>");
    let html_comment = (0xFE, b"<html><script>alert(document.cookie)</script>".to_vec());
    let mut max_app1 = b"Exif\0\0MM\0*\0\0\0\x08".to_vec();
    max_app1.resize(65_533, 0xEE);
    let many_segments: Vec<(u8, Vec<u8>)> =
        (0..150).map(|i| (0xE2 + (i % 12) as u8, vec![0x5A; 65_533])).collect();
    vec![
        ("JPEG with a ZIP appended", jpeg_then_zip, b"PK\x03\x04"),
        ("PNG with a script after its end", png_then_script, b"<script>"),
        ("JPEG whose comment is HTML", jpeg_with_segments(&photo, &[html_comment]), b"<script>"),
        (
            "JPEG with a 64 KiB APP1 of junk",
            jpeg_with_segments(&photo, &[(0xE1, max_app1)]),
            b"\xEE\xEE\xEE\xEE",
        ),
        (
            "JPEG with 150 APP segments of 64 KiB",
            jpeg_with_segments(&photo, &many_segments),
            b"ZZZZ",
        ),
        (
            "JPEG whose EXIF claims 65535 entries at absurd offsets",
            jpeg_with_segments(&photo, &[(0xE1, absurd_exif(65_535, 0xFFFF_FFF0))]),
            b"Exif",
        ),
    ]
}

fn multipart_cases(token: &str) -> Vec<Case> {
    let long_description = "đ".repeat(9_000); // 18 KB of UTF-8
    let mut big_photo = jpeg(64, 64);
    big_photo.resize(15 * 1024 * 1024 + 1, 0);
    let no_disposition =
        Part { headers: vec!["Content-Type: text/plain".into()], content: b"hello".to_vec() };
    let repeated_name = Part {
        headers: vec![format!(
            "Content-Disposition: form-data{}",
            "; name=\"description\"".repeat(1_000)
        )],
        content: b"hello".to_vec(),
    };
    let thousand_descriptions: Vec<Part> =
        (0..1_000).map(|_| text_part("description", "Cây đổ")).collect();
    let many_attributes: Vec<Part> =
        (0..10_000).map(|i| text_part(&format!("attribute[a{i}]"), "x")).collect();
    let mut invalid_utf8 = text_part("description", "");
    invalid_utf8.content = b"C\xE2y \xFF\xFE \xC0\xAF".to_vec();
    let whole = multipart_body(&filing(vec![]));
    let opened = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nCây đổ mà không bao giờ hết"
    );
    let malformed = || Expect::Problem(400, "malformed_form", Some("body"));
    let complaint = "/v1/complaints";
    vec![
        case(
            "text part over its limit",
            file_complaint(token, vec![text_part("description", &long_description)]),
            Expect::Problem(413, "body_too_large", Some("description")),
        ),
        case(
            "photo over the size limit",
            with_photo(token, big_photo),
            Expect::Problem(413, "body_too_large", Some("photos[0]")),
        ),
        case(
            "part without Content-Disposition",
            file_complaint(token, vec![no_disposition]),
            malformed(),
        ),
        case(
            "Content-Disposition naming the part 1000 times",
            file_complaint(token, vec![repeated_name]),
            malformed(),
        ),
        case(
            "one name in 1000 parts",
            file_complaint(token, thousand_descriptions),
            Expect::Problem(422, "invalid_field", Some("description")),
        ),
        case(
            "10000 parts",
            file_complaint(token, many_attributes),
            Expect::Problem(422, "invalid_field", Some("body")),
        ),
        case(
            "a form declaring 80 MiB",
            request(
                "POST",
                complaint.as_bytes(),
                &[
                    ("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}")),
                    ("Content-Length", (80 << 20).to_string()),
                    bearer(token),
                ],
                &whole,
            ),
            Expect::Problem(413, "body_too_large", Some("body")),
        ),
        case(
            "a boundary that never closes",
            multipart_post(complaint, token, opened.as_bytes()),
            malformed(),
        ),
        case(
            "a body without its boundary",
            multipart_post(complaint, token, &vec![b'x'; 100_000]),
            malformed(),
        ),
        case(
            "a body that ends mid-part",
            multipart_post(complaint, token, &whole[..whole.len() / 2]),
            malformed(),
        ),
        case(
            // Found by the `complaint_form` fuzz target: actix-multipart 0.7 waited forever here.
            "a body that ends inside its closing boundary",
            multipart_post(
                complaint,
                token,
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"category\"\r\n\r\nroad_damage\r\n--{}",
                    &BOUNDARY[..BOUNDARY.len() - 3]
                )
                .as_bytes(),
            ),
            malformed(),
        ),
        case(
            "a body that ends in a part's headers",
            multipart_post(
                complaint,
                token,
                format!("--{BOUNDARY}\r\nContent-Disposition: form-da").as_bytes(),
            ),
            malformed(),
        ),
        case(
            "multipart without a boundary",
            request(
                "POST",
                complaint.as_bytes(),
                &[("Content-Type", "multipart/form-data".into()), bearer(token)],
                &whole,
            ),
            malformed(),
        ),
        case(
            "invalid UTF-8 in a text part",
            file_complaint(token, vec![invalid_utf8]),
            Expect::Problem(422, "invalid_field", Some("description")),
        ),
    ]
}

fn json_cases(citizen: &str, admin: &str) -> Vec<Case> {
    let deep_arrays = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let deep_objects = |depth: usize| format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    let huge = |field: &str| format!("{{\"{field}\":\"{}\"}}", "a".repeat(1 << 20));
    let events = "/v1/complaints/no-such-complaint/events";
    let register = "/v1/auth/register";
    let agencies = "/v1/admin/agencies";
    let malformed = || Expect::Problem(400, "malformed_json", Some("body"));
    let too_large = || Expect::Problem(413, "body_too_large", Some("body"));
    let chunked = {
        let mut body = Vec::new();
        for _ in 0..64 {
            body.extend_from_slice(format!("{:x}\r\n", 16 * 1024).as_bytes());
            body.extend_from_slice(&[b' '; 16 * 1024]);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"0\r\n\r\n");
        request(
            "POST",
            register.as_bytes(),
            &[("Content-Type", "application/json".into()), ("Transfer-Encoding", "chunked".into())],
            &body,
        )
    };
    let good_registration = |phone: &str| json!({"phone": phone, "display_name": "Trần Thị Bình", "password": ADMIN_PASSWORD});
    let mut invalid_utf8 = br#"{"phone":"0987654321","display_name":"Tr"#.to_vec();
    invalid_utf8.extend_from_slice(b"\xFF\xFE\xC3\x28");
    invalid_utf8.extend_from_slice(format!(r#"","password":"{ADMIN_PASSWORD}"}}"#).as_bytes());
    vec![
        case("register: 30000 nested arrays", json_post(register, None, deep_arrays(30_000).as_bytes()), malformed()),
        case("register: 100000 nested arrays", json_post(register, None, deep_arrays(100_000).as_bytes()), too_large()),
        case("register: 10000 nested objects", json_post(register, None, deep_objects(10_000).as_bytes()), malformed()),
        case("register: 1 MiB body", json_post(register, None, huge("display_name").as_bytes()), too_large()),
        case("register: 1 MiB chunked, no length", chunked, too_large()),
        case(
            "register: a key twice",
            json_post(
                register,
                None,
                format!(
                    r#"{{"phone":"0987654321","phone":"0987654322","display_name":"Bình","password":"{ADMIN_PASSWORD}"}}"#
                )
                .as_bytes(),
            ),
            Expect::Problem(422, "invalid_field", Some("phone")),
        ),
        case(
            "admin: a key twice",
            json_post(
                agencies,
                Some(admin),
                br#"{"code":"x","name":"y","name":"z"}"#,
            ),
            Expect::Problem(422, "invalid_field", Some("name")),
        ),
        case(
            "register: 1e999",
            json_post(register, None, br#"{"phone":1e999,"display_name":"x","password":"y"}"#),
            malformed(),
        ),
        case("register: invalid UTF-8", json_post(register, None, &invalid_utf8), malformed()),
        case(
            "register: a lone surrogate",
            json_post(
                register,
                None,
                format!(r#"{{"phone":"0987654321","display_name":"\ud800","password":"{ADMIN_PASSWORD}"}}"#)
                    .as_bytes(),
            ),
            malformed(),
        ),
        case(
            "register: JSON sent as text/plain",
            request(
                "POST",
                register.as_bytes(),
                &[("Content-Type", "text/plain".into())],
                good_registration("0987654323").to_string().as_bytes(),
            ),
            Expect::Problem(415, "unsupported_media_type", Some("Content-Type")),
        ),
        case("event: 30000 nested arrays", json_post(events, Some(citizen), deep_arrays(30_000).as_bytes()), malformed()),
        case("event: 1 MiB body", json_post(events, Some(citizen), huge("comment").as_bytes()), too_large()),
        case(
            "event: stars 1e999",
            json_post(events, Some(citizen), br#"{"type":"rated","stars":1e999}"#),
            malformed(),
        ),
        case("admin: 30000 nested arrays", json_post(agencies, Some(admin), deep_arrays(30_000).as_bytes()), malformed()),
        case("admin: 1 MiB body", json_post(agencies, Some(admin), huge("name").as_bytes()), too_large()),
    ]
}

fn query_header_path_cases() -> Vec<Case> {
    let get = |path: &[u8]| request("GET", path, &[], b"");
    let short_q = format!("/v1/procedures?q={}", "thu%20tuc%20".repeat(850)); // 10 KB
    let long_q = format!("/v1/procedures?q={}", "thu%20tuc%20".repeat(8_500)); // 100 KB
    let repeated =
        |path: &str, pair: &str, times: usize| format!("{path}?{}", vec![pair; times].join("&"));
    let header_of =
        |bytes: usize| request("GET", b"/v1/procedures", &[("X-Padding", "a".repeat(bytes))], b"");
    let many_headers: Vec<(&str, String)> = (0..200).map(|_| ("X-Many", "1".to_string())).collect();
    let form = |body: &[u8]| {
        request(
            "POST",
            b"/open311/v2/requests.json",
            &[("Content-Type", "application/x-www-form-urlencoded".into())],
            body,
        )
    };
    let mut invalid_form =
        b"api_key=k&service_code=trees&lat=16.045&long=108.205&description=".to_vec();
    invalid_form.extend_from_slice(b"%FF%FE%C0%AF");
    let query = |field| Expect::Problem(400, "invalid_query", Some(field));
    let too_long = |field| Expect::Problem(414, "uri_too_long", Some(field));
    vec![
        case(
            "an Open311 form over 256 KiB",
            form(&vec![b'a'; 300 * 1024]),
            Expect::Problem(413, "body_too_large", Some("body")),
        ),
        case("10 KB of q= on procedure search", get(short_q.as_bytes()), too_long("query")),
        // Over 64 KiB the `http` crate refuses the URI itself: actix answers before the app.
        case("100 KB of q= on procedure search", get(long_q.as_bytes()), Expect::Bare(400)),
        case(
            "10000 repeated parameters on /v1/complaints",
            get(repeated("/v1/complaints", "lat=1", 10_000).as_bytes()),
            too_long("query"),
        ),
        case(
            "500 repeated parameters on /v1/complaints",
            get(repeated("/v1/complaints", "category=a", 500).as_bytes()),
            query("category"),
        ),
        case(
            "10000 repeated parameters on Open311 requests",
            get(repeated("/open311/v2/requests.json", "lat=1", 10_000).as_bytes()),
            Expect::GeoReport(400, "query"),
        ),
        case(
            "200 repeated ids on Open311 requests",
            get(repeated("/open311/v2/requests.json", "service_request_id=x", 200).as_bytes()),
            Expect::GeoReport(400, "service_request_id"),
        ),
        case("invalid UTF-8 in q", get(b"/v1/procedures?q=%FF%FE"), query("q")),
        case("invalid UTF-8 in a parameter name", get(b"/v1/procedures?%FF%FE=1"), query("query")),
        case(
            "invalid UTF-8 in an Open311 parameter",
            get(b"/open311/v2/requests.json?service_code=%FF%FE"),
            Expect::GeoReport(400, "service_code"),
        ),
        case(
            "invalid UTF-8 in an Open311 form field",
            form(&invalid_form),
            Expect::GeoReport(400, "description"),
        ),
        case(
            "invalid UTF-8 in the path",
            get(b"/v1/procedures/%FF%FE"),
            Expect::Problem(400, "invalid_path", Some("path")),
        ),
        case("raw bytes over 0x7F in the path", get(b"/v1/procedures/\xFF\xFE"), Expect::Bare(400)),
        case(
            "a 20 KB path",
            get(format!("/v1/procedures/{}", "A".repeat(20_000)).as_bytes()),
            too_long("path"),
        ),
        case(
            "a 200 KB path",
            get(format!("/v1/procedures/{}", "A".repeat(200_000)).as_bytes()),
            Expect::Bare(431),
        ),
        case("a 20 KB header", header_of(20_000), Expect::Problem(431, "headers_too_large", None)),
        case("a 200 KB header", header_of(200_000), Expect::Bare(431)),
        case(
            "200 headers",
            request("GET", b"/v1/procedures", &many_headers, b""),
            Expect::Bare(431),
        ),
    ]
}

// ---- the test ---------------------------------------------------------------------------------

fn must(port: u16, raw: Vec<u8>, status: u16, what: &str) -> Value {
    let answer = exchange(port, raw).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(answer.status, status, "{what}: {}", answer.summary());
    answer.json()
}

/// A seeded database with an administrator, the server on it, and a citizen registered.
struct Started {
    db: TestDb,
    photo_dir: tempfile::TempDir,
    server: Server,
}

impl Started {
    fn new() -> Started {
        let db = TestDb::create();
        run(&db, &["migrate"], "");
        run(&db, &["seed", "--without-demo-city"], "");
        run(&db, &["create-admin", "--phone", ADMIN_PHONE], &format!("{ADMIN_PASSWORD}\n"));
        let photo_dir = tempfile::tempdir().unwrap();
        let server =
            Server::start(db.url(), photo_dir.path(), &[("SMARTCITY_SEED_ON_EMPTY", "false")]);
        let registration = json!({"phone": CITIZEN_PHONE, "display_name": "Nguyễn Văn An", "password": ADMIN_PASSWORD});
        let body = registration.to_string();
        must(server.port, json_post("/v1/auth/register", None, body.as_bytes()), 201, "register");
        Started { db, photo_dir, server }
    }

    fn login(&self, phone: &str) -> String {
        let body = json!({"phone": phone, "password": ADMIN_PASSWORD}).to_string();
        let login = json_post("/v1/auth/login", None, body.as_bytes());
        let pair = must(self.server.port, login, 200, "login");
        pair["access_token"].as_str().unwrap().to_string()
    }
}

#[test]
fn hostile_input_is_refused_quickly_with_bounded_memory_and_nothing_written() {
    let started = Started::new();
    let (db, photo_dir, server) = (&started.db, &started.photo_dir, &started.server);
    let port = server.port;

    let citizen = started.login(CITIZEN_PHONE);
    let admin = started.login(ADMIN_PHONE);

    let before = written(db, photo_dir.path());
    let mut cases = image_cases(&citizen);
    cases.extend(multipart_cases(&citizen));
    cases.extend(json_cases(&citizen, &admin));
    cases.extend(query_header_path_cases());
    let mut failures = Vec::new();
    for Case { label, raw, expect } in cases {
        match exchange(port, raw) {
            Ok(answer) => {
                if let Some(wrong) = check(&answer, &expect) {
                    failures.push(format!("{label}: {wrong}"));
                }
            }
            Err(error) => failures.push(format!("{label}: {error}")),
        }
    }
    assert_eq!(written(db, photo_dir.path()), before, "a refused request wrote something");

    // Whole photos under their junk are kept, and what is stored carries none of it.
    for (label, upload, junk) in valid_photos_carrying_junk() {
        let answer = match exchange(port, with_photo(&citizen, upload)) {
            Ok(answer) => answer,
            Err(error) => {
                failures.push(format!("{label}: {error}"));
                continue;
            }
        };
        if answer.status != 201 || answer.elapsed > ANSWER_WITHIN {
            failures.push(format!("{label}: {}", answer.summary()));
            continue;
        }
        let complaint = answer.json();
        let url = complaint["photos"][0]["display_url"].as_str().unwrap_or("/missing").to_string();
        let stored = exchange(port, request("GET", url.as_bytes(), &[], b"")).unwrap();
        if stored.status != 200
            || !stored.body.starts_with(&[0xFF, 0xD8])
            || contains(&stored.body, junk)
        {
            failures.push(format!("{label}: stored copy {} at {url}", stored.summary()));
        }
    }

    // Still serving.
    let procedures =
        must(port, request("GET", b"/v1/procedures?q=khai%20sinh", &[], b""), 200, "search");
    assert!(procedures["total"].as_u64().unwrap() > 0, "{procedures}");

    let peak_mib = server.peak_memory_kib() / 1024;
    println!("peak resident memory of the server: {peak_mib} MiB");
    assert!(
        failures.is_empty(),
        "{} refusals were not right:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(peak_mib < PEAK_MEMORY_MIB, "the server peaked at {peak_mib} MiB");
}

// ---- many large uploads at once ---------------------------------------------------------------

/// Uploads sent at once, each five photos of this size (70 MiB a form, 2.8 GiB in all): what
/// many slow clients hold open. A server that kept every body it is reading would hold it all.
const UPLOADS: usize = 40;
const UPLOAD_PHOTO_BYTES: usize = 14 << 20;
/// The issue's bound on the server's peak resident memory while they arrive.
const UPLOADS_PEAK_MEMORY_MIB: u64 = 400;
/// When the test stops waiting for an upload's answer and calls it lost. Not a bound on the
/// server (which answers within seconds): it only keeps a server that never answers from
/// hanging the test.
const UPLOAD_GIVE_UP: Duration = Duration::from_secs(300);

/// Sends `head`, then `body` in chunks of the chunked encoding (so the server cannot know its
/// length), from another thread, and reads the answer. Once the answer is in, the connection is
/// closed, so the rest of a refused body is not sent.
fn exchange_chunked(port: u16, head: Vec<u8>, body: Arc<Vec<u8>>) -> Result<Answer, String> {
    let started = Instant::now();
    let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(UPLOAD_GIVE_UP)).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sending = std::thread::spawn(move || -> std::io::Result<()> {
        writer.write_all(&head)?;
        for chunk in body.chunks(64 * 1024) {
            writer.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
            writer.write_all(chunk)?;
            writer.write_all(b"\r\n")?;
        }
        writer.write_all(b"0\r\n\r\n")
    });
    let answer = read_answer(stream.try_clone().unwrap(), started);
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = sending.join();
    answer
}

/// How many `answers` had the `served` status and how many were 503 `server_busy` with
/// `Retry-After`; and each other answer (or none), described.
fn served_or_busy(
    answers: &[Result<Answer, String>],
    served: u16,
    what: &str,
) -> (usize, usize, Vec<String>) {
    let (mut done, mut busy, mut wrong) = (0, 0, Vec::new());
    for (i, answer) in answers.iter().enumerate() {
        match answer {
            Ok(answer) if answer.status == served => done += 1,
            Ok(answer)
                if answer.status == 503
                    && answer.json()["code"] == "server_busy"
                    && answer.header("retry-after").is_some() =>
            {
                busy += 1
            }
            Ok(answer) => wrong.push(format!("{what} {i}: {}", answer.summary())),
            Err(error) => wrong.push(format!("{what} {i}: {error}")),
        }
    }
    (done, busy, wrong)
}

#[test]
fn many_large_uploads_at_once_are_each_answered_within_bounded_memory() {
    let started = Started::new();
    let token = started.login(CITIZEN_PHONE);
    let port = started.server.port;
    let mut photo = jpeg(64, 64);
    photo.resize(UPLOAD_PHOTO_BYTES, 0);
    let photos = (0..5).map(|_| photo_part(photo.clone(), "photo.jpg", "image/jpeg")).collect();
    let body = Arc::new(multipart_body(&filing(photos)));
    let head = request(
        "POST",
        b"/v1/complaints",
        &[
            ("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}")),
            ("Transfer-Encoding", "chunked".to_string()),
            bearer(&token),
        ],
        b"",
    );
    let uploads: Vec<_> = (0..UPLOADS)
        .map(|_| {
            let (head, body) = (head.clone(), body.clone());
            std::thread::spawn(move || exchange_chunked(port, head, body))
        })
        .collect();
    let answers: Vec<_> = uploads.into_iter().map(|upload| upload.join().unwrap()).collect();

    let (filed, busy, wrong) = served_or_busy(&answers, 201, "upload");
    let peak_mib = started.server.peak_memory_kib() / 1024;
    println!("{UPLOADS} uploads of 70 MiB: {filed} filed, {busy} busy; peak {peak_mib} MiB");
    assert!(
        wrong.is_empty(),
        "{} uploads not answered as they should:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    must(port, request("GET", b"/v1/procedures", &[], b""), 200, "still serving");
    assert!(
        peak_mib < UPLOADS_PEAK_MEMORY_MIB,
        "the server peaked at {peak_mib} MiB reading {UPLOADS} uploads"
    );
}

/// The issue's bound on the server's peak resident memory while 60 logins arrive at once (each
/// password check takes a 19 MiB block: 60 at once took 1.5 GiB before they were bounded).
const LOGINS_PEAK_MEMORY_MIB: u64 = 300;

/// A connection to the server from loopback address number `i` (127.0.x.y), so that each
/// client counts as another address.
fn connect_from(port: u16, i: usize) -> TcpStream {
    use socket2::{Domain, Socket, Type};
    let from = std::net::Ipv4Addr::new(127, 0, 2 + (i / 250) as u8, 1 + (i % 250) as u8);
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket.bind(&std::net::SocketAddr::from((from, 0)).into()).unwrap();
    socket.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into()).unwrap();
    socket.into()
}

#[test]
fn many_logins_at_once_are_each_answered_within_bounded_memory() {
    const LOGINS: usize = 60;
    let started = Started::new();
    let port = started.server.port;
    let idle_mib = started.server.resident_memory_kib() / 1024;
    let logins: Vec<_> = (0..LOGINS)
        .map(|i| {
            // Numbers without an account are checked like the others (against a dummy hash).
            let body = json!({"phone": format!("09870002{i:02}"), "password": "a guess"});
            let raw = json_post("/v1/auth/login", None, body.to_string().as_bytes());
            std::thread::spawn(move || {
                let started = Instant::now();
                let mut stream = connect_from(port, i);
                stream.set_read_timeout(Some(ANSWER_WITHIN * 2)).unwrap();
                stream.write_all(&raw).map_err(|e| e.to_string())?;
                read_answer(stream, started)
            })
        })
        .collect();
    let answers: Vec<_> = logins.into_iter().map(|login| login.join().unwrap()).collect();

    let (checked, busy, wrong) = served_or_busy(&answers, 401, "login");
    let peak_mib = started.server.peak_memory_kib() / 1024;
    std::thread::sleep(Duration::from_secs(1));
    let after_mib = started.server.resident_memory_kib() / 1024;
    println!(
        "{LOGINS} logins at once: {checked} checked, {busy} busy; memory {idle_mib} MiB idle, \
         peak {peak_mib} MiB, {after_mib} MiB a second later"
    );
    assert!(wrong.is_empty(), "logins not answered as they should:\n{}", wrong.join("\n"));
    assert!(
        peak_mib < LOGINS_PEAK_MEMORY_MIB,
        "the server peaked at {peak_mib} MiB checking {LOGINS} passwords"
    );
    // Password checks' blocks go back to the system once done.
    assert!(
        after_mib < idle_mib + 50,
        "the server holds {after_mib} MiB after the logins, {idle_mib} MiB before"
    );
}

/// Anyone can lock a number by guessing at it; the owner cannot be spared that, but the
/// operator sees each lock: counted in `/metrics` (on the operator's listener) and logged with
/// the number masked and every address whose failures caused it. Before, a lock left no trace.
#[test]
fn a_lock_is_counted_and_logged_with_the_addresses_that_caused_it() {
    const SUBJECT_LOCK_AFTER: usize = 10; // the production login policy
    let started = Started::new();
    let port = started.server.port;
    let guess = json!({"phone": CITIZEN_PHONE, "password": "not the password"}).to_string();
    for i in 0..SUBJECT_LOCK_AFTER {
        let mut stream = connect_from(port, i);
        stream.write_all(&json_post("/v1/auth/login", None, guess.as_bytes())).unwrap();
        let answer = read_answer(stream, Instant::now()).unwrap();
        assert_eq!(answer.status, 401, "guess {i}: {}", answer.summary());
    }
    let locked = exchange(port, json_post("/v1/auth/login", None, guess.as_bytes())).unwrap();
    assert_eq!(locked.status, 429, "{}", locked.summary());

    let metrics = exchange(started.server.metrics_port, request("GET", b"/metrics", &[], b""));
    let metrics = String::from_utf8(metrics.unwrap().body).unwrap();
    assert!(
        metrics.contains(r#"smartcity_throttle_locks_total{key="subject",purpose="login"} 1"#),
        "{metrics}"
    );
    let logged = started.server.wait_for_logged("too many failures: the subject is locked");
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0]["purpose"], "login");
    assert_eq!(logged[0]["subject"], "+84912***678", "the number is masked in the log");
    let addresses = logged[0]["addresses"].as_str().unwrap();
    for i in 1..=SUBJECT_LOCK_AFTER {
        assert!(addresses.contains(&format!("\"127.0.2.{i}\"")), "{addresses}");
    }
}

/// A push token registered by a second account moves to it (phones change hands), and the
/// former holder is told nothing, but the move is logged for the operator: someone who learnt
/// another's token could otherwise silence their notifications unseen. Before, nothing logged
/// it.
#[test]
fn a_push_token_taken_by_another_account_moves_and_is_logged() {
    let started = Started::new();
    let port = started.server.port;
    let (citizen, admin) = (started.login(CITIZEN_PHONE), started.login(ADMIN_PHONE));
    let id_of = |token: &str| {
        let me = must(port, request("GET", b"/v1/me", &[bearer(token)], b""), 200, "me");
        me["id"].as_str().unwrap().to_string()
    };
    let unread = |token: &str| {
        let inbox = request("GET", b"/v1/me/notifications", &[bearer(token)], b"");
        must(port, inbox, 200, "inbox")["unread_count"].as_i64().unwrap()
    };
    let device = json!({"token": "fcm-token-of-a-shared-phone", "platform": "android",
                        "app_version": "2.4.0", "lang": "vi"})
    .to_string();
    must(port, json_post("/v1/me/devices", Some(&citizen), device.as_bytes()), 201, "first");
    let unread_before = unread(&citizen);
    must(port, json_post("/v1/me/devices", Some(&admin), device.as_bytes()), 200, "moved");

    let logged = started.server.wait_for_logged("a device token moved to another account");
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0]["from"], id_of(&citizen).as_str());
    assert_eq!(logged[0]["to"], id_of(&admin).as_str());
    assert!(!logged[0].to_string().contains("fcm-token-of-a-shared-phone"), "{}", logged[0]);
    assert_eq!(unread(&citizen), unread_before, "the former holder is told nothing");
    // Registering it again as its holder is no move.
    must(port, json_post("/v1/me/devices", Some(&admin), device.as_bytes()), 200, "again");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(started.server.logged("a device token moved to another account").len(), 1);
}
