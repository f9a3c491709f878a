//! Complaint categories, areas (wards and communes) and the routing rules between them.

use crate::pool::write_transaction;
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
}

impl CategoryRow {
    fn into_category(self) -> Result<Category, DbError> {
        Ok(Category {
            attributes: serde_json::from_str(&self.questions)
                .map_err(|e| DbError::Corrupt(format!("category {} questions: {e}", self.code)))?,
            code: self.code,
            name: Bilingual { vi: self.name_vi, en: self.name_en },
            group: Bilingual { vi: self.group_vi, en: self.group_en },
            keywords: Bilingual { vi: self.keywords_vi, en: self.keywords_en },
            sla_hours: u32::try_from(self.sla_hours).unwrap_or(0),
            icon: self.icon,
            nearby_radius_m: u32::try_from(self.nearby_radius_m).unwrap_or(0),
        })
    }
}

/// Inserts or updates the categories by code, in the given order.
pub fn upsert_categories(conn: &mut DbConn, list: &[Category]) -> Result<(), DbError> {
    write_transaction(conn, |conn| {
        for (position, category) in list.iter().enumerate() {
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
                categories::sort_order.eq(position as i32),
                categories::active.eq(true),
            );
            let updated = diesel::update(categories::table.find(&category.code))
                .set(values.clone())
                .execute(conn)?;
            if updated == 0 {
                diesel::insert_into(categories::table)
                    .values((categories::code.eq(&category.code), values))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}

pub fn list_categories(conn: &mut DbConn) -> Result<Vec<Category>, DbError> {
    categories::table
        .filter(categories::active.eq(true))
        .order(categories::sort_order.asc())
        .select(CategoryRow::as_select())
        .load(conn)?
        .into_iter()
        .map(CategoryRow::into_category)
        .collect()
}

pub fn find_category(conn: &mut DbConn, code: &str) -> Result<Option<Category>, DbError> {
    categories::table
        .find(code)
        .filter(categories::active.eq(true))
        .select(CategoryRow::as_select())
        .first(conn)
        .optional()?
        .map(CategoryRow::into_category)
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
