//! One text form per enum: the word a value is stored as in a text column and compared with in
//! queries. The db crate maps every `Word` to and from its column the same way.

use crate::validation::{Invalid, Reason};

pub trait Word: Copy + 'static {
    /// Every value, each once.
    const ALL: &'static [Self];
    /// The words of `ALL`, in its order: what a refusal lists as allowed.
    const WORDS: &'static [&'static str];

    fn as_str(self) -> &'static str;

    fn from_word(word: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|value| value.as_str() == word)
    }

    /// `from_word` for what a person sent: the refusal names the field and the allowed words.
    fn parse_word(field: &str, raw: &str) -> Result<Self, Invalid> {
        Self::from_word(raw)
            .ok_or_else(|| Invalid::new(field, Reason::OneOf { allowed: Self::WORDS }))
    }
}

/// Implements `Word` (and inherent `ALL`, `const fn as_str`) from one list of variants and their
/// words. The `match` it writes is exhaustive, so a new variant without a word does not compile,
/// and `ALL` is the same list, so it cannot miss one.
macro_rules! impl_word {
    ($name:ident { $($variant:ident => $word:expr),+ $(,)? }) => {
        impl $name {
            pub const ALL: [$name; [$($word),+].len()] = [$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl $crate::word::Word for $name {
            const ALL: &'static [$name] = &$name::ALL;
            const WORDS: &'static [&'static str] = &[$($word),+];

            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }
    };
}
pub(crate) use impl_word;

/// Checks an enum's words against the list a test pins literally, so renaming a variant cannot
/// silently change what is written to the database; and that nothing else is taken for a word.
#[cfg(test)]
pub(crate) fn assert_words<W: Word + PartialEq + std::fmt::Debug>(pinned: &[(W, &str)]) {
    let values: Vec<W> = pinned.iter().map(|(value, _)| *value).collect();
    let words: Vec<&str> = pinned.iter().map(|(_, word)| *word).collect();
    assert_eq!(W::ALL, values.as_slice(), "ALL is the pinned values in the pinned order");
    assert_eq!(W::WORDS, words.as_slice());
    for (value, word) in pinned {
        assert_eq!(value.as_str(), *word, "{value:?}");
        assert_eq!(W::from_word(value.as_str()), Some(*value), "{word}");
        assert_eq!(W::parse_word("f", word), Ok(*value), "{word}");
        for near in
            [word.to_uppercase(), format!(" {word}"), format!("{word} "), format!("{word}s")]
        {
            assert_eq!(W::from_word(&near), None, "{near:?}");
        }
    }
    let mut distinct = words.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), words.len(), "no two values share a word");
    for unknown in ["", "unknown", "null"] {
        assert_eq!(W::from_word(unknown), None, "{unknown:?}");
        assert_eq!(
            W::parse_word("field", unknown),
            Err(Invalid::new("field", Reason::OneOf { allowed: W::WORDS }))
        );
    }
}
