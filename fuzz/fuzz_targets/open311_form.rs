//! Arbitrary bytes as the form of `POST /open311/v2/requests.{format}`, through every pure
//! step the route takes: the form's pairs, single-valued fields, the description and address
//! checks, `attribute[CODE]` answers checked against each demo category, the position, and the
//! ward an address names. Refusals name their field; nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smartcity_domain::complaint::{parse_categories, Category};
use smartcity_domain::geo::{parse_areas, AreaIndex, LatLon, Region};
use smartcity_domain::open311::{attribute_answers, single_value};
use smartcity_domain::validation::clean_text;
use smartcity_fuzz::{BoundedAllocator, MIB};
use std::sync::LazyLock;

#[global_allocator]
static ALLOCATOR: BoundedAllocator = BoundedAllocator::new(64 * MIB, 256 * MIB);

static CATEGORIES: LazyLock<Vec<Category>> = LazyLock::new(|| {
    parse_categories(include_str!("../../data/categories.json")).expect("demo categories")
});
static AREAS: LazyLock<AreaIndex> = LazyLock::new(|| {
    let areas = parse_areas(include_str!("../../data/areas.geojson"), "name", &Region::VIETNAM)
        .expect("demo areas");
    AreaIndex::new(areas)
});

const SINGLE_FIELDS: [&str; 7] =
    ["api_key", "service_code", "description", "address_string", "lat", "long", "media_url"];

fuzz_target!(|form: &[u8]| {
    let Ok(params) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(form) else {
        return;
    };
    for name in SINGLE_FIELDS {
        if let Err(invalid) = single_value(&params, name) {
            assert_eq!(invalid.field, name);
            let sent = params.iter().filter(|(key, _)| key == name).count();
            assert!(sent > 1, "{name} refused though sent {sent} times");
        }
    }
    if let Ok(Some(description)) = single_value(&params, "description") {
        if let Ok(clean) = clean_text("description", description, 1, 4000, true) {
            assert!(!clean.is_empty() && clean.chars().count() <= 4000);
        }
    }
    if let Ok(Some(address)) = single_value(&params, "address_string") {
        if let Ok(address) = clean_text("address_string", address, 1, 300, false) {
            if let Some(area) = AREAS.named_in(&address) {
                assert!(AREAS.areas().iter().any(|known| known.id == area.id));
            }
        }
    }
    let coordinate = |name| {
        single_value(&params, name).ok().flatten()?.parse::<f64>().ok().filter(|v| v.is_finite())
    };
    if let (Some(lat), Some(lon)) = (coordinate("lat"), coordinate("long")) {
        if let Err(invalid) = LatLon::parse(lat, lon, &Region::VIETNAM) {
            assert!(invalid.field == "lat" || invalid.field == "lon", "{invalid:?}");
        }
    }

    let answers = attribute_answers(&params);
    for code in answers.keys() {
        assert!(!code.is_empty() && !code.contains(['[', ']']), "{code:?}");
    }
    for category in CATEGORIES.iter() {
        match category.check_answers(&answers) {
            Ok(checked) => {
                for code in checked.keys() {
                    assert!(category.attributes.iter().any(|a| &a.code == code), "{code}");
                }
                for required in category.attributes.iter().filter(|a| a.required) {
                    assert!(checked.contains_key(&required.code), "{} missing", required.code);
                }
            }
            Err(invalid) => {
                let code =
                    invalid.field.strip_prefix("attribute[").and_then(|f| f.strip_suffix(']'));
                assert!(code.is_some_and(|code| !code.is_empty()), "{invalid:?}");
            }
        }
    }
});
