//! What the load scripts draw their requests from, one file each in the samples directory:
//! - `places.txt`: `lat lon category` drawn like the complaints, so requests land where they are;
//! - `complaints.txt`: ids of complaints spread evenly over the year (every k-th by filing time);
//! - `actionable.txt`: `id status agency_id` of every complaint still `new` or `acknowledged`,
//!   for staff to take one step further (each step can be taken once);
//! - `staff.txt`: `agency_id phone` of the bench staff member of each agency;
//! - `admin.txt`: the phone of the bench administrator;
//! - `agency_complaints.txt`: `agency_id id category area word` of the same complaints as
//!   `complaints.txt` (`area` is `-` outside every area; `word` is one word of the description,
//!   as staff would type it in the inbox's search), for the console's inbox and complaint pages.
//!
//! Ids are read back from the database rather than remembered while seeding, so the files are
//! whole even when seeding resumed an earlier run.

use crate::complaints::{category, place, Rng, ADMIN_PHONE};
use diesel::prelude::*;
use smartcity_db::schema::complaints;
use smartcity_db::words::Stored;
use smartcity_db::{DbConn, DbError};
use smartcity_domain::complaint::ComplaintStatus;
use std::io::Write;
use std::path::Path;

pub fn write(
    conn: &mut DbConn,
    dir: &str,
    samples: usize,
    staff: &[(String, String)],
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(dir);
    std::fs::create_dir_all(dir)?;

    let mut rng = Rng::new(0x5eed_0002);
    write_lines(
        dir,
        "places.txt",
        (0..samples).map(|_| {
            let (lat, lon) = place(&mut rng);
            format!("{lat:.6} {lon:.6} {}", category(&mut rng))
        }),
    )?;

    let ids: Vec<String> = complaints::table
        .order((complaints::created_at, complaints::id))
        .select(complaints::id)
        .load(conn)
        .map_err(DbError::from)?;
    let step = (ids.len() / samples.max(1)).max(1);
    let sampled: Vec<String> = ids.into_iter().step_by(step).collect();
    write_lines(dir, "complaints.txt", sampled.iter().cloned())?;

    let mut console = Vec::with_capacity(sampled.len());
    for chunk in sampled.chunks(500) {
        let rows: Vec<(String, String, String, Option<String>, String)> = complaints::table
            .filter(complaints::id.eq_any(chunk))
            .select((
                complaints::agency_id,
                complaints::id,
                complaints::category_code,
                complaints::area_code,
                complaints::description,
            ))
            .load(conn)
            .map_err(DbError::from)?;
        console.extend(rows);
    }
    console.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    write_lines(
        dir,
        "agency_complaints.txt",
        console.into_iter().map(|(agency, id, category, area, description)| {
            format!(
                "{agency} {id} {category} {} {}",
                area.as_deref().unwrap_or("-"),
                search_word(&mut rng, &description)
            )
        }),
    )?;

    let actionable: Vec<(String, ComplaintStatus, String)> = complaints::table
        .filter(
            complaints::status
                .eq_any([Stored(ComplaintStatus::New), Stored(ComplaintStatus::Acknowledged)]),
        )
        .order(complaints::id)
        .select((complaints::id, complaints::status, complaints::agency_id))
        .load(conn)
        .map_err(DbError::from)?;
    write_lines(
        dir,
        "actionable.txt",
        actionable
            .into_iter()
            .map(|(id, status, agency)| format!("{id} {} {agency}", status.as_str())),
    )?;

    write_lines(dir, "staff.txt", staff.iter().map(|(agency, phone)| format!("{agency} {phone}")))?;
    write_lines(dir, "admin.txt", std::iter::once(ADMIN_PHONE.to_string()))?;
    Ok(())
}

/// A word of a description of at least three letters, without capitals (the search lowers
/// ASCII letters only, as SQLite's `lower` does, so a capital with a diacritic would not match).
fn search_word(rng: &mut Rng, description: &str) -> String {
    let words: Vec<&str> = description
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3 && !w.chars().any(char::is_uppercase))
        .collect();
    if words.is_empty() {
        return "nhiều".to_string();
    }
    words[rng.below(words.len())].to_string()
}

fn write_lines(dir: &Path, name: &str, lines: impl Iterator<Item = String>) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join(name))?);
    for line in lines {
        writeln!(out, "{line}")?;
    }
    out.flush()
}
