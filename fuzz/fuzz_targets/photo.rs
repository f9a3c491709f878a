//! Arbitrary bytes as an uploaded photo: sniffing, header checks, bounded decoding, EXIF,
//! resizing and re-encoding end in two small JPEGs or a refusal, never a panic or a 500.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smartcity_api::adapters::photos::process;
use smartcity_domain::photo::{
    PhotoError, DISPLAY_MAX_SIDE, MAX_DECODED_BYTES, THUMBNAIL_MAX_SIDE,
};
use smartcity_fuzz::{BoundedAllocator, MIB};

// The decoder's budget is one buffer of MAX_DECODED_BYTES; converting it to 8 bits and
// resizing it may hold a second, smaller one alongside.
#[global_allocator]
static ALLOCATOR: BoundedAllocator = BoundedAllocator::new(
    MAX_DECODED_BYTES as usize + 16 * MIB,
    2 * MAX_DECODED_BYTES as usize + 64 * MIB,
);

const JPEG_START: [u8; 2] = [0xFF, 0xD8];

fuzz_target!(|upload: &[u8]| {
    match process(upload) {
        Ok(photo) => {
            let display = (photo.display_width, photo.display_height);
            let thumbnail = (photo.thumb_width, photo.thumb_height);
            assert!(display.0 >= 1 && display.1 >= 1, "{display:?}");
            assert!(display.0.max(display.1) <= DISPLAY_MAX_SIDE, "{display:?}");
            assert!(thumbnail.0 >= 1 && thumbnail.1 >= 1, "{thumbnail:?}");
            assert!(thumbnail.0.max(thumbnail.1) <= THUMBNAIL_MAX_SIDE, "{thumbnail:?}");
            assert!(thumbnail.0 <= display.0 && thumbnail.1 <= display.1);
            assert!(photo.display.starts_with(&JPEG_START));
            assert!(photo.thumbnail.starts_with(&JPEG_START));
            if let Some((lat, lon)) = photo.gps {
                assert!(lat.abs() <= 90.0 && lon.abs() <= 180.0, "{lat} {lon}");
            }
        }
        // The one refusal that becomes a 500: a file the checks let through failed later.
        Err(PhotoError::ProcessingFailed) => panic!("an accepted photo failed to process"),
        Err(_) => {}
    }
});
