//! The complaint categories as administrators keep them. The database is their source of
//! truth: every instance reads them from it on each request, so a change is seen everywhere
//! at once. Retiring keeps the row for the complaints filed under it.

use crate::app::auth::Admin;
use crate::app::error::{ApiError, ErrorCode};
use crate::app::state::AppState;
use smartcity_db::places::{self, StoredCategory};
use smartcity_domain::complaint::Category;

/// Every category, retired ones too, in display order.
pub async fn all(state: &AppState, _: &Admin) -> Result<Vec<StoredCategory>, ApiError> {
    state.db(places::all_categories).await
}

/// Adds a category at the end of the list; a code already used (active or retired) is a 409.
pub async fn create(
    state: &AppState,
    _: &Admin,
    category: Category,
) -> Result<StoredCategory, ApiError> {
    category.check()?;
    let code = category.code.clone();
    let created = state
        .db(move |conn| {
            let created = places::create_category(conn, &category)?;
            Ok(created.then_some(places::find_any_category(conn, &category.code)?).flatten())
        })
        .await?;
    created.ok_or_else(|| {
        ApiError::new(ErrorCode::CategoryExists).with_field("code").with_detail(
            format!("Đã có loại phản ánh `{code}`; dùng PUT để thay"),
            format!("The category `{code}` exists; replace it with PUT"),
        )
    })
}

/// Replaces the category `code` wholly (and brings a retired one back). Complaints filed
/// from now on follow it (their SLA, their questions); those filed before keep their due time.
pub async fn replace(
    state: &AppState,
    _: &Admin,
    code: &str,
    category: Category,
) -> Result<StoredCategory, ApiError> {
    if category.code != code {
        return Err(ApiError::invalid_field(
            "code",
            "Mã trong nội dung phải trùng mã trên đường dẫn",
            "The code in the body must be the code in the path",
        ));
    }
    category.check()?;
    state
        .db(move |conn| {
            let replaced = places::replace_category(conn, &category)?;
            Ok(replaced.then_some(places::find_any_category(conn, &category.code)?).flatten())
        })
        .await?
        .ok_or_else(ApiError::not_found)
}

/// Retires the category `code`: nothing new is filed under it, and it leaves the public list
/// and Open311's services; the complaints filed under it keep it. Retiring again is no error.
pub async fn retire(state: &AppState, _: &Admin, code: String) -> Result<(), ApiError> {
    let retired = state.db(move |conn| places::retire_category(conn, &code)).await?;
    retired.then_some(()).ok_or_else(ApiError::not_found)
}
