//! Complaint categories, areas (wards and communes) and the routing rules between them.

use crate::pool::write_transaction;
use crate::procedures::UpsertCounts;
use crate::schema::{areas, categories, routing_rules};
use crate::{new_id, revisions, DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::complaint::{Bilingual, Category};
use smartcity_domain::routing::Rule;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categories)]
struct CategoryRow {
    code: String,
    name_vi: String,
    name_en: String,
    group_vi: String,
    group_en: String,
    sla_hours: i32,
    icon: String,
    nearby_radius_m: i32,
    questions: String,
    keywords_vi: String,
    keywords_en: String,
    active: bool,
}

impl CategoryRow {
    fn into_stored(self) -> Result<StoredCategory, DbError> {
        Ok(StoredCategory {
            active: self.active,
            category: Category {
                attributes: serde_json::from_str(&self.questions).map_err(|e| {
                    DbError::Corrupt(format!("category {} questions: {e}", self.code))
                })?,
                code: self.code,
                name: Bilingual { vi: self.name_vi, en: self.name_en },
                group: Bilingual { vi: self.group_vi, en: self.group_en },
                keywords: Bilingual { vi: self.keywords_vi, en: self.keywords_en },
                sla_hours: u32::try_from(self.sla_hours).unwrap_or(0),
                icon: self.icon,
                nearby_radius_m: u32::try_from(self.nearby_radius_m).unwrap_or(0),
            },
        })
    }
}

/// A category as stored: retired ones (`active` false) stay for the complaints filed under
/// them, but nothing new is filed under them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCategory {
    pub category: Category,
    pub active: bool,
}

