//! The procedure catalogue: searched and browsed by citizens, kept by administrators.

use crate::app::auth::Admin;
use crate::app::error::{ApiError, ErrorCode};
use crate::app::state::AppState;
use smartcity_db::agencies::AgencyRow;
use smartcity_db::procedures::{self, ProcedureRow};
use smartcity_db::revisions;
use smartcity_domain::agency::GovLevel;
use smartcity_domain::procedure::ProcedureSpec;
use smartcity_domain::search::Filters;

/// Longer than any sensible question; the index reads only the first words anyway.
const MAX_QUERY_CHARS: usize = 200;

/// One page of a search (an empty `text` lists by name) and how many match in all.
pub async fn search(
    state: &AppState,
    text: &str,
    filters: Filters,
    offset: usize,
    limit: usize,
) -> Result<(Vec<ProcedureRow>, usize), ApiError> {
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::invalid_query(
            "q",
            format!("`q` tối đa {MAX_QUERY_CHARS} ký tự"),
            format!("`q` has at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    if let Some(level) = &filters.level {
        GovLevel::parse("level", level).map_err(|_| {
            ApiError::invalid_query(
                "level",
                "`level` là province hoặc commune",
                "`level` is province or commune",
            )
        })?;
    }
    if filters.service_level.is_some_and(|l| !(1..=4).contains(&l)) {
        return Err(ApiError::invalid_query(
            "service_level",
            "`service_level` từ 1 đến 4",
            "`service_level` is 1–4",
        ));
    }
    let snapshot = state.search.snapshot(&state.database).await?;
    let (codes, total) = snapshot.index.search(text, &filters, offset, limit);
    let rows = codes.iter().filter_map(|code| snapshot.rows.get(code).cloned()).collect();
    Ok((rows, total))
}

/// A procedure by its code, retired ones included (dossiers still name them).
pub async fn find(state: &AppState, code: String) -> Result<ProcedureRow, ApiError> {
    state.db(move |conn| procedures::find(conn, &code)).await?.ok_or_else(ApiError::not_found)
}

/// A procedure as its public page shows it: the row, and how many published answers to
/// citizens' questions are about it.
///
/// One read of the two revisions says whether this instance's copies are current; the page is
/// then answered from memory: a live procedure from the catalogue's copy (a retired one, which
/// the copy leaves out, from its row), and the count from the answers' index.
pub async fn page(state: &AppState, code: String) -> Result<(ProcedureRow, usize), ApiError> {
    let [catalogue, answers] = state
        .db(|conn| revisions::current_pair(conn, [revisions::CATALOGUE, revisions::QUESTIONS]))
        .await?;
    let live = state.search.at(&state.database, catalogue).await?.rows.get(&code).cloned();
    let row = match live {
        Some(row) => row,
        None => find(state, code).await?,
    };
    let answers = state.answers.at(&state.database, answers).await?.published_about(&row.code);
    Ok((row, answers))
}

/// The procedure a citizen names (for an online dossier or a question), unless it is unknown
/// or retired; a refusal names `procedure`.
pub fn named(found: Option<ProcedureRow>) -> Result<ProcedureRow, ApiError> {
    found.filter(|p| p.retired_at.is_none()).ok_or_else(|| {
        ApiError::invalid_field(
            "procedure",
            "Không có thủ tục với mã này",
            "No procedure has this code",
        )
    })
}

/// The agency a citizen names for a procedure: it exists and handles procedures of that level
/// (a ward or commune, or a department); a refusal names `agency`.
pub fn handled_by(
    found: Option<AgencyRow>,
    procedure: &ProcedureRow,
) -> Result<AgencyRow, ApiError> {
    let agency = found.ok_or_else(|| {
        ApiError::invalid_field("agency", "Không có cơ quan với mã này", "No agency has this code")
    })?;
    if agency.level != procedure.level {
        return Err(ApiError::invalid_field(
            "agency",
            "Cơ quan này không giải quyết thủ tục ở cấp này",
            "This agency does not handle procedures of this level",
        ));
    }
    Ok(agency)
}

/// The fields (lĩnh vực) with how many procedures each has.
pub async fn field_counts(state: &AppState) -> Result<Vec<(String, i64)>, ApiError> {
    state.db(procedures::field_counts).await
}

/// Adds a procedure, in the import file's shape; an existing code is a 409.
pub async fn create(
    state: &AppState,
    _: &Admin,
    spec: ProcedureSpec,
) -> Result<ProcedureRow, ApiError> {
    spec.check()?;
    let created = state
        .db(move |conn| {
            let created = procedures::create(conn, &spec, smartcity_db::now())?;
            Ok(created.then_some(procedures::find(conn, &spec.code)?).flatten())
        })
        .await?;
    created.ok_or_else(|| ApiError::new(ErrorCode::ProcedureExists).with_field("code"))
}

/// Replaces the procedure `code` (and brings a retired one back).
pub async fn replace(
    state: &AppState,
    _: &Admin,
    code: &str,
    spec: ProcedureSpec,
) -> Result<ProcedureRow, ApiError> {
    if spec.code != code {
        return Err(ApiError::invalid_field(
            "code",
            "Mã trong nội dung phải trùng mã trên đường dẫn",
            "The code in the body must be the code in the path",
        ));
    }
    spec.check()?;
    state
        .db(move |conn| {
            let replaced = procedures::replace(conn, &spec, smartcity_db::now())?;
            Ok(replaced.then_some(procedures::find(conn, &spec.code)?).flatten())
        })
        .await?
        .ok_or_else(ApiError::not_found)
}

/// Retires it: out of the catalogue and search, still named by the dossiers that use it.
pub async fn retire(state: &AppState, _: &Admin, code: String) -> Result<(), ApiError> {
    let retired =
        state.db(move |conn| procedures::retire(conn, &code, smartcity_db::now())).await?;
    retired.then_some(()).ok_or_else(ApiError::not_found)
}
