//! Complaints (phản ánh hiện trường): `status` and its labels; `events`, the state machine `decide`,
//! windows, due and overdue; `category`, questions and answers; `notice`s; monthly `stats`.

mod category;
mod events;
mod notice;
mod stats;
mod status;

pub use category::*;
pub use events::*;
pub use notice::*;
pub use stats::*;
pub use status::*;
// Its first home; the api and db still name it there.
pub use crate::lang::Bilingual;

/// Longest free text a person writes: an event's comment or reason, a text answer.
const MAX_TEXT: usize = 4000;
