//! Replies a person texts back: a keyword that stops (or restarts) the dossier messages,
//! optionally followed by the dossier code it is about.

use crate::text::fold;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    OptOut,
    OptIn,
}

/// A reply that is a keyword: what it asks, and the dossier code after it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyKeyword {
    pub intent: Intent,
    /// Upper-cased as codes are issued.
    pub dossier_code: Option<String>,
}

/// Keywords, folded (lower case, no diacritics), as words.
const OPT_OUT: &[&[&str]] = &[&["tc"], &["tu", "choi"], &["tuchoi"], &["huy"], &["stop"]];
const OPT_IN: &[&[&str]] = &[&["dk"], &["dang", "ky"], &["start"]];

/// Reads a reply: one keyword (`TC`, `TU CHOI`, `TỪ CHỐI`, `HUY`, `STOP` to stop; `DK`,
/// `DANG KY`, `START` to start again), in any case, with or without diacritics, and at most a
/// dossier code after it. Anything else (a question, a sentence that happens to begin with
/// "tc") is not a keyword.
pub fn reply_keyword(text: &str) -> Option<ReplyKeyword> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let folded: Vec<String> = words.iter().map(|word| fold(word)).collect();
    let folded: Vec<&str> = folded.iter().map(String::as_str).collect();
    let keyword = |list: &[&[&str]]| {
        list.iter().find(|keyword| folded.starts_with(keyword)).map(|keyword| keyword.len())
    };
    let (intent, used) = match (keyword(OPT_OUT), keyword(OPT_IN)) {
        (Some(used), _) => (Intent::OptOut, used),
        (None, Some(used)) => (Intent::OptIn, used),
        (None, None) => return None,
    };
    let dossier_code = match &words[used..] {
        [] => None,
        [code] if looks_like_dossier_code(code) => Some(code.to_ascii_uppercase()),
        _ => return None,
    };
    Some(ReplyKeyword { intent, dossier_code })
}

pub fn is_opt_out_reply(text: &str) -> bool {
    reply_keyword(text).is_some_and(|reply| reply.intent == Intent::OptOut)
}

pub fn is_opt_in_reply(text: &str) -> bool {
    reply_keyword(text).is_some_and(|reply| reply.intent == Intent::OptIn)
}

/// Letters, digits and the separators of dossier codes, with at least one digit.
fn looks_like_dossier_code(word: &str) -> bool {
    (4..=60).contains(&word.len())
        && word.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
        && word.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opt_out_keywords_in_any_case_with_or_without_diacritics() {
        for text in ["TC", "tc", " Tc \n", "TU CHOI", "tu  choi", "TỪ CHỐI", "Từ chối", "TUCHOI"]
        {
            assert!(is_opt_out_reply(text), "{text:?}");
            assert!(!is_opt_in_reply(text), "{text:?}");
        }
        for text in ["HUY", "Hủy", "huỷ", "STOP", "stop"] {
            assert!(is_opt_out_reply(text), "{text:?}");
        }
    }

    #[test]
    fn a_dossier_code_may_follow() {
        assert_eq!(
            reply_keyword("TC UBND-PHUONG-HAI-CHAU-261207-0001"),
            Some(ReplyKeyword {
                intent: Intent::OptOut,
                dossier_code: Some("UBND-PHUONG-HAI-CHAU-261207-0001".into())
            })
        );
        assert_eq!(
            reply_keyword("từ chối 000.00.19.h55-261207-0001 "),
            Some(ReplyKeyword {
                intent: Intent::OptOut,
                dossier_code: Some("000.00.19.H55-261207-0001".into())
            })
        );
        assert_eq!(
            reply_keyword("dk"),
            Some(ReplyKeyword { intent: Intent::OptIn, dossier_code: None })
        );
        assert!(is_opt_in_reply("DK 000.00.19.H55-261207-0001"));
    }

    #[test]
    fn opt_in_keywords() {
        for text in ["DK", "dk", "ĐK", "Đăng ký", "DANG KY", "START", " start "] {
            assert!(is_opt_in_reply(text), "{text:?}");
            assert!(!is_opt_out_reply(text), "{text:?}");
        }
    }

    #[test]
    fn other_replies_are_not_keywords() {
        for text in [
            "",
            "   ",
            "TC la gi?",
            "tc tc",
            "Tôi không muốn từ chối",
            "TCX",
            "STOPPED",
            "huy bo ho so",
            "cam on",
            "TC ABC",
            "DK please",
        ] {
            assert_eq!(reply_keyword(text), None, "{text:?}");
        }
    }
}
