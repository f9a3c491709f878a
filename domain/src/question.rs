//! Questions citizens ask agencies (hỏi đáp): where they stand, what the asker and the agency's
//! staff are told, and how an answer is made fit to publish (the asker's identity removed).

use crate::dossier::Notice;
use crate::push::NotificationKind;
use crate::validation::{clean_text, Invalid};
use crate::word::impl_word;
use std::collections::BTreeMap;

/// Where a question stands (`questions.status`). A transfer to another agency keeps it asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionStatus {
    /// Waiting for the agency it is with to answer.
    Asked,
    Answered,
}

impl_word!(QuestionStatus {
    Asked => "asked",
    Answered => "answered",
});

/// Working days an agency has to answer, unless an administrator set its own.
pub const DEFAULT_ANSWER_DAYS: i32 = 7;
/// The bounds an administrator may set an agency's answer time within.
pub const ANSWER_DAYS: std::ops::RangeInclusive<i32> = 1..=30;

/// A question as the citizen wrote it, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionText {
    pub title: String,
    pub body: String,
}

impl QuestionText {
    pub fn parse(title: &str, body: &str) -> Result<QuestionText, Invalid> {
        Ok(QuestionText {
            title: clean_text("title", title, 5, 200, false)?,
            body: clean_text("body", body, 10, 4000, true)?,
        })
    }
}

/// An answer, checked.
pub fn parse_answer(raw: &str) -> Result<String, Invalid> {
    clean_text("answer", raw, 2, 8000, true)
}

/// Text fit to publish: the asker's name, phone numbers, e-mail addresses and identity numbers
/// (runs of 9 or more digits, with or without spaces and dots between) replaced by "[…]".
/// Staff read what they publish; this catches what they would miss.
pub fn anonymise(text: &str, asker_name: &str) -> String {
    let without_name = remove_name(text, asker_name);
    let mut out = String::with_capacity(without_name.len());
    for (i, word) in without_name.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if word.contains('@') && word.contains('.') {
            out.push_str(REMOVED);
        } else {
            out.push_str(word);
        }
    }
    remove_digit_runs(&out)
}

const REMOVED: &str = "[…]";

/// Removes the whole name wherever it is written, in any case.
fn remove_name(text: &str, name: &str) -> String {
    let name = name.trim();
    if name.chars().count() < 2 {
        return text.to_string();
    }
    replace_caseless(text, name)
}

fn replace_caseless(text: &str, needle: &str) -> String {
    let lower_text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let lower_needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    let chars: Vec<char> = text.chars().collect();
    // Lowercasing may change lengths for a few scripts; then only exact matches are removed.
    if lower_text.len() != chars.len() {
        return text.replace(needle, REMOVED);
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if lower_text[i..].starts_with(&lower_needle) {
            out.push_str(REMOVED);
            i += lower_needle.len();
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Replaces each run of at least 9 digits (separators ` `, `.`, `-` between digits allowed,
/// and a leading `+`) with the removal mark.
fn remove_digit_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        let plus = chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if chars[i].is_ascii_digit() || plus {
            let mut end = i + usize::from(plus);
            let mut digits = 0;
            let mut last_digit_end = end;
            while end < chars.len() {
                if chars[end].is_ascii_digit() {
                    digits += 1;
                    end += 1;
                    last_digit_end = end;
                } else if matches!(chars[end], ' ' | '.' | '-')
                    && chars.get(end + 1).is_some_and(char::is_ascii_digit)
                {
                    end += 1;
                } else {
                    break;
                }
            }
            if digits >= 9 {
                out.push_str(REMOVED);
            } else {
                out.extend(&chars[start..last_digit_end]);
            }
            i = last_digit_end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn notice(kind: NotificationKind, id: &str, vi: (String, String), en: (String, String)) -> Notice {
    Notice {
        kind,
        title_vi: vi.0,
        body_vi: vi.1,
        title_en: en.0,
        body_en: en.1,
        data: BTreeMap::from([
            ("kind", kind.as_str().to_string()),
            ("question_id", id.to_string()),
        ]),
    }
}

/// What the staff of the agency a question reached are told: its title, nothing of the asker.
pub fn asked_notice(id: &str, title: &str) -> Notice {
    notice(
        NotificationKind::QuestionAsked,
        id,
        ("Câu hỏi mới của công dân".into(), format!("\"{title}\": hãy trả lời đúng hạn.")),
        ("A citizen's new question".into(), format!("\"{title}\": please answer it in time.")),
    )
}

/// What the asker is told when the answer comes.
pub fn answered_notice(id: &str, title: &str, agency: &str) -> Notice {
    notice(
        NotificationKind::QuestionAnswered,
        id,
        ("Câu hỏi đã được trả lời".into(), format!("{agency} đã trả lời \"{title}\".")),
        ("Your question was answered".into(), format!("{agency} answered \"{title}\".")),
    )
}

/// What the asker is told when their question goes to another agency.
pub fn transferred_notice(id: &str, title: &str, agency: &str) -> Notice {
    notice(
        NotificationKind::QuestionTransferred,
        id,
        (
            "Câu hỏi được chuyển cơ quan".into(),
            format!("\"{title}\" đã được chuyển đến {agency} để trả lời."),
        ),
        (
            "Your question went to another agency".into(),
            format!("\"{title}\" was passed to {agency} to answer."),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_stored_as_these_words() {
        crate::word::assert_words(&[
            (QuestionStatus::Asked, "asked"),
            (QuestionStatus::Answered, "answered"),
        ]);
    }

    #[test]
    fn the_askers_name_and_numbers_leave_the_published_text() {
        let text = "Tôi là Nguyễn Văn An, CCCD 048 090 001 234, điện thoại 0912.345.678, \
                    email an.nguyen@example.vn. NGUYỄN VĂN AN hỏi về lệ phí 50000 đồng năm 2026.";
        let published = anonymise(text, "Nguyễn Văn An");
        assert!(!published.to_lowercase().contains("nguyễn văn an"), "{published}");
        for private in ["048", "0912", "345.678", "example.vn"] {
            assert!(!published.contains(private), "{private} in {published}");
        }
        // Amounts and years are not identities.
        assert!(published.contains("50000 đồng năm 2026"), "{published}");
        assert!(published.starts_with("Tôi là […], CCCD […], điện thoại […], email […]"));
    }

    #[test]
    fn international_numbers_and_dashes_are_removed_too() {
        assert_eq!(anonymise("gọi +84 912-345-678 nhé", "X Y"), "gọi […] nhé");
        assert_eq!(anonymise("mã 12345678 giữ nguyên", ""), "mã 12345678 giữ nguyên");
    }

    #[test]
    fn a_question_needs_a_title_and_a_body_of_some_substance() {
        assert_eq!(QuestionText::parse("Hỏi", "Nội dung đủ dài").unwrap_err().field, "title");
        assert_eq!(QuestionText::parse("Lệ phí cấp phép", "ngắn").unwrap_err().field, "body");
        let ok = QuestionText::parse("  Lệ phí cấp phép ", "Lệ phí là bao nhiêu?").unwrap();
        assert_eq!(ok.title, "Lệ phí cấp phép");
    }

    #[test]
    fn notices_name_the_question_and_not_the_asker() {
        let notice = asked_notice("q1", "Lệ phí");
        assert_eq!(notice.data["question_id"], "q1");
        assert_eq!(notice.data["kind"], "question_asked");
        assert_eq!(
            answered_notice("q1", "Lệ phí", "Sở Xây dựng").kind.as_str(),
            "question_answered"
        );
    }
}
