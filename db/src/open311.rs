//! Open311 client apps and their keys (stored hashed), and complaints read as GeoReport service
//! requests.

use crate::complaints::ComplaintRow;
use crate::schema::open311_clients;
use crate::schema::{agencies, categories, complaint_events, complaint_photos, complaints};
use crate::words::Stored;
use crate::{new_id, DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::complaint::ComplaintStatus;
use smartcity_domain::photo::PhotoKind;
use std::collections::HashMap;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = open311_clients)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub key_hash: String,
    pub prefix: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert_client(
    conn: &mut DbConn,
    name: &str,
    key_hash: &str,
    prefix: &str,
    now: NaiveDateTime,
) -> Result<ClientRow, DbError> {
    let id = new_id();
    diesel::insert_into(open311_clients::table)
        .values((
            open311_clients::id.eq(&id),
            open311_clients::name.eq(name),
            open311_clients::key_hash.eq(key_hash),
            open311_clients::prefix.eq(prefix),
            open311_clients::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(open311_clients::table.find(&id).select(ClientRow::as_select()).first(conn)?)
}

pub fn list_clients(conn: &mut DbConn) -> Result<Vec<ClientRow>, DbError> {
    Ok(open311_clients::table
        .order(open311_clients::created_at.asc())
        .select(ClientRow::as_select())
        .load(conn)?)
}

/// Revokes a client's key; false when there is no such client.
pub fn revoke_client(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> Result<bool, DbError> {
    let exists = open311_clients::table.find(id).count().get_result::<i64>(conn)? == 1;
    diesel::update(
        open311_clients::table
            .filter(open311_clients::id.eq(id))
            .filter(open311_clients::revoked_at.is_null()),
    )
    .set(open311_clients::revoked_at.eq(now))
    .execute(conn)?;
    Ok(exists)
}

/// The client a live key belongs to.
pub fn client_of_key(conn: &mut DbConn, key_hash: &str) -> Result<Option<String>, DbError> {
    Ok(open311_clients::table
        .filter(open311_clients::key_hash.eq(key_hash))
        .filter(open311_clients::revoked_at.is_null())
        .select(open311_clients::id)
        .first(conn)
        .optional()?)
}

/// What GeoReport tells of a complaint beyond its row.
pub struct ServiceRequest {
    pub complaint: ComplaintRow,
    pub category_name_vi: String,
    pub category_name_en: String,
    pub agency_name: String,
    /// The first photo filed with it, if any.
    pub first_photo_id: Option<String>,
    /// The client's own media link, for requests an Open311 client filed.
    pub media_url: Option<String>,
    /// The words of the latest public event that has any.
    pub status_notes: Option<String>,
}

/// Which complaints `GET requests` asks for.
pub enum RequestFilter<'a> {
    Ids(&'a [String]),
    Window {
        service_codes: &'a [String],
        statuses: &'a [ComplaintStatus],
        from: NaiveDateTime,
        to: NaiveDateTime,
        limit: i64,
    },
}

/// Complaints as service requests, newest first.
pub fn service_requests(
    conn: &mut DbConn,
    filter: &RequestFilter,
) -> Result<Vec<ServiceRequest>, DbError> {
    let mut query = complaints::table
        .inner_join(categories::table)
        .inner_join(agencies::table)
        .select((
            ComplaintRow::as_select(),
            categories::name_vi,
            categories::name_en,
            agencies::name,
            complaints::media_url,
        ))
        .order((complaints::created_at.desc(), complaints::id.desc()))
        .into_boxed();
    match filter {
        RequestFilter::Ids(ids) => query = query.filter(complaints::id.eq_any(*ids)),
        RequestFilter::Window { service_codes, statuses, from, to, limit } => {
            query = query
                .filter(complaints::created_at.ge(*from))
                .filter(complaints::created_at.le(*to))
                .limit(*limit);
            if !service_codes.is_empty() {
                query = query.filter(complaints::category_code.eq_any(*service_codes));
            }
            if !statuses.is_empty() {
                let statuses: Vec<Stored<ComplaintStatus>> =
                    statuses.iter().map(|s| Stored(*s)).collect();
                query = query.filter(complaints::status.eq_any(statuses));
            }
        }
    }
    let rows: Vec<(ComplaintRow, String, String, String, Option<String>)> = query.load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|(c, ..)| c.id.as_str()).collect();

    let mut first_photos: HashMap<String, String> = HashMap::new();
    let photos: Vec<(String, String)> = complaint_photos::table
        .filter(complaint_photos::complaint_id.eq_any(&ids))
        .filter(complaint_photos::kind.eq(Stored(PhotoKind::Report)))
        .order((complaint_photos::complaint_id, complaint_photos::position.desc()))
        .select((complaint_photos::complaint_id, complaint_photos::id))
        .load(conn)?;
    // Positions descend, so the last insert per complaint is its first photo.
    first_photos.extend(photos);

    let mut notes: HashMap<String, String> = HashMap::new();
    let events: Vec<(String, Option<String>)> = complaint_events::table
        .filter(complaint_events::complaint_id.eq_any(&ids))
        .filter(complaint_events::is_public.eq(true))
        .filter(complaint_events::body.is_not_null())
        .order((complaint_events::created_at.asc(), complaint_events::id.asc()))
        .select((complaint_events::complaint_id, complaint_events::body))
        .load(conn)?;
    notes.extend(events.into_iter().filter_map(|(id, body)| Some((id, body?))));

    Ok(rows
        .into_iter()
        .map(|(complaint, category_name_vi, category_name_en, agency_name, media_url)| {
            ServiceRequest {
                first_photo_id: first_photos.remove(&complaint.id),
                status_notes: notes.remove(&complaint.id),
                complaint,
                category_name_vi,
                category_name_en,
                agency_name,
                media_url,
            }
        })
        .collect())
}

/// The complaint a filing's token stands for.
pub fn request_of_token(conn: &mut DbConn, token: &str) -> Result<Option<String>, DbError> {
    Ok(complaints::table
        .filter(complaints::open311_token.eq(token))
        .select(complaints::id)
        .first(conn)
        .optional()?)
}

/// The token an Open311 filing was answered with.
pub fn token_of_request(conn: &mut DbConn, id: &str) -> Result<Option<String>, DbError> {
    Ok(complaints::table
        .find(id)
        .select(complaints::open311_token)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}
