//! What more than one of the bench binaries needs.

pub mod catalogue;
