//! Warnings to areas and the areas residents follow. A warning's issue, change or cancel and
//! its fan-out (an inbox row for every subscriber of its areas, a push for each of their
//! phones) are one transaction, written set-wise: a ward holds tens of thousands of people.

use crate::pool::write_transaction;
use crate::schema::{
    devices, notification_mutes, notifications, push_outbox, user_areas, users, warning_areas,
    warnings,
};
use crate::sms::{self, Message, Texting};
use crate::words::{Stored, WordText};
use crate::{new_id, DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamp};
use smartcity_domain::dossier::Notice;
use smartcity_domain::push::{NotificationKind, PushStatus};
use smartcity_domain::sms::templates::{OptOut, SmsTemplate};
use smartcity_domain::sms::{SmsPurpose, SmsStatus};
use smartcity_domain::warning::{AreaLabel, Severity, WarningKind, MAX_AREAS_PER_PERSON};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = warnings)]
pub struct WarningRow {
    pub id: String,
    pub kind: WarningKind,
    pub severity: Severity,
    pub title_vi: String,
    pub body_vi: String,
    pub title_en: Option<String>,
    pub body_en: Option<String>,
    pub polygon: Option<String>,
    pub valid_from: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    pub cancelled_at: Option<NaiveDateTime>,
    pub version: i32,
    pub agency_id: Option<String>,
    pub station_code: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A warning and the area codes it concerns.
#[derive(Debug, Clone)]
pub struct StoredWarning {
    pub row: WarningRow,
    pub areas: Vec<String>,
}

/// What a warning says and where, as written by its author (or by the air quality job).
#[derive(Debug, Clone)]
pub struct WarningContent {
    pub kind: WarningKind,
    pub severity: Severity,
    pub title_vi: String,
    pub body_vi: String,
    pub title_en: Option<String>,
    pub body_en: Option<String>,
    /// GeoJSON geometry and its box `(min_lat, max_lat, min_lon, max_lon)`.
    pub polygon: Option<(String, (f64, f64, f64, f64))>,
    pub valid_from: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    /// Never empty: a polygon's warning concerns the areas it overlaps.
    pub areas: Vec<String>,
}

/// Who issued a warning.
#[derive(Debug, Clone)]
pub struct Issuer {
    pub agency_id: Option<String>,
    pub user_id: Option<String>,
    pub station_code: Option<String>,
}

/// How far a change reached: inbox rows written, pushes queued and text messages queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FanOut {
    pub inbox: usize,
    pub pushes: usize,
    pub texts: usize,
}

/// A severe warning's change by SMS, to subscribers without the app: the operator's rules and
/// what the message says (`label`: "Khẩn cấp", "Cập nhật", …).
pub struct WarningSms<'a> {
    pub texting: &'a Texting,
    pub label: &'a str,
    pub title: &'a str,
}

/// Issues a warning and tells its subscribers, in one transaction. `notice` is built by the
/// caller from the new id (`id` is chosen by the caller so the notice can carry it).
pub fn issue(
    conn: &mut DbConn,
    id: &str,
    content: &WarningContent,
    issuer: &Issuer,
    notice: &Notice,
    texts: Option<&WarningSms>,
    now: NaiveDateTime,
) -> Result<FanOut, DbError> {
    write_transaction(conn, |conn| {
        let (polygon, bbox) = split_polygon(content);
        diesel::insert_into(warnings::table)
            .values((
                warnings::id.eq(id),
                warnings::kind.eq(Stored(content.kind)),
                warnings::severity.eq(Stored(content.severity)),
                warnings::title_vi.eq(&content.title_vi),
                warnings::body_vi.eq(&content.body_vi),
                warnings::title_en.eq(&content.title_en),
                warnings::body_en.eq(&content.body_en),
                warnings::polygon.eq(polygon),
                warnings::min_lat.eq(bbox.map(|b| b.0)),
                warnings::max_lat.eq(bbox.map(|b| b.1)),
                warnings::min_lon.eq(bbox.map(|b| b.2)),
                warnings::max_lon.eq(bbox.map(|b| b.3)),
                warnings::valid_from.eq(content.valid_from),
                warnings::valid_until.eq(content.valid_until),
                warnings::version.eq(1),
                warnings::agency_id.eq(&issuer.agency_id),
                warnings::issued_by.eq(&issuer.user_id),
                warnings::station_code.eq(&issuer.station_code),
                warnings::created_at.eq(now),
                warnings::updated_at.eq(now),
            ))
            .execute(conn)?;
        set_areas(conn, id, &content.areas)?;
        fan_out(conn, id, 1, notice, texts, now)
    })
}

