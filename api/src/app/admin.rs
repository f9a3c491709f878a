//! What only administrators do: agencies and their staff, agency API keys, routing rules,
//! Open311 client keys, and the push outbox's dead letters. Each takes the [`Admin`] proof.

use crate::app::accounts::{self, NewAccount};
use crate::app::auth::{passwords, tokens, Admin};
use crate::app::error::{ApiError, ErrorCode};
use crate::app::state::AppState;
use smartcity_db::accounts::UserRow;
use smartcity_db::agencies::{self, AgencyRow};
use smartcity_db::api_keys::{self, ApiKeyRow};
use smartcity_db::open311::{self, ClientRow};
use smartcity_db::outbox::{self, OutboxRow};
use smartcity_db::{places, DbConn, DbError};
use smartcity_domain::account::Role;
use smartcity_domain::agency::NewAgency;
use smartcity_domain::routing::{Rule, ANY};
use smartcity_domain::validation::clean_text;
use smartcity_domain::Bilingual;

pub async fn create_agency(
    state: &AppState,
    _: &Admin,
    code: &str,
    name: &str,
    level: &str,
) -> Result<AgencyRow, ApiError> {
    let new = NewAgency::parse(code, name, level)?;
    state
        .db(move |conn| {
            let inserted = agencies::insert_agency(
                conn,
                new.code.as_str(),
                &new.name,
                new.level,
                smartcity_db::now(),
            );
            match inserted {
                Err(DbError::Duplicate(_)) => Ok(None),
                other => other.map(Some),
            }
        })
        .await?
        .ok_or_else(|| {
            // Said outright: with only the field named, the reason would read "invalid".
            ApiError::new(ErrorCode::AgencyCodeTaken).with_field("code").with_detail(
                "Mã cơ quan này đã được dùng cho một cơ quan khác",
                "Another agency already has this code",
            )
        })
}

/// An agency as the administration lists it.
pub struct AgencySummary {
    pub agency: AgencyRow,
    /// Its staff accounts, disabled ones included.
    pub staff: i64,
    /// Its API keys not revoked.
    pub live_keys: i64,
}

/// Every agency by name, with its staff and working keys counted.
pub async fn agencies(state: &AppState, _: &Admin) -> Result<Vec<AgencySummary>, ApiError> {
    let rows = state.db(agencies::overview).await?;
    Ok(rows
        .into_iter()
        .map(|(agency, staff, live_keys)| AgencySummary { agency, staff, live_keys })
        .collect())
}

/// The agency with this id, or not found.
pub async fn agency(state: &AppState, _: &Admin, id: String) -> Result<AgencyRow, ApiError> {
    state.db(move |conn| agencies::find_agency(conn, &id)).await?.ok_or_else(ApiError::not_found)
}

/// A staff account of an existing agency.
/// Whether an agency's staff get the daily overdue digest by SMS as well; 404 for an unknown
/// agency.
pub async fn set_sms_reminders(
    state: &AppState,
    _: &Admin,
    id: String,
    enabled: bool,
) -> Result<(), ApiError> {
    let changed = state.db(move |conn| agencies::set_sms_reminders(conn, &id, enabled)).await?;
    changed.then_some(()).ok_or_else(ApiError::not_found)
}

pub async fn create_staff(
    state: &AppState,
    _: &Admin,
    account: NewAccount,
    agency_id: String,
) -> Result<UserRow, ApiError> {
    let lookup_id = agency_id.clone();
    if state.db(move |conn| agencies::find_agency(conn, &lookup_id)).await?.is_none() {
        return Err(ApiError::invalid_field(
            "agency_id",
            "Không có cơ quan với mã định danh này",
            "No agency has this id",
        ));
    }
    accounts::create(state, account, Role::Staff, Some(agency_id)).await
}

/// Staff and administrators, by name.
pub async fn staff_accounts(state: &AppState, _: &Admin) -> Result<Vec<UserRow>, ApiError> {
    state.db(smartcity_db::accounts::list_staff).await
}

/// A new staff account with a password made for it, to be handed over: shown this once.
pub async fn create_staff_with_password(
    state: &AppState,
    admin: &Admin,
    phone: &str,
    display_name: &str,
    agency_id: String,
) -> Result<(UserRow, String), ApiError> {
    let password = passwords::generate();
    let account = NewAccount::parse(phone, display_name, &password)?;
    let user = create_staff(state, admin, account, agency_id).await?;
    Ok((user, password))
}

