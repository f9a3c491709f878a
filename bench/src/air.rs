//! `bench-air`: the data side of `bench/air/run`.
//! `bench-air --database-url URL --stations N --hours H` migrates the database, registers one
//! network and N automatic stations spread over Đà Nẵng, and stores H hours of readings of the
//! six VN_AQI parameters for each through `smartcity_db::air::ingest` (which rates the hours
//! and days as the product does), a day's worth a transaction. It prints the station codes, one
//! a line, for the load script.

use clap::Parser;
use smartcity_db::air::{self, Observation, StationFields};
use smartcity_db::pool::{build_pool, migrate, PoolSettings};
use smartcity_db::Backend;
use smartcity_domain::air::{Parameter, Reading, StationKind};
use std::time::Duration;

#[derive(Parser)]
struct Args {
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    #[arg(long, default_value_t = 30)]
    stations: usize,
    #[arg(long, default_value_t = 48)]
    hours: i64,
}

/// Đà Nẵng's built-up area, where a city's stations stand.
const SOUTH_WEST: (f64, f64) = (15.98, 108.12);
const NORTH_EAST: (f64, f64) = (16.12, 108.26);

fn main() {
    let args = Args::parse();
    let pool = build_pool(
        &Backend::from_url(&args.database_url),
        &PoolSettings { max_size: 1, checkout_timeout: Duration::from_secs(30) },
    );
    let mut conn = pool.get().expect("a database connection");
    migrate(&mut conn).expect("migrations");
    let now = smartcity_db::now();
    let network = air::create_network(&mut conn, "Bench network", "bench-key-hash", now)
        .expect("the network");
    let side = (args.stations as f64).sqrt().ceil() as usize;
    let mut codes = Vec::new();
    for i in 0..args.stations {
        let code = format!("BENCH-{i:03}");
        let (row, column) = ((i / side) as f64, (i % side) as f64);
        let step = 1.0 / side as f64;
        let fields = StationFields {
            network_id: network.clone(),
            name: format!("Trạm {i}"),
            operator: "Sở Tài nguyên và Môi trường".to_string(),
            kind: StationKind::Automatic,
            lat: SOUTH_WEST.0 + (NORTH_EAST.0 - SOUTH_WEST.0) * (row + 0.5) * step,
            lon: SOUTH_WEST.1 + (NORTH_EAST.1 - SOUTH_WEST.1) * (column + 0.5) * step,
            active: true,
        };
        air::save_station(&mut conn, &code, &fields, now).expect("a station");
        codes.push(code);
    }
    let first_hour = now - chrono::TimeDelta::hours(args.hours);
    for code in &codes {
        let readings: Vec<Observation> = (0..args.hours)
            .flat_map(|h| {
                let observed_at = first_hour + chrono::TimeDelta::hours(h);
                // A daily swing, different at each station, kept under Xấu so no warning fires.
                let swing = ((h as f64) / 24.0 * std::f64::consts::TAU).sin();
                let values = [
                    (Parameter::Pm25, 30.0 + 15.0 * swing),
                    (Parameter::Pm10, 60.0 + 20.0 * swing),
                    (Parameter::O3, 80.0 + 30.0 * swing),
                    (Parameter::No2, 40.0 + 10.0 * swing),
                    (Parameter::So2, 20.0 + 5.0 * swing),
                    (Parameter::Co, 2_000.0 + 500.0 * swing),
                ];
                let code = code.clone();
                values.into_iter().map(move |(parameter, value)| Observation {
                    station_code: code.clone(),
                    reading: Reading::parse(parameter, value, "µg/m³").expect("a reading"),
                    observed_at,
                })
            })
            .collect();
        for day in readings.chunks(24 * 6) {
            air::ingest(&mut conn, &network, day, smartcity_db::now()).expect("readings");
        }
        println!("{code}");
    }
}
