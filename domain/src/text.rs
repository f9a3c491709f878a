//! Text folding: Vietnamese typed with or without diacritics compares alike (search), and reads
//! without them where an alphabet has none (SMS).

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Lower-cases `text` and strips its diacritics (see [`strip_diacritics`]).
/// "Đăng ký khai sinh" → "dang ky khai sinh".
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    without_marks(text, |c| folded.extend(c.to_lowercase()));
    folded
}

/// `text` without its diacritics, case kept: every character is decomposed (NFD) and its
/// combining marks dropped; `đ`/`Đ`, a letter of its own rather than `d` with a mark, becomes
/// `d`/`D`. "Đăng ký khai sinh" → "Dang ky khai sinh".
pub fn strip_diacritics(text: &str) -> String {
    let mut stripped = String::with_capacity(text.len());
    without_marks(text, |c| stripped.push(c));
    stripped
}

/// Calls `each` with the characters of `text` decomposed, without their combining marks.
fn without_marks(text: &str, mut each: impl FnMut(char)) {
    for c in text.chars() {
        if c.is_ascii() {
            each(c);
            continue;
        }
        decompose_canonical(c, |part| {
            if is_combining_mark(part) {
                return;
            }
            each(match part {
                'đ' => 'd',
                'Đ' => 'D',
                _ => part,
            });
        });
    }
}

/// The words of a folded text: its runs of letters and digits.
pub fn tokens(folded: &str) -> Vec<&str> {
    folded.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_strips_vietnamese_diacritics_and_case() {
        assert_eq!(fold("Đăng ký khai sinh"), "dang ky khai sinh");
        assert_eq!(fold("ĐĂNG KÝ KẾT HÔN"), "dang ky ket hon");
        assert_eq!(fold("Giấy chứng nhận quyền sử dụng đất"), "giay chung nhan quyen su dung dat");
        assert_eq!(fold("Ưu đãi, ở, ợ, Ỹ"), "uu dai, o, o, y");
        assert_eq!(fold("already plain 123"), "already plain 123");
    }

    #[test]
    fn fold_accepts_decomposed_input() {
        // Some keyboards send the base letter followed by combining marks.
        assert_eq!(fold("Đa\u{0306}ng ky\u{0301}"), "dang ky");
        assert_eq!(fold("Đăng ký"), fold("Đa\u{0306}ng ky\u{0301}"));
    }

    #[test]
    fn strip_diacritics_keeps_case() {
        assert_eq!(strip_diacritics("Đăng ký KẾT HÔN"), "Dang ky KET HON");
        assert_eq!(strip_diacritics("Thừa Thiên Huế, đường Ỷ Lan"), "Thua Thien Hue, duong Y Lan");
        assert_eq!(strip_diacritics("Đa\u{0306}ng ky\u{0301}"), "Dang ky");
        assert_eq!(strip_diacritics("plain 123"), "plain 123");
    }

    #[test]
    fn tokens_split_on_anything_but_letters_and_digits() {
        assert_eq!(
            tokens(&fold("Đăng ký nhận cha, mẹ, con")),
            ["dang", "ky", "nhan", "cha", "me", "con"]
        );
        assert_eq!(tokens("x-quang  a1/2024"), ["x", "quang", "a1", "2024"]);
        assert!(tokens(" ,.-?! ").is_empty());
        assert!(tokens("").is_empty());
    }
}