/// Disables (or enables again) a staff member's or administrator's account. Disabling ends
/// every session it has at once. Nobody disables themselves: the city keeps someone to undo it.
pub async fn set_disabled(
    state: &AppState,
    admin: &Admin,
    user_id: String,
    disabled: bool,
) -> Result<(), ApiError> {
    if disabled && user_id == admin.caller().user.id {
        return Err(ApiError::new(ErrorCode::Forbidden).with_detail(
            "Bạn không thể khoá chính tài khoản của mình",
            "You cannot disable your own account",
        ));
    }
    let now = smartcity_db::now();
    on_staff_account(state, user_id, move |conn, id| {
        smartcity_db::accounts::set_disabled(conn, id, disabled, now)
    })
    .await
}

/// A new password for a staff member or administrator, shown this once; their sessions end.
pub async fn reset_password(
    state: &AppState,
    _: &Admin,
    user_id: String,
) -> Result<String, ApiError> {
    let password = passwords::generate();
    let hash = state.passwords.hash(password.clone()).await?;
    let now = smartcity_db::now();
    on_staff_account(state, user_id, move |conn, id| {
        smartcity_db::accounts::set_password_hash(conn, id, &hash, now)
    })
    .await?;
    Ok(password)
}

/// Applies `change` to a staff member's or administrator's account; a citizen's, or one that
/// does not exist, is not found. `change` says whether it found the row.
async fn on_staff_account(
    state: &AppState,
    user_id: String,
    change: impl FnOnce(&mut DbConn, &str) -> Result<bool, DbError> + Send + 'static,
) -> Result<(), ApiError> {
    let changed = state
        .db(move |conn| {
            let staff = smartcity_db::accounts::find_user(conn, &user_id)?
                .filter(|user| user.role != Role::Citizen);
            match staff {
                Some(_) => change(conn, &user_id),
                None => Ok(false),
            }
        })
        .await?;
    changed.then_some(()).ok_or_else(ApiError::not_found)
}

/// A new key and its stored details: the key itself is shown this once, stored only as a hash.
pub struct IssuedKey<T> {
    pub key: String,
    pub row: T,
}

/// Characters of a key kept in the clear, to tell keys apart in lists.
const KEY_PREFIX_CHARS: usize = 12;

pub async fn create_api_key(
    state: &AppState,
    admin: &Admin,
    agency_id: String,
    label: &str,
) -> Result<IssuedKey<ApiKeyRow>, ApiError> {
    let agency_id = agency(state, admin, agency_id).await?.id;
    let label = clean_text("label", label, 1, 100, false)?;
    let (key, hash) = tokens::new_api_key();
    let prefix: String = key.chars().take(KEY_PREFIX_CHARS).collect();
    let row = state
        .db(move |conn| {
            api_keys::insert(conn, &agency_id, &hash, &prefix, &label, smartcity_db::now())
        })
        .await?;
    Ok(IssuedKey { key, row })
}

pub async fn list_api_keys(
    state: &AppState,
    admin: &Admin,
    agency_id: String,
) -> Result<Vec<ApiKeyRow>, ApiError> {
    let agency_id = agency(state, admin, agency_id).await?.id;
    state.db(move |conn| api_keys::list(conn, &agency_id)).await
}

pub async fn revoke_api_key(
    state: &AppState,
    _: &Admin,
    agency_id: String,
    key_id: String,
) -> Result<(), ApiError> {
    let revoked = state
        .db(move |conn| api_keys::revoke(conn, &agency_id, &key_id, smartcity_db::now()))
        .await?;
    revoked.then_some(()).ok_or_else(ApiError::not_found)
}

/// Removes the rule of one (category, area) pair: it falls back to the wider rules.
pub async fn clear_routing_rule(
    state: &AppState,
    _: &Admin,
    category: String,
    area: String,
) -> Result<(), ApiError> {
    state.db(move |conn| places::clear_rule(conn, &category, &area)).await
}

/// One cell of the routing matrix as an administrator left it: the agency, or none.
pub struct RoutingCell {
    pub category: String,
    pub area: String,
    pub agency_id: Option<String>,
}

