//! Text folding for search: Vietnamese typed with or without diacritics compares alike.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Lower-cases `text` and strips its diacritics: every character is decomposed (NFD) and its
/// combining marks dropped; `đ`/`Đ`, a letter of its own rather than `d` with a mark, becomes
/// `d`. "Đăng ký khai sinh" → "dang ky khai sinh".
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            folded.push(c.to_ascii_lowercase());
            continue;
        }
        decompose_canonical(c, |part| {
            if is_combining_mark(part) {
                return;
            }
            match part {
                'đ' | 'Đ' => folded.push('d'),
                _ => folded.extend(part.to_lowercase()),
            }
        });
    }
    folded
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
