//! A living demo city on top of the demo data: a few hundred complaints over the last four
//! months and a few dozen dossiers, reported by a handful of demo citizens and handled by the
//! demo agencies' staff, so a newcomer's map, inbox and figures are not empty. Only a database
//! with no complaint and no dossier gets it, so running it again adds nothing. The same seeds
//! make the same city, dated back from the moment it is made.

use super::rng::Rng;
use super::{
    complaints, dossiers, ensure_user, photos, DEMO_ADMIN_PHONE, DEMO_AGENCIES, DEMO_CATALOGUE,
};
use crate::adapters::storage::PhotoStore;
use crate::app::complaints::photos::remove;
use crate::app::database::Database;
use crate::app::error::{ApiError, Bug};
use crate::app::geography::stored_index;
use chrono::{DateTime, Utc};
use smartcity_db::pool::write_transaction;
use smartcity_db::{accounts, agencies, places, DbConn, DbError};
use smartcity_domain::account::Role;
use smartcity_domain::calendar::WorkCalendar;
use smartcity_domain::complaint::Category;
use smartcity_domain::geo::Region;
use smartcity_domain::procedure::parse_catalogue;
use smartcity_domain::routing::Rule;
use std::collections::HashMap;

/// The demo citizens: who reports, follows and applies. Their passwords are never shown: the
/// demo signs in as staff, and a visitor registers their own account.
const DEMO_CITIZENS: &[(&str, &str)] = &[
    ("+84902000001", "Nguyễn Văn An"),
    ("+84902000002", "Trần Thị Thu Hà"),
    ("+84902000003", "Lê Minh Tuấn"),
    ("+84902000004", "Phạm Ngọc Lan"),
    ("+84902000005", "Huỳnh Đức Huy"),
    ("+84902000006", "Võ Thị Mai"),
    ("+84902000007", "Đặng Quốc Dũng"),
    ("+84902000008", "Bùi Thanh Thảo"),
];

const COMPLAINT_SEED: u64 = 0x5eed_c17e_0001;
const DOSSIER_SEED: u64 = 0x5eed_c17e_0002;

/// What the demo city added: nothing when the database already had complaints or dossiers.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CityReport {
    pub complaints: usize,
    pub dossiers: usize,
}

impl std::fmt::Display for CityReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if *self == CityReport::default() {
            return writeln!(f, "demo complaints and dossiers: none added (the database has some)");
        }
        writeln!(
            f,
            "demo complaints: {} added, demo dossiers: {} added",
            self.complaints, self.dossiers
        )
    }
}

fn is_empty(conn: &mut DbConn) -> Result<bool, DbError> {
    use smartcity_db::{complaints, dossiers};
    Ok(complaints::count(conn)? == 0 && dossiers::count(conn)? == 0)
}

