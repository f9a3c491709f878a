//! Public cameras: what they watch ([`CameraKind`]), their names and addresses
//! ([`CameraName`], [`CameraUrl`]), the box a map asks for ([`map_box`]), and when the server
//! fetches a camera's snapshot again, serves the one it has, or leaves a camera that stopped
//! answering alone for a while ([`SnapshotPolicy`]).

use crate::backoff::Backoff;
use crate::geo::BoundingBox;
use crate::validation::{clean_text, Invalid, Reason};
use crate::word::impl_word;
use crate::Lang;
use chrono::{NaiveDateTime, TimeDelta};
use std::time::Duration;

/// What a camera watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CameraKind {
    /// Camera giao thông: a junction or a road.
    Traffic,
    /// Camera giám sát ngập: a street or a river bank that floods.
    FloodWatch,
    /// Camera nơi công cộng: a square, a beach, a market.
    PublicSpace,
}

impl_word!(CameraKind {
    Traffic => "traffic",
    FloodWatch => "flood_watch",
    PublicSpace => "public_space",
});

impl CameraKind {
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (CameraKind::Traffic, Lang::Vi) => "Camera giao thông",
            (CameraKind::Traffic, Lang::En) => "Traffic camera",
            (CameraKind::FloodWatch, Lang::Vi) => "Camera giám sát ngập",
            (CameraKind::FloodWatch, Lang::En) => "Flood watch camera",
            (CameraKind::PublicSpace, Lang::Vi) => "Camera nơi công cộng",
            (CameraKind::PublicSpace, Lang::En) => "Public space camera",
        }
    }
}

/// A camera's name as the map shows it ("Ngã tư Hàm Nghi – Hùng Vương"): 1–200 characters
/// of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraName(String);

pub const MAX_NAME_CHARS: usize = 200;