/// Replaces what a warning says and where, and tells the subscribers of its areas (the new
/// ones: an area dropped from it hears no more). None when there is no such live warning.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    content: &WarningContent,
    notice: &Notice,
    texts: Option<&WarningSms>,
    now: NaiveDateTime,
) -> Result<Option<FanOut>, DbError> {
    write_transaction(conn, |conn| {
        let Some(version) = live_version(conn, id)? else {
            return Ok(None);
        };
        let (polygon, bbox) = split_polygon(content);
        diesel::update(warnings::table.find(id))
            .set((
                warnings::kind.eq(Stored(content.kind)),
                warnings::severity.eq(Stored(content.severity)),
                warnings::title_vi.eq(&content.title_vi),
                warnings::body_vi.eq(&content.body_vi),
                warnings::title_en.eq(&content.title_en),
                warnings::body_en.eq(&content.body_en),
                warnings::polygon.eq(polygon),
                warnings::min_lat.eq(bbox.map(|b| b.0)),
                warnings::max_lat.eq(bbox.map(|b| b.1)),
                warnings::min_lon.eq(bbox.map(|b| b.2)),
                warnings::max_lon.eq(bbox.map(|b| b.3)),
                warnings::valid_from.eq(content.valid_from),
                warnings::valid_until.eq(content.valid_until),
                warnings::version.eq(version + 1),
                warnings::updated_at.eq(now),
            ))
            .execute(conn)?;
        diesel::delete(warning_areas::table.filter(warning_areas::warning_id.eq(id)))
            .execute(conn)?;
        set_areas(conn, id, &content.areas)?;
        fan_out(conn, id, version + 1, notice, texts, now).map(Some)
    })
}

/// Calls a warning off and tells its subscribers. None when there is no such live warning.
pub fn cancel(
    conn: &mut DbConn,
    id: &str,
    notice: &Notice,
    texts: Option<&WarningSms>,
    now: NaiveDateTime,
) -> Result<Option<FanOut>, DbError> {
    write_transaction(conn, |conn| {
        let Some(version) = live_version(conn, id)? else {
            return Ok(None);
        };
        diesel::update(warnings::table.find(id))
            .set((
                warnings::cancelled_at.eq(now),
                warnings::version.eq(version + 1),
                warnings::updated_at.eq(now),
            ))
            .execute(conn)?;
        fan_out(conn, id, version + 1, notice, texts, now).map(Some)
    })
}