/// Applies the cells that differ from the rules in force, each checked as
/// [`set_routing_rule`] checks one; returns how many changed.
pub async fn apply_routing(
    state: &AppState,
    admin: &Admin,
    cells: Vec<RoutingCell>,
) -> Result<usize, ApiError> {
    let rules = routing_rules(state, admin).await?;
    let mut changed = 0;
    for cell in cells {
        let current = rules.iter().find(|r| r.category == cell.category && r.area == cell.area);
        match (current.map(|r| &r.agency_id), cell.agency_id) {
            (Some(now), Some(wanted)) if *now == wanted => {}
            (None, None) => {}
            (_, Some(agency_id)) => {
                let rule = Rule { category: cell.category, area: cell.area, agency_id };
                set_routing_rule(state, admin, rule).await?;
                changed += 1;
            }
            (Some(_), None) => {
                clear_routing_rule(state, admin, cell.category, cell.area).await?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

pub async fn routing_rules(state: &AppState, _: &Admin) -> Result<Vec<Rule>, ApiError> {
    state.db(places::rules).await
}

/// Which agency receives a category in an area (replacing the rule for that pair). Takes
/// effect for the next complaint filed, on every instance.
pub async fn set_routing_rule(state: &AppState, _: &Admin, rule: Rule) -> Result<Rule, ApiError> {
    let (category, area, agency_id) =
        (rule.category.clone(), rule.area.clone(), rule.agency_id.clone());
    let (category_ok, area_ok, agency_ok) = state
        .db(move |conn| {
            let category_ok = category == ANY || places::find_category(conn, &category)?.is_some();
            let area_ok =
                area == ANY || places::areas_with_revision(conn)?.1.iter().any(|a| a.code == area);
            let agency_ok = agencies::find_agency(conn, &agency_id)?.is_some();
            Ok((category_ok, area_ok, agency_ok))
        })
        .await?;
    for (ok, field) in [(category_ok, "category"), (area_ok, "area"), (agency_ok, "agency_id")] {
        if !ok {
            return Err(ApiError::invalid_field(
                field,
                format!("Không có `{field}` này"),
                format!("No such `{field}`"),
            ));
        }
    }
    let stored = rule.clone();
    state.db(move |conn| places::set_rule(conn, &stored)).await?;
    Ok(rule)
}

/// An `api_key` an Open311 client app files with.
pub async fn create_open311_client(
    state: &AppState,
    _: &Admin,
    name: &str,
) -> Result<IssuedKey<ClientRow>, ApiError> {
    let name = clean_text("name", name, 1, 100, false)?;
    let (key, hash) = tokens::new_open311_key();
    let prefix: String = key.chars().take(KEY_PREFIX_CHARS).collect();
    let row = state
        .db(move |conn| open311::insert_client(conn, &name, &hash, &prefix, smartcity_db::now()))
        .await?;
    Ok(IssuedKey { key, row })
}

pub async fn open311_clients(state: &AppState, _: &Admin) -> Result<Vec<ClientRow>, ApiError> {
    state.db(open311::list_clients).await
}

/// The key stops working at once; what the app filed stays.
pub async fn revoke_open311_client(
    state: &AppState,
    _: &Admin,
    id: String,
) -> Result<(), ApiError> {
    let revoked =
        state.db(move |conn| open311::revoke_client(conn, &id, smartcity_db::now())).await?;
    revoked.then_some(()).ok_or_else(ApiError::not_found)
}

/// A push given up on, with whom it was for and what it said.
pub struct DeadLetter {
    pub push: OutboxRow,
    /// The recipient's name.
    pub recipient: String,
    /// The notification's title.
    pub title: Bilingual,
}

/// The latest 200 pushes given up on, newest first.
pub async fn dead_letters(state: &AppState, _: &Admin) -> Result<Vec<DeadLetter>, ApiError> {
    state
        .db(|conn| {
            let pushes = outbox::dead_letters(conn, 200)?;
            let ids: Vec<&str> = pushes.iter().map(|p| p.notification_id.as_str()).collect();
            let addressees = outbox::addressees(conn, &ids)?;
            Ok(pushes
                .into_iter()
                .map(|push| {
                    let found = addressees.iter().find(|(id, ..)| *id == push.notification_id);
                    let (recipient, title) = found
                        .map(|(_, name, title)| (name.clone(), title.clone()))
                        .unwrap_or_default();
                    DeadLetter { push, recipient, title }
                })
                .collect())
        })
        .await
}

/// Puts a dead letter back in the queue, due at once, its attempts counted afresh.
pub async fn requeue(state: &AppState, _: &Admin, id: String) -> Result<(), ApiError> {
    let requeued = state.db(move |conn| outbox::requeue(conn, &id, smartcity_db::now())).await?;
    if requeued {
        state.pushes_queued();
    }
    requeued.then_some(()).ok_or_else(ApiError::not_found)
}