impl CameraName {
    pub fn parse(field: &str, raw: &str) -> Result<CameraName, Invalid> {
        clean_text(field, raw, 1, MAX_NAME_CHARS, false).map(CameraName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Where a camera's snapshot or stream is: an absolute `http` or `https` URL with a host, of at
/// most [`MAX_URL_BYTES`], without spaces or control characters, kept as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraUrl(String);

/// Long enough for a vendor's URL with its query (tokens, channel numbers), short enough for
/// a log line.
pub const MAX_URL_BYTES: usize = 2048;

impl CameraUrl {
    pub fn parse(field: &str, raw: &str) -> Result<CameraUrl, Invalid> {
        if raw.is_empty() {
            return Err(Invalid::new(field, Reason::Required));
        }
        if raw.len() > MAX_URL_BYTES {
            return Err(Invalid::new(field, Reason::TooLong { max: MAX_URL_BYTES }));
        }
        let format = || {
            Invalid::new(
                field,
                Reason::Format {
                    expected_vi: "địa chỉ http:// hoặc https:// đầy đủ, ví dụ \
                                  https://camera.danang.gov.vn/snapshot/12.jpg",
                    expected_en: "a full http:// or https:// address, e.g. \
                                  https://camera.danang.gov.vn/snapshot/12.jpg",
                },
            )
        };
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format());
        }
        let lower = raw.get(..8).unwrap_or(raw).to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Err(format());
        }
        // Browsers' parsing forgives `https:///host` and backslashes; a camera's address is
        // written exactly.
        let after_scheme = &raw[raw.find("://").map_or(0, |i| i + 3)..];
        if after_scheme.starts_with('/') || raw.contains('\\') {
            return Err(format());
        }
        let parsed = url::Url::parse(raw).map_err(|_| format())?;
        let web = matches!(parsed.scheme(), "http" | "https");
        if !web || parsed.host_str().is_none_or(str::is_empty) {
            return Err(format());
        }
        Ok(CameraUrl(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The widest box a map may ask for, in degrees on each side: a province, not a country (a
/// phone zoomed out that far shows dots, not cameras).
pub const MAX_BOX_DEGREES: f64 = 2.0;

/// The map's box as `bbox=minLon,minLat,maxLon,maxLat` (the order of GeoJSON and OGC APIs):
/// four finite numbers, each minimum at most its maximum, latitudes within ±90, longitudes
/// within ±180, at most [`MAX_BOX_DEGREES`] on a side. Every refusal names `field`.
pub fn map_box(field: &str, raw: &str) -> Result<BoundingBox, Invalid> {
    let format = || {
        Invalid::new(
            field,
            Reason::Format {
                expected_vi: "bốn số minLon,minLat,maxLon,maxLat theo thứ tự, ví dụ \
                              108.20,16.04,108.23,16.07, mỗi cạnh không quá 2 độ",
                expected_en: "four numbers minLon,minLat,maxLon,maxLat in that order, e.g. \
                              108.20,16.04,108.23,16.07, at most 2 degrees on a side",
            },
        )
    };
    if raw.is_empty() {
        return Err(Invalid::new(field, Reason::Required));
    }
    if raw.len() > 200 {
        return Err(format());
    }
    let numbers: Vec<f64> = raw
        .split(',')
        .map(|part| part.trim().parse::<f64>().ok().filter(|n| n.is_finite()))
        .collect::<Option<_>>()
        .ok_or_else(format)?;
    let &[min_lon, min_lat, max_lon, max_lat] = numbers.as_slice() else {
        return Err(format());
    };
    let lat_ok = |lat: f64| (-90.0..=90.0).contains(&lat);
    let lon_ok = |lon: f64| (-180.0..=180.0).contains(&lon);
    if !(lat_ok(min_lat) && lat_ok(max_lat) && lon_ok(min_lon) && lon_ok(max_lon)) {
        return Err(format());
    }
    if min_lat > max_lat || min_lon > max_lon {
        return Err(format());
    }
    if max_lat - min_lat > MAX_BOX_DEGREES || max_lon - min_lon > MAX_BOX_DEGREES {
        return Err(format());
    }
    Ok(BoundingBox { min_lat, max_lat, min_lon, max_lon })
}

/// What the server knows of a camera's snapshots: when it last got one, and how many attempts
/// in a row have failed since, the last of them when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SnapshotHealth {
    /// When the image held was fetched; None when there is none.
    pub fetched_at: Option<NaiveDateTime>,
    /// Failed attempts since the last success (0: the camera works).
    pub failures: u32,
    pub failed_at: Option<NaiveDateTime>,
}

/// What to do with a request for a camera's snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotStep {
    /// The image held is fresh: serve it; fresh until `until`.
    ServeCached { until: NaiveDateTime },
    /// Ask the camera (one request, whoever else is waiting).
    Fetch,
    /// The camera did not answer: leave it alone until `until`.
    Down { until: NaiveDateTime },
}

/// How often a camera is asked for a snapshot: at most once every `every`, however many people
/// look; after a failure, not before a backoff that starts at three times `every` and doubles
/// up to ten minutes (or `every`, if longer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotPolicy {
    pub every: Duration,
}

impl SnapshotPolicy {
    pub fn new(every: Duration) -> SnapshotPolicy {
        SnapshotPolicy { every: every.max(Duration::from_secs(1)) }
    }

    pub fn backoff(&self) -> Backoff {
        let first = self.every.saturating_mul(3);
        Backoff { first, longest: first.max(Duration::from_secs(600)), max_attempts: i32::MAX }
    }

    /// The wait after `failures` failed attempts in a row (1 for the first).
    pub fn down_for(&self, failures: u32) -> Duration {
        self.backoff().full(i32::try_from(failures).unwrap_or(i32::MAX))
    }

    pub fn step(&self, health: &SnapshotHealth, now: NaiveDateTime) -> SnapshotStep {
        if let Some(fetched_at) = health.fetched_at {
            let until = fetched_at + delta(self.every);
            // A clock that went back counts as fresh only up to `every` ahead.
            if now < until && fetched_at <= now + delta(self.every) {
                return SnapshotStep::ServeCached { until };
            }
        }
        if let Some(failed_at) = health.failed_at.filter(|_| health.failures > 0) {
            let until = failed_at + delta(self.down_for(health.failures));
            if now < until {
                return SnapshotStep::Down { until };
            }
        }
        SnapshotStep::Fetch
    }
}

fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// A JPEG starts with SOI (`FF D8`) and a marker (`FF`): what a snapshot must be, whatever
/// the camera's `Content-Type` says.
pub fn looks_like_jpeg(bytes: &[u8]) -> bool {
    bytes.len() >= 4 && bytes[..3] == [0xFF, 0xD8, 0xFF]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::word::assert_words;
    use chrono::NaiveDate;

    #[test]
    fn camera_kinds_are_stored_as_these_words_and_named_in_both_languages() {
        assert_words(&[
            (CameraKind::Traffic, "traffic"),
            (CameraKind::FloodWatch, "flood_watch"),
            (CameraKind::PublicSpace, "public_space"),
        ]);
        assert_eq!(CameraKind::FloodWatch.name(Lang::Vi), "Camera giám sát ngập");
        assert_eq!(CameraKind::FloodWatch.name(Lang::En), "Flood watch camera");
        assert_eq!(CameraKind::Traffic.name(Lang::Vi), "Camera giao thông");
        assert_eq!(CameraKind::PublicSpace.name(Lang::En), "Public space camera");
    }

    #[test]
    fn camera_names_are_one_line_of_bounded_length() {
        let name = CameraName::parse("name", "  Cầu Rồng – đầu Trần Hưng Đạo ").unwrap();
        assert_eq!(name.as_str(), "Cầu Rồng – đầu Trần Hưng Đạo");
        assert_eq!(CameraName::parse("name", " ").unwrap_err().reason, Reason::Required);
        assert_eq!(
            CameraName::parse("name", &"ạ".repeat(201)).unwrap_err().reason,
            Reason::TooLong { max: 200 }
        );
        assert!(CameraName::parse("name", &"ạ".repeat(200)).is_ok());
        assert_eq!(
            CameraName::parse("name", "Cầu\nRồng").unwrap_err().reason,
            Reason::ControlCharacters
        );
    }

    #[test]
    fn camera_urls_are_http_or_https_with_a_host() {
        for url in [
            "https://camera.danang.gov.vn/snapshot/12.jpg",
            "http://10.0.0.5:8080/cgi-bin/snapshot.cgi?channel=1",
            "HTTPS://Camera.example.vn/live/12/index.m3u8",
            "http://[::1]:9000/s.jpg",
        ] {
            assert_eq!(CameraUrl::parse("snapshot_url", url).unwrap().as_str(), url);
        }
        let refused = |raw: &str| CameraUrl::parse("snapshot_url", raw).unwrap_err();
        assert_eq!(refused(""), Invalid::new("snapshot_url", Reason::Required));
        let long = format!("https://a.vn/{}", "x".repeat(2048));
        assert_eq!(refused(&long).reason, Reason::TooLong { max: 2048 });
        for raw in [
            "ftp://camera.vn/a.jpg",
            "rtsp://10.0.0.5/stream",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "camera.vn/a.jpg",
            "https://",
            "https:///a.jpg",
            "http:/camera.vn",
            " https://camera.vn/a.jpg",
            "https://camera.vn/a b.jpg",
            "https://camera.vn/a\n.jpg",
            "https:////camera.vn/a.jpg",
            "https://camera.vn\\a.jpg",
        ] {
            let invalid = refused(raw);
            assert_eq!(invalid.field, "snapshot_url", "{raw:?}");
            assert_eq!(invalid.reason.code(), "format", "{raw:?}");
        }
    }

    #[test]
    fn a_map_box_is_four_ordered_numbers_of_bounded_size() {
        let b = map_box("bbox", "108.20,16.04,108.23,16.07").unwrap();
        assert_eq!(
            b,
            BoundingBox { min_lon: 108.20, min_lat: 16.04, max_lon: 108.23, max_lat: 16.07 }
        );
        assert!(map_box("bbox", "108, 16, 108, 16").is_ok(), "a point, spaces allowed");
        assert!(map_box("bbox", "107,15,109,17").is_ok(), "exactly 2 degrees");
        assert_eq!(map_box("bbox", "").unwrap_err(), Invalid::new("bbox", Reason::Required));
        for raw in [
            "108.20,16.04,108.23",
            "108.20,16.04,108.23,16.07,1",
            "108.23,16.04,108.20,16.07",
            "108.20,16.07,108.23,16.04",
            "a,b,c,d",
            "108.2,16.0,NaN,16.1",
            "108.2,16.0,inf,16.1",
            "108.2,,108.3,16.1",
            "106,15,109,16",
            "108,91,108.1,91.5",
            "181,16,181.5,16.5",
            "108.20;16.04;108.23;16.07",
        ] {
            let invalid = map_box("bbox", raw).unwrap_err();
            assert_eq!(invalid.field, "bbox", "{raw:?}");
            assert_eq!(invalid.reason.code(), "format", "{raw:?}");
        }
        assert_eq!(map_box("bbox", &"1".repeat(300)).unwrap_err().field, "bbox");
    }

    fn at(seconds: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap().and_hms_opt(8, 0, 0).unwrap()
            + TimeDelta::seconds(seconds)
    }

    #[test]
    fn a_snapshot_is_fetched_at_most_once_every_n_seconds() {
        let policy = SnapshotPolicy::new(Duration::from_secs(10));
        let nothing = SnapshotHealth::default();
        assert_eq!(policy.step(&nothing, at(0)), SnapshotStep::Fetch, "nothing held yet");
        let held = SnapshotHealth { fetched_at: Some(at(0)), ..SnapshotHealth::default() };
        assert_eq!(policy.step(&held, at(0)), SnapshotStep::ServeCached { until: at(10) });
        assert_eq!(policy.step(&held, at(9)), SnapshotStep::ServeCached { until: at(10) });
        assert_eq!(policy.step(&held, at(10)), SnapshotStep::Fetch, "N seconds old: ask again");
        assert_eq!(policy.step(&held, at(3600)), SnapshotStep::Fetch);
        let ahead = SnapshotHealth { fetched_at: Some(at(100)), ..SnapshotHealth::default() };
        assert_eq!(policy.step(&ahead, at(0)), SnapshotStep::Fetch, "the clock went back far");
        assert_eq!(SnapshotPolicy::new(Duration::ZERO).every, Duration::from_secs(1));
    }

    #[test]
    fn a_camera_that_failed_is_left_alone_for_a_backoff_that_grows() {
        let policy = SnapshotPolicy::new(Duration::from_secs(10));
        let failed = |failures, failed_at| SnapshotHealth {
            fetched_at: Some(at(-100)),
            failures,
            failed_at: Some(failed_at),
        };
        assert_eq!(policy.step(&failed(1, at(0)), at(1)), SnapshotStep::Down { until: at(30) });
        assert_eq!(policy.step(&failed(1, at(0)), at(29)), SnapshotStep::Down { until: at(30) });
        assert_eq!(policy.step(&failed(1, at(0)), at(30)), SnapshotStep::Fetch, "try again");
        assert_eq!(policy.step(&failed(2, at(0)), at(30)), SnapshotStep::Down { until: at(60) });
        assert_eq!(policy.step(&failed(3, at(0)), at(100)), SnapshotStep::Down { until: at(120) });
        assert_eq!(
            policy.step(&failed(40, at(0)), at(599)),
            SnapshotStep::Down { until: at(600) },
            "ten minutes at most"
        );
        assert_eq!(policy.step(&failed(40, at(0)), at(600)), SnapshotStep::Fetch);
        let slow = SnapshotPolicy::new(Duration::from_secs(3600));
        assert_eq!(slow.down_for(1), Duration::from_secs(3 * 3600), "never shorter than 3N");
        assert_eq!(slow.down_for(9), Duration::from_secs(3 * 3600));
        let fresh_after_failure =
            SnapshotHealth { fetched_at: Some(at(0)), failures: 1, failed_at: Some(at(-1)) };
        assert_eq!(
            policy.step(&fresh_after_failure, at(5)),
            SnapshotStep::ServeCached { until: at(10) },
            "an image fetched since is served"
        );
    }

    #[test]
    fn a_jpeg_is_known_by_its_first_bytes() {
        assert!(looks_like_jpeg(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]));
        assert!(!looks_like_jpeg(&[0xFF, 0xD8, 0xFF]));
        assert!(!looks_like_jpeg(b"\x89PNG\r\n\x1a\n"));
        assert!(!looks_like_jpeg(b"<html>"));
        assert!(!looks_like_jpeg(&[]));
    }
}