/// Ends a warning now without telling anyone (the air over a station cleared: the warning's
/// own end time would otherwise keep it showing).
pub fn end_now(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(warnings::table.find(id).filter(warnings::valid_until.gt(now)))
        .set((warnings::valid_until.eq(now), warnings::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// The version of a warning that has not been cancelled, locked for the change (the row is
/// updated at once, which holds its lock on PostgreSQL; SQLite's write transaction holds all).
fn live_version(conn: &mut DbConn, id: &str) -> Result<Option<i32>, DbError> {
    Ok(warnings::table
        .find(id)
        .filter(warnings::cancelled_at.is_null())
        .select(warnings::version)
        .first(conn)
        .optional()?)
}

type PolygonColumns<'a> = (Option<&'a str>, Option<(f64, f64, f64, f64)>);

fn split_polygon(content: &WarningContent) -> PolygonColumns<'_> {
    match &content.polygon {
        Some((geometry, bbox)) => (Some(geometry.as_str()), Some(*bbox)),
        None => (None, None),
    }
}

fn set_areas(conn: &mut DbConn, id: &str, areas: &[String]) -> Result<(), DbError> {
    for area in areas {
        diesel::insert_into(warning_areas::table)
            .values((warning_areas::warning_id.eq(id), warning_areas::area_code.eq(area)))
            .execute(conn)?;
    }
    Ok(())
}

/// An inbox row for every active person following one of the warning's areas (once, however
/// many of its areas they follow), and a push for each of their phones unless they turned
/// warnings off. Ids are made of the warning, its version and the person, so a version reaches
/// a person once.
fn fan_out(
    conn: &mut DbConn,
    warning_id: &str,
    version: i32,
    notice: &Notice,
    texts: Option<&WarningSms>,
    now: NaiveDateTime,
) -> Result<FanOut, DbError> {
    let prefix = format!("w.{warning_id}.{version}.");
    let data = serde_json::to_string(&notice.data).expect("a string map serializes");
    let subscribers = user_areas::table
        .inner_join(warning_areas::table.on(warning_areas::area_code.eq(user_areas::area_code)))
        .inner_join(users::table)
        .filter(warning_areas::warning_id.eq(warning_id))
        .filter(users::disabled.eq(false));
    let inbox = diesel::insert_into(notifications::table)
        .values(
            subscribers
                .select((
                    prefix.clone().into_sql::<Text>().concat(user_areas::user_id),
                    user_areas::user_id,
                    Stored(notice.kind).into_sql::<WordText>(),
                    notice.title_vi.clone().into_sql::<Text>(),
                    notice.body_vi.clone().into_sql::<Text>(),
                    notice.title_en.clone().into_sql::<Text>(),
                    notice.body_en.clone().into_sql::<Text>(),
                    data.into_sql::<Text>(),
                    now.into_sql::<Timestamp>(),
                ))
                .distinct(),
        )
        .into_columns((
            notifications::id,
            notifications::user_id,
            notifications::kind,
            notifications::title_vi,
            notifications::body_vi,
            notifications::title_en,
            notifications::body_en,
            notifications::data,
            notifications::created_at,
        ))
        .execute(conn)?;
    let muted = notification_mutes::table
        .filter(notification_mutes::user_id.eq(user_areas::user_id))
        .filter(notification_mutes::kind.eq(Stored(NotificationKind::Warning)));
    let notification_id = prefix.into_sql::<Text>().concat(user_areas::user_id);
    let pushes = diesel::insert_into(push_outbox::table)
        .values(
            subscribers
                .inner_join(devices::table.on(devices::user_id.eq(user_areas::user_id)))
                .filter(not(exists(muted)))
                .select((
                    notification_id.clone().concat(".").concat(devices::token),
                    notification_id,
                    devices::token,
                    Stored(PushStatus::Queued).into_sql::<WordText>(),
                    0.into_sql::<Integer>(),
                    now.into_sql::<Timestamp>(),
                    now.into_sql::<Timestamp>(),
                ))
                .distinct(),
        )
        .into_columns((
            push_outbox::id,
            push_outbox::notification_id,
            push_outbox::device_token,
            push_outbox::status,
            push_outbox::attempts,
            push_outbox::due_at,
            push_outbox::created_at,
        ))
        .execute(conn)?;
    let texts = match texts {
        Some(texts) => text_subscribers_without_app(conn, warning_id, texts, now)?,
        None => 0,
    };
    Ok(FanOut { inbox, pushes, texts })
}

/// Texts the proven numbers of the warning's subscribers who have no phone registered for
/// pushes (one message a number, whatever areas it follows); how many were queued (the rest
/// were recorded capped or opted out).
fn text_subscribers_without_app(
    conn: &mut DbConn,
    warning_id: &str,
    texts: &WarningSms,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let with_app = devices::table.filter(devices::user_id.eq(user_areas::user_id));
    let phones: Vec<String> = user_areas::table
        .inner_join(warning_areas::table.on(warning_areas::area_code.eq(user_areas::area_code)))
        .inner_join(users::table)
        .filter(warning_areas::warning_id.eq(warning_id))
        .filter(users::disabled.eq(false))
        .filter(users::phone_verified_at.is_not_null())
        .filter(not(exists(with_app)))
        .select(users::phone)
        .distinct()
        .load(conn)?;
    let mut queued = 0;
    for phone in phones {
        let message = Message {
            phone: &phone,
            purpose: SmsPurpose::Warning,
            dossier_code: None,
            covering: None,
        };
        let render = |opt_out: OptOut<'_>, city: &str| {
            SmsTemplate::Warning { label: texts.label, title: texts.title, opt_out }.render(city)
        };
        let status = sms::text_with_opt_out(conn, texts.texting, message, render, now)?;
        if status == SmsStatus::Queued {
            queued += 1;
        }
    }
    Ok(queued)
}

pub fn find(conn: &mut DbConn, id: &str) -> Result<Option<StoredWarning>, DbError> {
    let Some(row) =
        warnings::table.find(id).select(WarningRow::as_select()).first(conn).optional()?
    else {
        return Ok(None);
    };
    let mut with_areas = with_areas(conn, vec![row])?;
    Ok(with_areas.pop())
}

