//! Demo data: a provincial department, two communes and a commune police, one staff account
//! each, an administrator, and the procedure catalogue shipped in `data/procedures.json`.
//! Running it again changes nothing that exists; passwords are shown only when an account is made.
//! On top of it, [`demo_city`] adds complaints and dossiers to a database that has none.

mod city;
mod complaints;
mod dossiers;
mod photos;
mod rng;
mod texts;

pub use city::{demo_city, CityReport};

use crate::app::auth::passwords;
use crate::app::geography::storable;
use smartcity_db::accounts::{self, NewUser};
use smartcity_db::procedures::{self, UpsertCounts};
use smartcity_db::questions::{self, TopicRow};
use smartcity_db::{agencies, places, DbConn, DbError};
use smartcity_domain::account::Role;
use smartcity_domain::agency::GovLevel;
use smartcity_domain::complaint::parse_categories;
use smartcity_domain::geo::{parse_areas, Region};
use smartcity_domain::procedure::parse_catalogue;
use smartcity_domain::routing::Rule;

pub const DEMO_CATALOGUE: &str = include_str!("../../../../data/procedures.json");
pub const DEMO_CATEGORIES: &str = include_str!("../../../../data/categories.json");
pub const DEMO_AREAS: &str = include_str!("../../../../data/areas.geojson");

/// Who gets what in the demo city: each commune its own area, the commune police the noise in
/// theirs, and the provincial department everything else.
const DEMO_RULES: &[(&str, &str, &str)] = &[
    ("*", "*", "so-xay-dung"),
    ("*", "DEMO-02", "ubnd-phuong-hai-chau"),
    ("*", "DEMO-05", "ubnd-xa-hoa-vang"),
    ("noise", "DEMO-05", "cong-an-xa-hoa-vang"),
];

struct DemoAgency {
    code: &'static str,
    name: &'static str,
    level: GovLevel,
    staff_phone: &'static str,
    staff_name: &'static str,
    /// The catalogue's `agency` of the procedures its one-stop shop receives (a prefix).
    receives: &'static str,
}

const DEMO_AGENCIES: &[DemoAgency] = &[
    DemoAgency {
        code: "so-xay-dung",
        name: "Sở Xây dựng",
        level: GovLevel::Province,
        staff_phone: "+84901000001",
        staff_name: "Trần Thị Bình",
        receives: "Sở Xây dựng",
    },
    DemoAgency {
        code: "ubnd-phuong-hai-chau",
        name: "UBND phường Hải Châu",
        level: GovLevel::Commune,
        staff_phone: "+84901000002",
        staff_name: "Lê Văn Cường",
        receives: "UBND cấp xã",
    },
    DemoAgency {
        code: "ubnd-xa-hoa-vang",
        name: "UBND xã Hòa Vang",
        level: GovLevel::Commune,
        staff_phone: "+84901000003",
        staff_name: "Phạm Thị Dung",
        receives: "UBND cấp xã",
    },
    DemoAgency {
        code: "cong-an-xa-hoa-vang",
        name: "Công an xã Hòa Vang",
        level: GovLevel::Commune,
        staff_phone: "+84901000004",
        staff_name: "Hoàng Văn Em",
        receives: "Công an cấp xã",
    },
];

pub const DEMO_ADMIN_PHONE: &str = "+84900000001";

#[derive(Debug)]
pub struct CreatedAccount {
    pub role: &'static str,
    pub phone: String,
    pub password: String,
    pub agency: Option<&'static str>,
}

#[derive(Debug)]
pub struct SeedReport {
    pub accounts: Vec<CreatedAccount>,
    pub procedures: UpsertCounts,
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "procedures: {} added, {} updated",
            self.procedures.inserted, self.procedures.updated
        )?;
        if self.accounts.is_empty() {
            return writeln!(
                f,
                "demo accounts: already present (passwords were shown when they were made)"
            );
        }
        writeln!(f, "demo accounts (passwords are shown only this once):")?;
        for account in &self.accounts {
            writeln!(
                f,
                "  {:<6} {}  password {}{}",
                account.role,
                account.phone,
                account.password,
                account.agency.map(|a| format!("  ({a})")).unwrap_or_default()
            )?;
        }
        Ok(())
    }
}