/// What the city is planned from, as the database has it after the demo data's seed.
struct Town {
    categories: Vec<Category>,
    rules: Vec<Rule>,
    areas: Vec<places::AreaRow>,
    citizens: Vec<dossiers::Citizen>,
    staff: HashMap<String, String>,
    admin: String,
    /// (agency id, name, the catalogue's agency it receives for), in the demo's order.
    shops: Vec<(String, String, &'static str)>,
}

fn survey(conn: &mut DbConn) -> Result<Town, DbError> {
    let missing = |what: &str| DbError::Corrupt(format!("demo {what} missing; run the seed"));
    let mut citizens = Vec::new();
    for (phone, name) in DEMO_CITIZENS {
        ensure_user(conn, phone, name, Role::Citizen, None)?;
        let user = accounts::find_user_by_phone(conn, phone)?.ok_or_else(|| missing(phone))?;
        citizens.push(dossiers::Citizen { id: user.id, phone: user.phone });
    }
    let mut staff = HashMap::new();
    let mut shops = Vec::new();
    for demo in DEMO_AGENCIES {
        let agency =
            agencies::find_agency_by_code(conn, demo.code)?.ok_or_else(|| missing(demo.code))?;
        if let Some(user) = accounts::find_user_by_phone(conn, demo.staff_phone)? {
            staff.insert(agency.id.clone(), user.id);
        }
        shops.push((agency.id, agency.name, demo.receives));
    }
    let admin = accounts::find_user_by_phone(conn, DEMO_ADMIN_PHONE)?
        .ok_or_else(|| missing("administrator"))?
        .id;
    Ok(Town {
        categories: places::list_categories(conn)?,
        rules: places::rules(conn)?,
        areas: places::areas_with_revision(conn)?.1,
        citizens,
        staff,
        admin,
        shops,
    })
}

/// Plans the complaints and dossiers; a plan the domain's rules refuse is a fault of ours.
fn plan(
    town: Town,
    calendar: &WorkCalendar,
    now: DateTime<Utc>,
) -> Result<(Vec<complaints::Planned>, Vec<dossiers::Planned>), String> {
    let index = stored_index(town.areas, &Region::VIETNAM).map_err(|e| e.to_string())?;
    if index.areas().is_empty() || town.categories.is_empty() {
        return Err("the demo city needs areas and categories".into());
    }
    let citizen_ids: Vec<String> = town.citizens.iter().map(|c| c.id.clone()).collect();
    let setting = complaints::Setting {
        categories: &town.categories,
        rules: &town.rules,
        areas: &index,
        citizens: &citizen_ids,
        staff: &town.staff,
        admin: &town.admin,
        now,
    };
    let planned_complaints = complaints::plan(&setting, &mut Rng::new(COMPLAINT_SEED))?;
    let catalogue = parse_catalogue(DEMO_CATALOGUE).map_err(|e| e.to_string())?;
    let shops: Vec<dossiers::Shop> = town
        .shops
        .into_iter()
        .enumerate()
        .map(|(unit, (agency_id, agency_name, receives))| dossiers::Shop {
            agency_id,
            agency_name,
            unit: unit + 1,
            procedures: catalogue.iter().filter(|p| p.agency.starts_with(receives)).collect(),
        })
        .collect();
    let setting = dossiers::Setting { shops: &shops, citizens: &town.citizens, calendar, now };
    let planned_dossiers = dossiers::plan(&setting, &mut Rng::new(DOSSIER_SEED))?;
    Ok((planned_complaints, planned_dossiers))
}

/// Adds the demo city when the database has no complaint and no dossier yet. The demo data's
/// seed (`seed`) must have run. All or nothing: one transaction, and the photos it stored go
/// again when it does not commit.
pub async fn demo_city(
    pool: &smartcity_db::Pool,
    photo_store: &PhotoStore,
    calendar: &WorkCalendar,
) -> Result<CityReport, ApiError> {
    let db = Database { pool: pool.clone() };
    if !db.run(is_empty).await? {
        return Ok(CityReport::default());
    }
    let town = db.run(survey).await?;
    let categories = town.categories.clone();
    let (now, calendar) = (smartcity_db::now().and_utc(), calendar.clone());
    let (planned_complaints, planned_dossiers) =
        tokio::task::spawn_blocking(move || plan(town, &calendar, now))
            .await?
            .map_err(|bug| ApiError::internal(Bug(format!("demo city: {bug}"))))?;
    let photos = photos::make(photo_store, &categories).await?;
    let keys = photos.keys.clone();
    let written = db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                // Another start may have filled it meanwhile.
                if !is_empty(conn)? {
                    return Ok(CityReport::default());
                }
                for planned in &planned_complaints {
                    complaints::write(conn, planned, &photos)?;
                }
                for planned in &planned_dossiers {
                    dossiers::write(conn, planned)?;
                }
                Ok(CityReport {
                    complaints: planned_complaints.len(),
                    dossiers: planned_dossiers.len(),
                })
            })
        })
        .await;
    if !matches!(&written, Ok(report) if *report != CityReport::default()) {
        remove(photo_store, &keys).await;
    }
    written
}
