//! The catalogue at bench volume: the real procedures and variants of them, as `bench-seed`
//! stores them and `bench-search` indexes them.

use smartcity_domain::procedure::{ProcedureSpec, ReturnMethod, ServiceLevel, Submission};

const CASES: [&str; 5] =
    ["cấp lại", "trường hợp bị mất", "đối với người nước ngoài", "liên thông", "rút gọn"];
const PLACES: [&str; 12] = [
    "Hải Châu",
    "Thanh Khê",
    "Sơn Trà",
    "Ngũ Hành Sơn",
    "Liên Chiểu",
    "Cẩm Lệ",
    "Hòa Vang",
    "Hội An",
    "Tam Kỳ",
    "Điện Bàn",
    "Núi Thành",
    "Thăng Bình",
];

/// The real procedures grown to `total` with variants: the same procedure for a case and a
/// place.
pub fn variants(real: &[ProcedureSpec], total: usize) -> Vec<ProcedureSpec> {
    (0..total.saturating_sub(real.len()))
        .map(|i| {
            let base = &real[i % real.len()];
            let place = PLACES[(i / real.len()) % PLACES.len()];
            let case = CASES[(i / real.len() / PLACES.len()) % CASES.len()];
            let mut variant = base.clone();
            variant.code = format!("{}-B{i:05}", base.code);
            variant.name = format!("{} {case} tại {place}", base.name);
            variant.name_en = format!("{} ({case}, {place})", base.name_en);
            variant.service_level = (i % 4) as u8 + 1;
            variant.submission = submission_at(base, variant.service_level);
            variant
        })
        .collect()
}

/// The base's submission as a variant of level `level` may have it: none below level 3, and
/// the result online only at level 4.
fn submission_at(base: &ProcedureSpec, level: ServiceLevel) -> Option<Submission> {
    let mut submission = base.submission.clone().filter(|_| level >= 3)?;
    if level < 4 {
        submission.return_methods.retain(|method| *method != ReturnMethod::Online);
    }
    Some(submission).filter(|s| !s.return_methods.is_empty())
}
