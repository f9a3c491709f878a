//! Arbitrary text as a procedure search, against the demo catalogue (`data/procedures.json`)
//! and the shipped vocabulary (`data/search.json`). Any query ends in a page of known codes,
//! no longer than asked, consistent with the whole ranking; nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smartcity_domain::procedure::parse_catalogue;
use smartcity_domain::search::{Filters, SearchDoc, SearchIndex, SearchVocabulary};
use smartcity_fuzz::{BoundedAllocator, MIB};
use std::collections::HashSet;
use std::sync::LazyLock;

#[global_allocator]
static ALLOCATOR: BoundedAllocator = BoundedAllocator::new(64 * MIB, 256 * MIB);

static INDEX: LazyLock<SearchIndex> = LazyLock::new(|| {
    let catalogue =
        parse_catalogue(include_str!("../../data/procedures.json")).expect("demo catalogue");
    let vocabulary =
        SearchVocabulary::parse(include_str!("../../data/search.json")).expect("vocabulary");
    SearchIndex::build(catalogue.iter().map(SearchDoc::from).collect(), &vocabulary)
});

fuzz_target!(|input: &[u8]| {
    // The first byte chooses the page and a filter, the rest is what was typed.
    let Some((&choice, typed)) = input.split_first() else { return };
    let query = String::from_utf8_lossy(typed);
    let offset = usize::from(choice % 8);
    let limit = usize::from(choice / 8 % 4) * 7;
    let filters = match choice / 32 {
        0 | 1 => Filters::default(),
        2 => Filters { level: Some("commune".into()), ..Filters::default() },
        3 => Filters { service_level: Some(4), ..Filters::default() },
        4 => {
            Filters { level: Some("province".into()), service_level: Some(3), ..Filters::default() }
        }
        _ => Filters { field: Some(query.to_string()), ..Filters::default() },
    };

    let (all, total) = INDEX.search(&query, &filters, 0, usize::MAX);
    assert_eq!(all.len(), total);
    assert!(total <= INDEX.len());
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), total, "a code listed twice");

    let (page, page_total) = INDEX.search(&query, &filters, offset, limit);
    assert_eq!(page_total, total);
    let expected: Vec<String> = all.iter().skip(offset).take(limit).cloned().collect();
    assert_eq!(page, expected, "the page is not that part of the whole ranking");
});
