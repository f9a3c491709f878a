//! Each form rendered and read back with a real PDF text extractor: what a citizen copying
//! from the slip would get, diacritics included.

use chrono::NaiveDate;
use smartcity_slips::{
    render, Slip, SlipComponent, SlipDossier, SlipError, MAX_COMPONENTS, MAX_TEXT_CHARS,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid test date")
}

fn dossier() -> SlipDossier {
    SlipDossier {
        agency_name: "Ủy ban nhân dân phường Hải Châu".to_owned(),
        dossier_code: "000.00.18.H17-250305-0001".to_owned(),
        applicant_name: "Nguyễn Thị Ánh".to_owned(),
        procedure_name: "Đăng ký khai sinh".to_owned(),
        place: "Đà Nẵng".to_owned(),
        issued_on: date(2025, 3, 5),
        officer: Some("Trần Văn Đức".to_owned()),
    }
}

fn components() -> Vec<SlipComponent> {
    vec![
        SlipComponent {
            name: "Tờ khai đăng ký khai sinh".to_owned(), originals: 1, copies: 0
        },
        SlipComponent { name: "Giấy chứng sinh".to_owned(), originals: 1, copies: 1 },
    ]
}

/// The text of each page without whitespace: where a line wraps, and the extractor's spacing
/// between runs, are layout, not content; every other character must come back exactly.
fn pages(pdf: &[u8]) -> Vec<String> {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    pdf_extract::extract_text_from_mem_by_pages(pdf)
        .expect("the extractor reads the slip")
        .iter()
        .map(|page| compact(page))
        .collect()
}

fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_shows(text: &str, expected: &[&str]) {
    for needle in expected {
        assert!(text.contains(&compact(needle)), "{needle:?} missing from:\n{text}");
    }
}

fn assert_common(slip: &Slip, text: &str) {
    assert_shows(
        text,
        &[
            slip.title(),
            &format!("Mẫu số 0{}", slip.form_number()),
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "ỦY BAN NHÂN DÂN PHƯỜNG HẢI CHÂU",
            "Đà Nẵng, ngày 05 tháng 03 năm 2025",
            "Mã hồ sơ: 000.00.18.H17-250305-0001",
            "Nguyễn Thị Ánh",
            "Đăng ký khai sinh",
            "Trần Văn Đức",
        ],
    );
}

#[test]
fn form_01_receipt_shows_dates_and_components() {
    let slip = Slip::Receipt {
        received_on: date(2025, 3, 5),
        due_on: date(2025, 3, 10),
        components: components(),
    };
    assert_eq!(slip.form_number(), 1);
    let text = pages(&render(&dossier(), &slip).expect("renders")).join("\n");
    assert_common(&slip, &text);
    assert_shows(
        &text,
        &["05/03/2025", "10/03/2025", "Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Bản chính"],
    );
}

#[test]
fn form_02_more_documents_shows_components_reason_and_deadline() {
    let slip = Slip::MoreDocuments {
        components: components(),
        reason: "Giấy chứng sinh bị mờ, không đọc được họ tên người mẹ.".to_owned(),
        deadline: date(2025, 3, 20),
    };
    assert_eq!(slip.form_number(), 2);
    let text = pages(&render(&dossier(), &slip).expect("renders")).join("\n");
    assert_common(&slip, &text);
    assert_shows(&text, &["không đọc được họ tên người mẹ", "20/03/2025", "Giấy chứng sinh"]);
}

#[test]
fn form_03_refusal_shows_reason() {
    let slip = Slip::Refusal {
        reason: "Thủ tục không thuộc thẩm quyền của phường.".to_owned()
    };
    assert_eq!(slip.form_number(), 3);
    let text = pages(&render(&dossier(), &slip).expect("renders")).join("\n");
    assert_common(&slip, &text);
    assert_shows(&text, &["Thủ tục không thuộc thẩm quyền của phường."]);
}

#[test]
fn form_04_apology_shows_both_dates_and_reason() {
    let slip = Slip::Apology {
        first_due_on: date(2025, 3, 10),
        new_due_on: date(2025, 3, 17),
        reason: "Cần xác minh thêm thông tin tại nơi cư trú.".to_owned(),
    };
    assert_eq!(slip.form_number(), 4);
    let text = pages(&render(&dossier(), &slip).expect("renders")).join("\n");
    assert_common(&slip, &text);
    assert_shows(&text, &["10/03/2025", "17/03/2025", "xác minh thêm thông tin"]);
}

