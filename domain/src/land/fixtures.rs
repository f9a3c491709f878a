//! Layer files for the tests: features written out, and a large layer produced as it is read.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// A parcel feature with the default property names: a square of `size` degrees whose
/// south-west corner is (`lon`, `lat`).
pub(crate) fn parcel_feature(sheet: u32, number: u32, lon: f64, lat: f64, size: f64) -> String {
    let (e, n) = (lon + size, lat + size);
    format!(
        r#"{{"type": "Feature", "properties": {{"so_to": {sheet}, "so_thua": {number},
            "dien_tich": 100.5, "ma_loai_dat": "ODT"}},
            "geometry": {{"type": "Polygon", "coordinates":
            [[[{lon}, {lat}], [{e}, {lat}], [{e}, {n}], [{lon}, {n}], [{lon}, {lat}]]]}}}}"#
    )
}

/// A zone feature with the default property names over the given Polygon coordinates.
pub(crate) fn zone_feature(zone: &str, coordinates: &str) -> String {
    format!(
        r#"{{"type": "Feature", "properties": {{"ma_khu": "{zone}", "chuc_nang": "Đất ở mới",
            "do_an": "Quy hoạch phân khu Hải Châu", "quyet_dinh": "1234/QĐ-UBND"}},
            "geometry": {{"type": "Polygon", "coordinates": {coordinates}}}}}"#
    )
}

pub(crate) fn collection(features: &[String]) -> String {
    format!(r#"{{"type": "FeatureCollection", "features": [{}]}}"#, features.join(","))
}

/// A layer of `count` features produced as it is read, in chunks of at most 8 KiB, counting
/// the bytes handed out and the largest buffer asked for.
pub(crate) struct GeneratedLayer<G> {
    feature: G,
    count: usize,
    next: usize,
    pending: Vec<u8>,
    offset: usize,
    finished: bool,
    pub(crate) bytes_read: Rc<Cell<usize>>,
    pub(crate) largest_request: usize,
}

impl<G: FnMut(usize) -> String> GeneratedLayer<G> {
    pub(crate) fn new(count: usize, feature: G) -> Self {
        GeneratedLayer {
            feature,
            count,
            next: 0,
            pending: br#"{"type": "FeatureCollection", "name": "generated", "features": ["#
                .to_vec(),
            offset: 0,
            finished: false,
            bytes_read: Rc::new(Cell::new(0)),
            largest_request: 0,
        }
    }
}

impl<G: FnMut(usize) -> String> GeneratedLayer<G> {
    /// Writes the next feature (or the collection's end) into `pending`; false at the end.
    fn refill(&mut self) -> bool {
        self.pending.clear();
        self.offset = 0;
        if self.next < self.count {
            if self.next > 0 {
                self.pending.push(b',');
            }
            self.pending.extend((self.feature)(self.next).bytes());
            self.next += 1;
        } else if !self.finished {
            self.pending.extend(b"]}\n");
            self.finished = true;
        }
        !self.pending.is_empty()
    }
}

impl<G: FnMut(usize) -> String> Read for GeneratedLayer<G> {
    /// Fills up to 8 KiB of `buf`, as a file read would, across features.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        const CHUNK: usize = 8 * 1024;
        self.largest_request = self.largest_request.max(buf.len());
        let wanted = buf.len().min(CHUNK);
        let mut written = 0;
        while written < wanted {
            if self.offset == self.pending.len() && !self.refill() {
                break;
            }
            let n = (wanted - written).min(self.pending.len() - self.offset);
            buf[written..written + n].copy_from_slice(&self.pending[self.offset..self.offset + n]);
            self.offset += n;
            written += n;
        }
        self.bytes_read.set(self.bytes_read.get() + written);
        Ok(written)
    }
}
