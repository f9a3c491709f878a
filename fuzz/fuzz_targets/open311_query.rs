//! Arbitrary bytes as the query string of `GET /open311/v2/requests`: parsed as the route
//! parses it, then checked by `parse_request_query`. A refusal names a parameter; a query is
//! one the database can run (ids bounded, a window of at most 90 days).
#![no_main]

use chrono::{DateTime, Duration, Utc};
use libfuzzer_sys::fuzz_target;
use smartcity_domain::open311::{
    parse_request_query, RequestQuery, MAX_IDS, MAX_ID_LENGTH, WINDOW_DAYS,
};
use smartcity_fuzz::{BoundedAllocator, MIB};

#[global_allocator]
static ALLOCATOR: BoundedAllocator = BoundedAllocator::new(64 * MIB, 256 * MIB);

const PARAMETERS: [&str; 4] = ["service_request_id", "status", "start_date", "end_date"];

fuzz_target!(|query: &[u8]| {
    let Ok(params) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(query) else {
        return;
    };
    let now =
        DateTime::parse_from_rfc3339("2026-11-23T10:00:00+07:00").unwrap().with_timezone(&Utc);
    match parse_request_query(&params, now) {
        Ok(RequestQuery::Ids(ids)) => {
            assert!((1..=MAX_IDS).contains(&ids.len()), "{} ids", ids.len());
            for id in &ids {
                assert!(!id.is_empty() && id.trim() == id && !id.contains(','), "{id:?}");
                assert!(id.chars().count() <= MAX_ID_LENGTH);
            }
        }
        Ok(RequestQuery::Window(window)) => {
            assert!(window.from <= window.to);
            assert!(window.to - window.from <= Duration::days(WINDOW_DAYS));
            assert!(window
                .service_codes
                .iter()
                .all(|code| !code.is_empty() && code.trim() == code));
        }
        Err(invalid) => assert!(PARAMETERS.contains(&invalid.field.as_str()), "{invalid:?}"),
    }
});
