//! Reading the console's posted forms. Plain forms are `application/x-www-form-urlencoded`
//! (the body is already bounded and checked as UTF-8 by the server's middleware); forms with
//! photos are multipart, read by the API's bounded reader.

use crate::app::error::{ApiError, ErrorCode};

/// The fields of a posted form, in the order sent.
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Result<Fields, ApiError> {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map(Fields)
            .map_err(|e| ApiError::new(ErrorCode::MalformedForm).with_cause(e))
    }

    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Fields {
        Fields(pairs.into_iter().collect())
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(field, _)| field == name).map(|(_, value)| value.as_str())
    }

    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// The value of `name` if it has any text.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
    }
}
