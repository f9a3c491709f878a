//! The public page at `/`: each agency's record and the newest complaints, for anyone,
//! without a word of what identifies a resident.

use crate::helpers::{file_in_hai_chau, seeded, staff_token, HAI_CHAU};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The cells of the records table's row for agency `code`.
pub(crate) fn record_row(page: &str, code: &str) -> Vec<String> {
    let start =
        page.find(&format!("data-agency=\"{code}\"")).unwrap_or_else(|| panic!("{code} in {page}"));
    let row = &page[start..page[start..].find("</tr>").unwrap() + start];
    row.split("<td")
        .skip(1)
        .map(|cell| {
            let text = &cell[cell.find('>').unwrap() + 1..];
            text[..text.find("</td>").unwrap()].to_string()
        })
        .collect()
}

/// The text of the cell of `class` in agency `code`'s row.
pub(crate) fn record_cell(page: &str, code: &str, class: &str) -> String {
    let start =
        page.find(&format!("data-agency=\"{code}\"")).unwrap_or_else(|| panic!("{code} in {page}"));
    let row = &page[start..page[start..].find("</tr>").unwrap() + start];
    let marker = format!("class=\"num {class}\">");
    let cell =
        &row[row.find(&marker).unwrap_or_else(|| panic!("{class} in {row}")) + marker.len()..];
    cell[..cell.find("</td>").unwrap()].to_string()
}

#[tokio::test]
async fn the_public_page_shows_each_agencys_record_and_the_newest_complaints_but_no_resident() {
    let (app, citizen) = seeded().await;
    let staff = staff_token(&app, "+84901000078", "ubnd-phuong-hai-chau").await;
    let resolved = file_in_hai_chau(&app, &citizen, "street_light").await;
    for step in [
        json!({"type": "acknowledged", "comment": "Đã nhận"}),
        json!({"type": "resolved", "response": "Đã thay bóng"}),
    ] {
        let res = app.post_auth(&format!("/v1/complaints/{resolved}/events"), &staff, &step).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let rating = json!({"type": "rated", "stars": 4});
    let res = app.post_auth(&format!("/v1/complaints/{resolved}/events"), &citizen, &rating).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    file_in_hai_chau(&app, &citizen, "street_light").await;

    let res = app.get("/").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("script-src 'self'"));
    assert!(res.headers()["cache-control"].to_str().unwrap().starts_with("public"));
    let page = res.text().await.unwrap();

    // The same numbers as the public statistics, summed over the months.
    let stats: Value = app.get("/v1/stats/complaints").await.json().await.unwrap();
    let hai_chau: Vec<&Value> = stats["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["agency"]["code"] == "ubnd-phuong-hai-chau")
        .collect();
    assert!(!hai_chau.is_empty(), "{stats}");
    let sum = |field: &str| hai_chau.iter().map(|m| m[field].as_u64().unwrap()).sum::<u64>();
    let row = record_row(&page, "ubnd-phuong-hai-chau");
    assert_eq!(row[1], sum("received").to_string(), "{row:?}");
    assert_eq!(row[1], "2");
    assert_eq!(row[2], sum("resolved").to_string());
    assert_eq!(row[3], "100 %");
    assert!(row[5].starts_with("4.0 ★ (1)"), "{row:?}");
    // An agency with nothing to show is listed, with dashes.
    assert_eq!(record_row(&page, "cong-an-xa-hoa-vang")[3], "—");

    // Both complaints are on the map, by place only.
    for (lat, lon) in [HAI_CHAU, HAI_CHAU] {
        assert!(
            page.contains(&format!("&quot;lat&quot;:{lat}"))
                && page.contains(&format!("&quot;lon&quot;:{lon}")),
            "{page}"
        );
    }
    assert_eq!(page.matches("<tr><td>").count(), 2, "two rows in the recent list: {page}");
    for personal in ["Nguyễn Văn An", "345 678", "345678", "Trần Phú"] {
        assert!(!page.contains(personal), "{personal} on the public page");
    }

    let english = app.get("/?lang=en").await.text().await.unwrap();
    assert!(english.contains("How the city answers its residents"));
    assert!(page.contains("Chính quyền trả lời người dân"));
}
