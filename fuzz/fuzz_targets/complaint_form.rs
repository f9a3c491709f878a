//! Arbitrary bytes as the multipart body of a complaint filing (and of an event), read by
//! `complaint_form::read` through `actix_multipart::Multipart` on a current-thread runtime, as
//! the server does. Every body ends in a form within the limits or a 4xx problem.
#![no_main]

use actix_multipart::Multipart;
use actix_web::error::PayloadError;
use actix_web::http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use actix_web::web::Bytes;
use libfuzzer_sys::fuzz_target;
use smartcity_api::http::multipart::{read, ComplaintForm, FormShape, EVENT, FILING};
use smartcity_domain::photo::{MAX_PHOTOS_PER_COMPLAINT, MAX_PHOTO_BYTES};
use smartcity_fuzz::{BoundedAllocator, MIB};

#[global_allocator]
static ALLOCATOR: BoundedAllocator = BoundedAllocator::new(64 * MIB, 256 * MIB);

const BOUNDARY: &str = "smartcityfuzzboundary";
const FILING_FIELDS: [&str; 6] = ["category", "description", "lat", "lon", "address", "anonymous"];
const MAX_TEXT_PART: usize = 16 * 1024;

thread_local! {
    static RUNTIME: tokio::runtime::Runtime =
        tokio::runtime::Builder::new_current_thread().build().expect("runtime");
}

/// Reads `body` delivered in chunks of `chunk_len` bytes (0: in one piece), as a network would.
fn read_form(body: &[u8], chunk_len: usize, shape: &FormShape) -> Result<ComplaintForm, u16> {
    let mut headers = HeaderMap::new();
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    headers.insert(CONTENT_TYPE, HeaderValue::from_str(&content_type).unwrap());
    let chunk_len = if chunk_len == 0 { body.len().max(1) } else { chunk_len };
    let chunks: Vec<Result<Bytes, PayloadError>> =
        body.chunks(chunk_len).map(|chunk| Ok(Bytes::copy_from_slice(chunk))).collect();
    let multipart = Multipart::new(&headers, futures_util::stream::iter(chunks));
    RUNTIME
        .with(|runtime| runtime.block_on(read(multipart, shape)))
        .map_err(|error| error.code.status())
}

fn check_limits(form: &ComplaintForm) {
    assert!(form.photos.len() <= MAX_PHOTOS_PER_COMPLAINT);
    assert!(form.photos.iter().all(|photo| photo.len() as u64 <= MAX_PHOTO_BYTES));
    let texts = form.fields.values().chain(form.attributes.values().flatten());
    assert!(texts.into_iter().all(|text| text.len() <= MAX_TEXT_PART));
    assert_eq!(form.fingerprint().len(), 64);
}

fuzz_target!(|input: &[u8]| {
    // The first byte is how the body arrives in chunks; the rest is the body.
    let Some((&chunk_len, body)) = input.split_first() else { return };
    match read_form(body, usize::from(chunk_len), &FILING) {
        Ok(form) => {
            check_limits(&form);
            assert!(form.fields.keys().all(|name| FILING_FIELDS.contains(&name.as_str())));
            // Chunking is the network's business: read whole, the form is the same.
            let whole = read_form(body, 0, &FILING).expect("the same body read whole");
            assert_eq!(whole.fingerprint(), form.fingerprint());
        }
        Err(status) => assert!((400..500).contains(&status), "refused with {status}"),
    }
    match read_form(body, usize::from(chunk_len), &EVENT) {
        Ok(form) => {
            check_limits(&form);
            assert!(form.attributes.is_empty());
        }
        Err(status) => assert!((400..500).contains(&status), "refused with {status}"),
    }
});
