//! The phones people receive pushes on, by FCM registration token.

use crate::pool::write_transaction;
use crate::schema::devices;
use crate::words::Stored;
use crate::{DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::push::Platform;
use smartcity_domain::Lang;

pub struct NewDevice<'a> {
    pub token: &'a str,
    pub user_id: &'a str,
    pub session_id: &'a str,
    pub platform: Platform,
    pub app_version: &'a str,
    pub lang: Lang,
}

/// What registering a token did.
#[derive(Debug, PartialEq, Eq)]
pub enum Registered {
    New,
    /// It was this person's already (a new sign-in, app version or language).
    Renewed,
    /// It was another person's: someone else signed in on that phone.
    MovedFrom {
        user_id: String,
    },
}

/// Registers a token for this person and sign-in. A token is one app install, so when someone
/// else signs in on that phone the token moves to them.
pub fn register(
    conn: &mut DbConn,
    device: &NewDevice,
    now: NaiveDateTime,
) -> Result<Registered, DbError> {
    write_transaction(conn, |conn| {
        if let Some(registered) = take_over(conn, device, now)? {
            return Ok(registered);
        }
        // In a savepoint: when another registration of the same new token commits first, its
        // row is taken over instead of the request failing.
        let inserted = write_transaction(conn, |conn| {
            diesel::insert_into(devices::table)
                .values((
                    devices::token.eq(device.token),
                    fields(device, now),
                    devices::created_at.eq(now),
                ))
                .execute(conn)
                .map_err(DbError::from)
        });
        match inserted {
            Ok(_) => Ok(Registered::New),
            Err(DbError::Duplicate(_)) => take_over(conn, device, now)?.ok_or_else(|| {
                DbError::Corrupt("a device that refused a duplicate is gone".into())
            }),
            Err(other) => Err(other),
        }
    })
}

/// What a registration writes besides the token and its creation time.
type Fields<'a> = (
    diesel::dsl::Eq<devices::user_id, &'a str>,
    diesel::dsl::Eq<devices::session_id, &'a str>,
    diesel::dsl::Eq<devices::platform, Stored<Platform>>,
    diesel::dsl::Eq<devices::app_version, &'a str>,
    diesel::dsl::Eq<devices::lang, Stored<Lang>>,
    diesel::dsl::Eq<devices::updated_at, NaiveDateTime>,
);

fn fields<'a>(device: &'a NewDevice, now: NaiveDateTime) -> Fields<'a> {
    (
        devices::user_id.eq(device.user_id),
        devices::session_id.eq(device.session_id),
        devices::platform.eq(Stored(device.platform)),
        devices::app_version.eq(device.app_version),
        devices::lang.eq(Stored(device.lang)),
        devices::updated_at.eq(now),
    )
}

/// Gives an existing token to this person, saying whose it was; `None` when there is no such
/// token. The row is held (an update that changes nothing) before its holder is read, so two
/// registrations at once each see the holder the other left.
fn take_over(
    conn: &mut DbConn,
    device: &NewDevice,
    now: NaiveDateTime,
) -> Result<Option<Registered>, DbError> {
    let held = diesel::update(devices::table.find(device.token))
        .set(devices::token.eq(devices::token))
        .execute(conn)?;
    if held == 0 {
        return Ok(None);
    }
    let holder: String = devices::table.find(device.token).select(devices::user_id).first(conn)?;
    diesel::update(devices::table.find(device.token)).set(fields(device, now)).execute(conn)?;
    Ok(Some(if holder == device.user_id {
        Registered::Renewed
    } else {
        Registered::MovedFrom { user_id: holder }
    }))
}

/// Removes one of this person's tokens; false when they have no such token.
pub fn remove(conn: &mut DbConn, user_id: &str, token: &str) -> Result<bool, DbError> {
    let removed = diesel::delete(
        devices::table.filter(devices::token.eq(token)).filter(devices::user_id.eq(user_id)),
    )
    .execute(conn)?;
    Ok(removed == 1)
}

/// The devices registered under a sign-in, removed when it ends.
pub fn remove_for_session(conn: &mut DbConn, session_id: &str) -> Result<(), DbError> {
    diesel::delete(devices::table.filter(devices::session_id.eq(session_id))).execute(conn)?;
    Ok(())
}
