//! People and their credentials: roles, display names, password strength.

use crate::phone::PhoneNumber;
use crate::validation::{clean_text, Invalid, Reason};
use crate::word::{impl_word, Word};
use serde::{Deserialize, Serialize};
use zxcvbn::{zxcvbn, Score};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Citizen,
    Staff,
    Admin,
}

impl_word!(Role {
    Citizen => "citizen",
    Staff => "staff",
    Admin => "admin",
});

impl Role {
    pub fn from_stored(s: &str) -> Option<Role> {
        Self::from_word(s)
    }
}

/// The name a person shows: 1–100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(field: &str, raw: &str) -> Result<DisplayName, Invalid> {
        clean_text(field, raw, 1, 100, false).map(DisplayName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// A password that passed the strength rules. Kept only long enough to be hashed.
pub struct NewPassword(String);

impl NewPassword {
    /// Refuses passwords zxcvbn scores below 3 ("safely unguessable"), also judging them against
    /// what the person told us (phone, name) so `Nguyen0912345678` does not pass.
    pub fn parse(field: &str, raw: &str, personal: &[&str]) -> Result<NewPassword, Invalid> {
        let count = raw.chars().count();
        if count < PASSWORD_MIN_CHARS {
            return Err(Invalid::new(field, Reason::TooShort { min: PASSWORD_MIN_CHARS }));
        }
        if count > PASSWORD_MAX_CHARS {
            return Err(Invalid::new(field, Reason::TooLong { max: PASSWORD_MAX_CHARS }));
        }
        let entropy = zxcvbn(raw, personal);
        if entropy.score() < Score::Three {
            let hint_en = entropy
                .feedback()
                .and_then(|f| f.warning().map(|w| w.to_string()))
                .unwrap_or_else(|| "Use a longer phrase of uncommon words.".into());
            return Err(Invalid::new(
                field,
                Reason::WeakPassword {
                    hint_vi: "Hãy dùng một cụm từ dài hơn, gồm những từ ít phổ biến, \
                              không chứa tên hay số điện thoại."
                        .into(),
                    hint_en,
                },
            ));
        }
        Ok(NewPassword(raw.to_string()))
    }

    /// [`parse`](Self::parse), judged against the account's number (both ways it is written)
    /// and its owner's name.
    pub fn for_account(
        field: &str,
        raw: &str,
        phone: &PhoneNumber,
        name: &str,
    ) -> Result<NewPassword, Invalid> {
        let national = phone.e164().replace("+84", "0");
        NewPassword::parse(field, raw, &[phone.e164(), national.as_str(), name])
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        for weak in ["password", "12345678", "matkhau123", "Nguyen0912345678"] {
            let err = NewPassword::parse("password", weak, &["Nguyen", "0912345678"]).err();
            assert!(err.is_some(), "{weak} should be refused");
        }
        let short = NewPassword::parse("password", "aB3$", &[]).err().unwrap();
        assert_eq!(short.reason, Reason::TooShort { min: 8 });
    }

    #[test]
    fn a_long_uncommon_phrase_passes() {
        assert!(NewPassword::parse("password", "ca phe sua da luc bay gio", &[]).is_ok());
    }

    #[test]
    fn role_round_trips_through_storage() {
        for role in [Role::Citizen, Role::Staff, Role::Admin] {
            assert_eq!(Role::from_stored(role.as_str()), Some(role));
        }
    }

    #[test]
    fn roles_are_stored_as_these_words_which_are_also_their_json() {
        crate::word::assert_words(&[
            (Role::Citizen, "citizen"),
            (Role::Staff, "staff"),
            (Role::Admin, "admin"),
        ]);
        for role in Role::ALL {
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
        }
        assert_eq!(Role::from_stored("Admin"), None);
    }
}