/// Writes every field of `category` and makes it active: an insert, or an update of the
/// existing row (which keeps its place in the list).
fn write_category(conn: &mut DbConn, category: &Category, exists: bool) -> Result<(), DbError> {
    let questions = serde_json::to_string(&category.attributes).expect("serializable");
    let values = (
        categories::name_vi.eq(&category.name.vi),
        categories::name_en.eq(&category.name.en),
        categories::group_vi.eq(&category.group.vi),
        categories::group_en.eq(&category.group.en),
        categories::keywords_vi.eq(&category.keywords.vi),
        categories::keywords_en.eq(&category.keywords.en),
        categories::sla_hours.eq(category.sla_hours as i32),
        categories::icon.eq(&category.icon),
        categories::nearby_radius_m.eq(category.nearby_radius_m as i32),
        categories::questions.eq(questions),
        categories::active.eq(true),
    );
    if exists {
        diesel::update(categories::table.find(&category.code)).set(values).execute(conn)?;
    } else {
        let last: Option<i32> =
            categories::table.select(diesel::dsl::max(categories::sort_order)).first(conn)?;
        diesel::insert_into(categories::table)
            .values((
                categories::code.eq(&category.code),
                categories::sort_order.eq(last.map_or(0, |last| last + 1)),
                values,
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn category_exists(conn: &mut DbConn, code: &str) -> Result<bool, DbError> {
    Ok(categories::table.find(code).count().get_result::<i64>(conn)? > 0)
}

/// Inserts the categories, in order, only into an empty table: the shipped list is where a
/// city starts, and after that the database is the source of truth. True when it inserted.
pub fn insert_categories_if_none(conn: &mut DbConn, list: &[Category]) -> Result<bool, DbError> {
    write_transaction(conn, |conn| {
        if categories::table.count().get_result::<i64>(conn)? > 0 {
            return Ok(false);
        }
        for category in list {
            write_category(conn, category, false)?;
        }
        Ok(true)
    })
}

/// Inserts or updates every category by code, all or nothing; new ones go to the end of the
/// list. An import brings a retired category back.
pub fn import_categories(conn: &mut DbConn, list: &[Category]) -> Result<UpsertCounts, DbError> {
    write_transaction(conn, |conn| {
        let mut counts = UpsertCounts::default();
        for category in list {
            let exists = category_exists(conn, &category.code)?;
            write_category(conn, category, exists)?;
            if exists {
                counts.updated += 1;
            } else {
                counts.inserted += 1;
            }
        }
        Ok(counts)
    })
}

/// Adds a category at the end of the list; false when the code is taken (active or retired).
pub fn create_category(conn: &mut DbConn, category: &Category) -> Result<bool, DbError> {
    let created = write_transaction(conn, |conn| {
        if category_exists(conn, &category.code)? {
            return Ok(false);
        }
        write_category(conn, category, false)?;
        Ok(true)
    });
    match created {
        // Another instance created the same code between our check and our insert.
        Err(DbError::Duplicate(_)) => Ok(false),
        other => other,
    }
}

/// Replaces an existing category (bringing it back if retired); false when there is none.
pub fn replace_category(conn: &mut DbConn, category: &Category) -> Result<bool, DbError> {
    write_transaction(conn, |conn| {
        if !category_exists(conn, &category.code)? {
            return Ok(false);
        }
        write_category(conn, category, true)?;
        Ok(true)
    })
}

/// Retires a category; its row stays for the complaints filed under it. False when there is
/// no such category.
pub fn retire_category(conn: &mut DbConn, code: &str) -> Result<bool, DbError> {
    let retired = diesel::update(categories::table.find(code))
        .set(categories::active.eq(false))
        .execute(conn)?;
    Ok(retired > 0)
}

/// Every category, retired ones too, in display order.
pub fn all_categories(conn: &mut DbConn) -> Result<Vec<StoredCategory>, DbError> {
    categories::table
        .order((categories::sort_order.asc(), categories::code.asc()))
        .select(CategoryRow::as_select())
        .load(conn)?
        .into_iter()
        .map(CategoryRow::into_stored)
        .collect()
}

/// The active categories, in display order: what residents file under.
pub fn list_categories(conn: &mut DbConn) -> Result<Vec<Category>, DbError> {
    categories::table
        .filter(categories::active.eq(true))
        .order((categories::sort_order.asc(), categories::code.asc()))
        .select(CategoryRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| row.into_stored().map(|stored| stored.category))
        .collect()
}

/// The active category `code`.
pub fn find_category(conn: &mut DbConn, code: &str) -> Result<Option<Category>, DbError> {
    Ok(find_any_category(conn, code)?.filter(|c| c.active).map(|c| c.category))
}

/// The category `code`, active or retired.
pub fn find_any_category(conn: &mut DbConn, code: &str) -> Result<Option<StoredCategory>, DbError> {
    categories::table
        .find(code)
        .select(CategoryRow::as_select())
        .first(conn)
        .optional()?
        .map(CategoryRow::into_stored)
        .transpose()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = areas)]
pub struct AreaRow {
    pub id: String,
    pub code: String,
    pub name: String,
    /// A GeoJSON Feature.
    pub geometry: String,
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
    pub inside_lat: f64,
    pub inside_lon: f64,
    pub created_at: NaiveDateTime,
}

pub struct NewArea {
    pub code: String,
    pub name: String,
    pub feature_json: String,
    pub bbox: (f64, f64, f64, f64),
    pub inside: (f64, f64),
}

/// Replaces every area with the given ones (an areas file describes the whole city).
pub fn replace_areas(
    conn: &mut DbConn,
    list: &[NewArea],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    write_transaction(conn, |conn| {
        diesel::delete(areas::table).execute(conn)?;
        for area in list {
            let (min_lat, max_lat, min_lon, max_lon) = area.bbox;
            diesel::insert_into(areas::table)
                .values((
                    areas::id.eq(new_id()),
                    areas::code.eq(&area.code),
                    areas::name.eq(&area.name),
                    areas::geometry.eq(&area.feature_json),
                    areas::min_lat.eq(min_lat),
                    areas::max_lat.eq(max_lat),
                    areas::min_lon.eq(min_lon),
                    areas::max_lon.eq(max_lon),
                    areas::inside_lat.eq(area.inside.0),
                    areas::inside_lon.eq(area.inside.1),
                    areas::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        revisions::bump(conn, revisions::AREAS)
    })
}

/// The areas by name, with the revision they are at (read first, as for the catalogue).
pub fn areas_with_revision(conn: &mut DbConn) -> Result<(i64, Vec<AreaRow>), DbError> {
    let revision = revisions::current(conn, revisions::AREAS)?;
    let rows = areas::table.order(areas::name.asc()).select(AreaRow::as_select()).load(conn)?;
    Ok((revision, rows))
}

/// An area without its shape: what lists and filters show (a city's shapes weigh megabytes).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = areas)]
pub struct AreaName {
    pub code: String,
    pub name: String,
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

/// The areas by name, without their shapes.
pub fn area_names(conn: &mut DbConn) -> Result<Vec<AreaName>, DbError> {
    Ok(areas::table.order(areas::name.asc()).select(AreaName::as_select()).load(conn)?)
}

pub fn areas_revision(conn: &mut DbConn) -> Result<i64, DbError> {
    revisions::current(conn, revisions::AREAS)
}

/// Sets the agency for (category, area); `*` for any. Replaces an existing rule.
pub fn set_rule(conn: &mut DbConn, rule: &Rule) -> Result<(), DbError> {
    write_transaction(conn, |conn| {
        diesel::delete(
            routing_rules::table
                .filter(routing_rules::category_code.eq(&rule.category))
                .filter(routing_rules::area_code.eq(&rule.area)),
        )
        .execute(conn)?;
        diesel::insert_into(routing_rules::table)
            .values((
                routing_rules::category_code.eq(&rule.category),
                routing_rules::area_code.eq(&rule.area),
                routing_rules::agency_id.eq(&rule.agency_id),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn rules(conn: &mut DbConn) -> Result<Vec<Rule>, DbError> {
    let rows: Vec<(String, String, String)> = routing_rules::table
        .select((routing_rules::category_code, routing_rules::area_code, routing_rules::agency_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(category, area, agency_id)| Rule { category, area, agency_id })
        .collect())
}

/// Removes the rule for (category, area), if any: the pair falls back to the wider rules.
pub fn clear_rule(conn: &mut DbConn, category: &str, area: &str) -> Result<(), DbError> {
    diesel::delete(
        routing_rules::table
            .filter(routing_rules::category_code.eq(category))
            .filter(routing_rules::area_code.eq(area)),
    )
    .execute(conn)?;
    Ok(())
}