#[test]
fn without_officer_the_slip_still_renders() {
    let dossier = SlipDossier { officer: None, ..dossier() };
    let slip = Slip::Refusal { reason: "Hồ sơ giả mạo.".to_owned() };
    let text = pages(&render(&dossier, &slip).expect("renders")).join("\n");
    assert_shows(&text, &["Hồ sơ giả mạo.", "Nguyễn Thị Ánh"]);
}

#[test]
fn long_reason_and_thirty_components_flow_onto_further_pages() {
    let components: Vec<SlipComponent> = (1..=30)
        .map(|i| SlipComponent {
            name: format!("Bản sao giấy tờ chứng minh quyền sử dụng đất ở, số thứ tự {i}"),
            originals: 1,
            copies: 2,
        })
        .collect();
    let sentence = "Giấy tờ nộp kèm chưa có chứng thực của cơ quan có thẩm quyền. ";
    let reason: String = sentence.repeat(30).chars().take(MAX_TEXT_CHARS).collect();
    let slip =
        Slip::MoreDocuments { components, reason: reason.clone(), deadline: date(2025, 4, 1) };
    let pages = pages(&render(&dossier(), &slip).expect("renders"));
    let count = pages.len();
    assert!(count > 1, "{count} page(s)");
    // Every page is numbered at its foot; without the numbers the text runs on unbroken.
    let text: String = pages
        .iter()
        .enumerate()
        .map(|(i, page)| {
            let footer = format!("Trang{}/{count}", i + 1);
            page.strip_suffix(&footer).unwrap_or_else(|| panic!("no {footer} in {page}")).to_owned()
        })
        .collect();
    assert_shows(&text, &["số thứ tự 30 1 2", &reason, "01/04/2025", "Trần Văn Đức"]);
}

#[test]
fn a_word_wider_than_the_page_is_broken_not_lost() {
    let reason = "Đ".repeat(300);
    let slip = Slip::Refusal { reason: reason.clone() };
    let text: String = pages(&render(&dossier(), &slip).expect("renders")).concat();
    assert_shows(&text, &[&format!("Lý do từ chối: {reason}")]);
}

#[test]
fn odd_input_renders_without_panicking() {
    let dossier = SlipDossier {
        agency_name: String::new(),
        dossier_code: "\u{0}\t\r\n".to_owned(),
        applicant_name: "Nguye\u{302}\u{303}n 🙂 漢字".to_owned(),
        ..dossier()
    };
    let slip = Slip::Refusal { reason: "\n\n\n".to_owned() };
    assert!(render(&dossier, &slip).expect("renders").starts_with(b"%PDF-"));
}

#[test]
fn over_long_text_is_refused() {
    let slip = Slip::Refusal { reason: "a".repeat(MAX_TEXT_CHARS + 1) };
    assert!(matches!(render(&dossier(), &slip), Err(SlipError::TooLong { field: "reason" })));
}

#[test]
fn a_typical_slip_stays_small() {
    let slip = Slip::Receipt {
        received_on: date(2025, 3, 5),
        due_on: date(2025, 3, 10),
        components: components(),
    };
    let pdf = render(&dossier(), &slip).expect("renders");
    assert!(pdf.len() < 60_000, "{} bytes", pdf.len());
}

/// Every text at its longest, in every place: it must flow, not fail, and not take long
/// (rustybuzz is optimised in dev builds for this; see the root Cargo.toml).
#[test]
fn the_largest_accepted_input_renders() {
    let long = "Giấy tờ ".repeat(MAX_TEXT_CHARS / 8);
    let dossier = SlipDossier {
        agency_name: long.clone(),
        applicant_name: long.clone(),
        officer: Some(long.clone()),
        ..dossier()
    };
    let component = SlipComponent { name: long.clone(), originals: u8::MAX, copies: u8::MAX };
    let slip = Slip::MoreDocuments {
        components: vec![component; MAX_COMPONENTS],
        reason: long,
        deadline: NaiveDate::MAX,
    };
    let pages = pages(&render(&dossier, &slip).expect("renders"));
    assert!(pages.len() > 50, "{} pages", pages.len());
}
