//! `bench-search [PROCEDURES]`: the procedure search on its own, in process, over the catalogue
//! `bench-seed` stores (the real procedures and their variants, 6,000 by default): how long the
//! index takes to build, and how long a query takes, every keystroke of 20 queries typed as
//! citizens type them. The HTTP row of the same search is `bench/run search`.

use smartcity_api::app::seed::DEMO_CATALOGUE;
use smartcity_api::config::DEFAULT_VOCABULARY;
use smartcity_bench::catalogue::variants;
use smartcity_domain::procedure::parse_catalogue;
use smartcity_domain::search::{Filters, SearchDoc, SearchIndex, SearchVocabulary};
use std::time::{Duration, Instant};

const TYPED: [&str; 20] = [
    "làm giấy khai sinh cho con",
    "thủ tục đổi bằng lái xe",
    "xin giấy xác nhận độc thân",
    "dang ky ket hon",
    "dnag ky tam tru",
    "so do",
    "cap giay phep xay dung nha o",
    "ho ca the",
    "lý lịch tư pháp",
    "chung thuc ban sao",
    "giay phep lao dong nguoi nuoc ngoai",
    "tach thua dat",
    "chuyen truong cho con",
    "tro cap xa hoi",
    "giay phep ban le ruou",
    "thanh lap doanh nghiep tu nhan",
    "an toan thuc pham",
    "khia sinh",
    "hướng dẫn đăng ký thường trú online",
    "giấy phép lái xe quốc tế",
];

/// Five rounds, so that a pause of a busy machine shows as an outlier of one round only.
const ROUNDS: usize = 5;

fn main() {
    let total: usize = match std::env::args().nth(1) {
        None => 6_000,
        Some(arg) => arg.parse().unwrap_or_else(|_| {
            eprintln!("usage: bench-search [PROCEDURES]");
            std::process::exit(2)
        }),
    };
    let real = parse_catalogue(DEMO_CATALOGUE).expect("the shipped catalogue parses");
    let mut specs = variants(&real, total);
    specs.extend(real);
    let docs: Vec<SearchDoc> = specs.iter().map(SearchDoc::from).collect();
    let vocabulary = SearchVocabulary::parse(DEFAULT_VOCABULARY).expect("the shipped vocabulary");

    let builds: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            SearchIndex::build(docs.clone(), &vocabulary);
            started.elapsed()
        })
        .collect();
    let index = SearchIndex::build(docs, &vocabulary);

    // Every keystroke of each query, as the app searches while the citizen types.
    let queries: Vec<&str> =
        TYPED.iter().flat_map(|q| q.char_indices().map(|(i, c)| &q[..i + c.len_utf8()])).collect();
    let mut all = Vec::new();
    let mut per_query = vec![Vec::new(); queries.len()];
    for _ in 0..ROUNDS {
        for (query, times) in queries.iter().zip(&mut per_query) {
            let started = Instant::now();
            std::hint::black_box(index.search(query, &Filters::default(), 0, 20));
            let elapsed = started.elapsed();
            all.push(elapsed);
            times.push(elapsed);
        }
    }
    let mut medians: Vec<(Duration, &str)> = per_query
        .iter_mut()
        .zip(&queries)
        .map(|(times, query)| {
            times.sort();
            (times[ROUNDS / 2], *query)
        })
        .collect();
    medians.sort();
    let long = "đăng ký khai sinh ".repeat(600);
    let started = Instant::now();
    std::hint::black_box(index.search(&long, &Filters::default(), 0, 20));
    let long_time = started.elapsed();

    println!("{} procedures", index.len());
    println!("build: {}", quantiles(builds));
    println!("{} queries x {ROUNDS}: {}", queries.len(), quantiles(all));
    println!(
        "median of each query: {}",
        quantiles(medians.iter().map(|(time, _)| *time).collect())
    );
    for (time, query) in medians.iter().rev().take(5) {
        println!("  slowest: {query:?} {time:?}");
    }
    println!("a query of {} characters: {long_time:?}", long.chars().count());
}

fn quantiles(mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |q: usize| times[(times.len() - 1) * q / 100];
    format!("median {:?}, p99 {:?}, max {:?}", at(50), at(99), at(100))
}