/// Creates a user unless the phone is taken; returns the password when it made one.
fn ensure_user(
    conn: &mut DbConn,
    phone: &str,
    name: &str,
    role: Role,
    agency_id: Option<&str>,
) -> Result<Option<String>, DbError> {
    if accounts::find_user_by_phone(conn, phone)?.is_some() {
        return Ok(None);
    }
    let password = passwords::generate();
    accounts::insert_user(
        conn,
        &NewUser {
            id: &uuid::Uuid::new_v4().to_string(),
            phone,
            password_hash: &passwords::hash(&password),
            display_name: name,
            role,
            agency_id,
            disabled: false,
            created_at: smartcity_db::now(),
            // The demo's people have proved their numbers, so every flow works at once.
            phone_verified_at: Some(smartcity_db::now()),
        },
    )?;
    Ok(Some(password))
}

pub fn seed(conn: &mut DbConn) -> Result<SeedReport, DbError> {
    let now = smartcity_db::now();
    let mut created = Vec::new();
    if let Some(password) = ensure_user(conn, DEMO_ADMIN_PHONE, "Quản trị viên", Role::Admin, None)?
    {
        created.push(CreatedAccount {
            role: "admin",
            phone: DEMO_ADMIN_PHONE.into(),
            password,
            agency: None,
        });
    }
    for demo in DEMO_AGENCIES {
        let agency = match agencies::find_agency_by_code(conn, demo.code)? {
            Some(agency) => agency,
            None => agencies::insert_agency(conn, demo.code, demo.name, demo.level, now)?,
        };
        if let Some(password) =
            ensure_user(conn, demo.staff_phone, demo.staff_name, Role::Staff, Some(&agency.id))?
        {
            created.push(CreatedAccount {
                role: "staff",
                phone: demo.staff_phone.into(),
                password,
                agency: Some(demo.name),
            });
        }
    }
    let catalogue = parse_catalogue(DEMO_CATALOGUE)
        .expect("the shipped catalogue is valid (checked by a domain test)");
    let procedures = procedures::upsert_all(conn, &catalogue, now)?;

    let categories = parse_categories(DEMO_CATEGORIES)
        .expect("the shipped categories are valid (checked by a domain test)");
    // Only into an empty table: administrators edit categories afterwards, and a seed run
    // again must not undo their edits.
    places::insert_categories_if_none(conn, &categories)?;
    if places::areas_with_revision(conn)?.1.is_empty() {
        let areas = parse_areas(DEMO_AREAS, "name", &Region::VIETNAM)
            .expect("the shipped areas are valid (checked by a domain test)");
        places::replace_areas(conn, &storable(&areas), now)?;
    }
    if places::rules(conn)?.is_empty() {
        for (category, area, agency_code) in DEMO_RULES {
            let agency = agencies::find_agency_by_code(conn, agency_code)?
                .ok_or_else(|| DbError::Corrupt(format!("demo agency {agency_code} missing")))?;
            let rule = Rule {
                category: category.to_string(),
                area: area.to_string(),
                agency_id: agency.id,
            };
            places::set_rule(conn, &rule)?;
        }
    }
    if questions::topics(conn)?.is_empty() {
        for (code, name_vi, name_en, agency_code) in DEMO_QUESTION_TOPICS {
            let agency = agencies::find_agency_by_code(conn, agency_code)?
                .ok_or_else(|| DbError::Corrupt(format!("demo agency {agency_code} missing")))?;
            let topic = TopicRow {
                code: code.to_string(),
                name_vi: name_vi.to_string(),
                name_en: name_en.to_string(),
                agency_id: agency.id,
                updated_at: now,
            };
            questions::save_topic(conn, &topic)?;
        }
    }
    Ok(SeedReport { accounts: created, procedures })
}

/// General topics citizens may ask about, and the agency each goes to.
const DEMO_QUESTION_TOPICS: &[(&str, &str, &str, &str)] = &[
    ("xay-dung-do-thi", "Xây dựng, đô thị", "Building and urban planning", "so-xay-dung"),
    ("ho-tich-cu-tru", "Hộ tịch, cư trú", "Civil status and residence", "ubnd-phuong-hai-chau"),
    ("an-ninh-trat-tu", "An ninh, trật tự", "Public order and safety", "cong-an-xa-hoa-vang"),
];