fn with_areas(conn: &mut DbConn, rows: Vec<WarningRow>) -> Result<Vec<StoredWarning>, DbError> {
    let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
    let pairs: Vec<(String, String)> = warning_areas::table
        .filter(warning_areas::warning_id.eq_any(&ids))
        .order((warning_areas::warning_id, warning_areas::area_code))
        .select((warning_areas::warning_id, warning_areas::area_code))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let areas =
                pairs.iter().filter(|(id, _)| *id == row.id).map(|(_, a)| a.clone()).collect();
            StoredWarning { row, areas }
        })
        .collect())
}

/// Warnings not cancelled and not yet ended (in force, or announced ahead) concerning one of
/// `areas` or, when given, whose polygon's box holds `point` (the caller checks the polygon
/// itself); the most severe first, then the newest.
pub fn current(
    conn: &mut DbConn,
    areas: &[String],
    point: Option<(f64, f64)>,
    now: NaiveDateTime,
) -> Result<Vec<StoredWarning>, DbError> {
    let by_area = warning_areas::table
        .filter(warning_areas::area_code.eq_any(areas))
        .select(warning_areas::warning_id);
    let mut query = warnings::table
        .filter(warnings::cancelled_at.is_null())
        .filter(warnings::valid_until.gt(now))
        .select(WarningRow::as_select())
        .into_boxed();
    query = match point {
        Some((lat, lon)) => query.filter(
            warnings::id.eq_any(by_area).or(warnings::min_lat
                .le(lat)
                .and(warnings::max_lat.ge(lat))
                .and(warnings::min_lon.le(lon).and(warnings::max_lon.ge(lon)))),
        ),
        None => query.filter(warnings::id.eq_any(by_area)),
    };
    let mut rows: Vec<WarningRow> =
        query.order((warnings::created_at.desc(), warnings::id.desc())).limit(200).load(conn)?;
    rows.sort_by_key(|row| std::cmp::Reverse(row.severity));
    with_areas(conn, rows)
}

/// The live warning of an air quality episode at a station, if one is still in force.
pub fn station_episode(
    conn: &mut DbConn,
    station_code: &str,
    now: NaiveDateTime,
) -> Result<Option<String>, DbError> {
    Ok(warnings::table
        .filter(warnings::station_code.eq(station_code))
        .filter(warnings::cancelled_at.is_null())
        .filter(warnings::valid_until.gt(now))
        .select(warnings::id)
        .first(conn)
        .optional()?)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = user_areas)]
pub struct UserAreaRow {
    pub id: String,
    pub label: AreaLabel,
    pub area_code: String,
    pub created_at: NaiveDateTime,
}

pub fn user_areas(conn: &mut DbConn, user_id: &str) -> Result<Vec<UserAreaRow>, DbError> {
    Ok(user_areas::table
        .filter(user_areas::user_id.eq(user_id))
        .order((user_areas::created_at, user_areas::id))
        .select(UserAreaRow::as_select())
        .load(conn)?)
}

/// What following an area came to.
#[derive(Debug)]
pub enum Followed {
    Added(UserAreaRow),
    /// The person already follows it under that label: the row they have.
    Already(UserAreaRow),
    /// They follow as many areas as anyone may.
    TooMany,
}

pub fn follow_area(
    conn: &mut DbConn,
    user_id: &str,
    label: AreaLabel,
    area_code: &str,
    now: NaiveDateTime,
) -> Result<Followed, DbError> {
    write_transaction(conn, |conn| {
        // Two follows of one person at once on PostgreSQL queue on their account's row, so the
        // count below stays true until the insert (SQLite's write transaction already does).
        diesel::update(users::table.find(user_id)).set(users::id.eq(user_id)).execute(conn)?;
        let mine = user_areas(conn, user_id)?;
        if let Some(row) = mine.iter().find(|r| r.label == label && r.area_code == area_code) {
            return Ok(Followed::Already(row.clone()));
        }
        if mine.len() >= MAX_AREAS_PER_PERSON {
            return Ok(Followed::TooMany);
        }
        let row =
            UserAreaRow { id: new_id(), label, area_code: area_code.to_string(), created_at: now };
        diesel::insert_into(user_areas::table)
            .values((
                user_areas::id.eq(&row.id),
                user_areas::user_id.eq(user_id),
                user_areas::label.eq(Stored(label)),
                user_areas::area_code.eq(area_code),
                user_areas::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(Followed::Added(row))
    })
}

/// False when the person follows no such area.
pub fn unfollow_area(conn: &mut DbConn, user_id: &str, id: &str) -> Result<bool, DbError> {
    let removed = diesel::delete(
        user_areas::table.filter(user_areas::id.eq(id)).filter(user_areas::user_id.eq(user_id)),
    )
    .execute(conn)?;
    Ok(removed == 1)
}
