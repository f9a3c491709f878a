//! Pure types and rules of smartcity. Parse, don't validate: a value of one of these types has
//! already passed its rules. No IO, no web framework, no database.

pub mod account;
pub mod agency;
pub mod air;
pub mod application;
pub mod backoff;
pub mod calendar;
pub mod camera;
pub mod complaint;
pub mod datetime;
pub mod decision;
pub mod dossier;
pub mod geo;
pub mod land;
pub mod lang;
pub mod open311;
pub mod phone;
pub mod photo;
pub mod procedure;
pub mod push;
pub mod question;
pub mod reminder;
pub mod routing;
pub mod search;
pub mod sms;
pub mod text;
pub mod throttle;
pub mod validation;
pub mod warning;
pub mod webhook;
pub mod word;

pub use lang::{Bilingual, Lang};
pub use validation::{Invalid, Reason};
pub use word::Word;
