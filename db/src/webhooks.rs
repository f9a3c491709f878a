//! Agencies' webhooks and their delivery outbox. A delivery is queued in the transaction of
//! what it tells (a submission, a supplement, a withdrawal), only for an agency that has a
//! webhook; workers claim due rows under a lease, as the push outbox does, so a delivery whose
//! worker died is claimed again and none is lost.

use crate::lease::{self, Outbox};
use crate::schema::{agency_webhooks, webhook_outbox};
use crate::words::Stored;
use crate::{new_id, DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::webhook::{WebhookEvent, WebhookStatus};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agency_webhooks)]
pub struct WebhookRow {
    pub agency_id: String,
    pub url: String,
    pub secret: String,
    pub created_at: NaiveDateTime,
}

/// Sets the agency's webhook (replacing the one before, and its secret).
pub fn register(
    conn: &mut DbConn,
    agency_id: &str,
    url: &str,
    secret: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    crate::pool::write_transaction(conn, |conn| {
        diesel::delete(agency_webhooks::table.find(agency_id)).execute(conn)?;
        diesel::insert_into(agency_webhooks::table)
            .values((
                agency_webhooks::agency_id.eq(agency_id),
                agency_webhooks::url.eq(url),
                agency_webhooks::secret.eq(secret),
                agency_webhooks::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn find(conn: &mut DbConn, agency_id: &str) -> Result<Option<WebhookRow>, DbError> {
    Ok(agency_webhooks::table
        .find(agency_id)
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()?)
}

/// Removes the agency's webhook and what was still waiting to be delivered to it.
pub fn remove(conn: &mut DbConn, agency_id: &str) -> Result<bool, DbError> {
    crate::pool::write_transaction(conn, |conn| {
        let waiting = webhook_outbox::table.filter(webhook_outbox::agency_id.eq(agency_id)).filter(
            webhook_outbox::status
                .eq_any([Stored(WebhookStatus::Queued), Stored(WebhookStatus::Sending)]),
        );
        diesel::delete(waiting).execute(conn)?;
        Ok(diesel::delete(agency_webhooks::table.find(agency_id)).execute(conn)? == 1)
    })
}

/// Queues a delivery to the agency's webhook, if it has one, in the caller's transaction.
pub fn enqueue(
    conn: &mut DbConn,
    agency_id: &str,
    event: WebhookEvent,
    dossier_code: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    if find(conn, agency_id)?.is_none() {
        return Ok(());
    }
    let id = new_id();
    let body = serde_json::json!({
        "id": id,
        "event": event.as_str(),
        "dossier_code": dossier_code,
        "occurred_at": now.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "dossier_url": format!("/v1/agency/dossiers/{dossier_code}"),
    });
    diesel::insert_into(webhook_outbox::table)
        .values((
            webhook_outbox::id.eq(&id),
            webhook_outbox::agency_id.eq(agency_id),
            webhook_outbox::event.eq(Stored(event)),
            webhook_outbox::dossier_code.eq(dossier_code),
            webhook_outbox::body.eq(body.to_string()),
            webhook_outbox::status.eq(Stored(WebhookStatus::Queued)),
            webhook_outbox::due_at.eq(now),
            webhook_outbox::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// A claimed delivery with where it goes.
#[derive(Debug, Clone, Queryable)]
pub struct Delivery {
    pub id: String,
    pub event: WebhookEvent,
    pub body: String,
    pub attempts: i32,
    pub url: String,
    pub secret: String,
}

/// Claims up to `limit` due deliveries until `lease_until`.
pub fn claim(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Delivery>, DbError> {
    let statuses = (WebhookStatus::Queued, WebhookStatus::Sending);
    let claimed = lease::claim(conn, Outbox::Webhook, statuses, now, lease_until, limit)?;
    let ids: Vec<&str> = claimed.iter().map(|c| c.id.as_str()).collect();
    Ok(webhook_outbox::table
        .inner_join(agency_webhooks::table)
        .filter(webhook_outbox::id.eq_any(&ids))
        .select((
            webhook_outbox::id,
            webhook_outbox::event,
            webhook_outbox::body,
            webhook_outbox::attempts,
            agency_webhooks::url,
            agency_webhooks::secret,
        ))
        .load(conn)?)
}

/// What became of a delivery.
pub enum Settlement {
    Delivered,
    RetryAt(NaiveDateTime, String),
    Failed(String),
}

pub fn settle(
    conn: &mut DbConn,
    id: &str,
    settlement: Settlement,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let row = webhook_outbox::table.find(id);
    let lease_none: Option<NaiveDateTime> = None;
    match settlement {
        Settlement::Delivered => diesel::update(row)
            .set((
                webhook_outbox::status.eq(Stored(WebhookStatus::Delivered)),
                webhook_outbox::delivered_at.eq(now),
                webhook_outbox::lease_until.eq(lease_none),
            ))
            .execute(conn)?,
        Settlement::RetryAt(due_at, error) => diesel::update(row)
            .set((
                webhook_outbox::status.eq(Stored(WebhookStatus::Queued)),
                webhook_outbox::due_at.eq(due_at),
                webhook_outbox::last_error.eq(error),
                webhook_outbox::lease_until.eq(lease_none),
            ))
            .execute(conn)?,
        Settlement::Failed(error) => diesel::update(row)
            .set((
                webhook_outbox::status.eq(Stored(WebhookStatus::Failed)),
                webhook_outbox::last_error.eq(error),
                webhook_outbox::lease_until.eq(lease_none),
            ))
            .execute(conn)?,
    };
    Ok(())
}
