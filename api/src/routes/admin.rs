//! What only administrators do: create agencies and their staff accounts.

use super::accounts::{account_view, NewAccount};
use super::utc;
use crate::auth::AuthUser;
use crate::extract::ApiJson;
use crate::problem::{ApiError, ErrorCode};
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::{agencies, DbError};
use smartcity_domain::account::Role;
use smartcity_domain::agency::NewAgency;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAgencyRequest {
    code: String,
    name: String,
    level: String,
}

#[derive(Debug, Serialize)]
pub struct Agency {
    id: String,
    code: String,
    name: String,
    level: String,
    created_at: String,
}

pub async fn create_agency(
    state: web::Data<AppState>,
    caller: AuthUser,
    body: ApiJson<CreateAgencyRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let new = NewAgency::parse(&body.0.code, &body.0.name, &body.0.level)?;
    let created = state
        .db(move |conn| {
            let inserted = agencies::insert_agency(
                conn,
                new.code.as_str(),
                &new.name,
                new.level.as_str(),
                smartcity_db::now(),
            );
            match inserted {
                Err(DbError::Duplicate(_)) => Ok(None),
                other => other.map(Some),
            }
        })
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::AgencyCodeTaken).with_field("code"))?;
    Ok(HttpResponse::Created().json(Agency {
        id: created.id,
        code: created.code,
        name: created.name,
        level: created.level,
        created_at: utc(created.created_at),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateStaffRequest {
    phone: String,
    password: String,
    display_name: String,
    agency_id: String,
}

pub async fn create_staff(
    state: web::Data<AppState>,
    caller: AuthUser,
    body: ApiJson<CreateStaffRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let body = body.0;
    let account = NewAccount::parse(&body.phone, &body.display_name, &body.password)?;
    let agency_id = body.agency_id;
    let lookup_id = agency_id.clone();
    let agency = state
        .db(move |conn| agencies::find_agency(conn, &lookup_id))
        .await?;
    if agency.is_none() {
        return Err(ApiError::new(ErrorCode::InvalidField)
            .with_field("agency_id")
            .with_detail(
                "Không có cơ quan với mã định danh này",
                "No agency has this id",
            ));
    }
    let user = account.create(&state, Role::Staff, Some(agency_id)).await?;
    Ok(HttpResponse::Created().json(account_view(&state, user).await?))
}
