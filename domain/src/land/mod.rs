//! The province's land layers: parcels (thửa đất) and planning zones (quy hoạch), imported from
//! GeoJSON files an operator uploads, and an in-memory index answering "what parcel and
//! planning zone is at this point?".
//!
//! A layer file is read as a stream ([`read_features`], [`read_parcels`], [`read_zones`]):
//! memory holds one feature at a time, so a layer of hundreds of thousands of parcels imports
//! in bounded memory. Every feature is checked; the first bad one refuses the file, named by
//! its index and identifier ([`LandError`]). Each valid feature is stored as a row in its
//! compact text form ([`Parcel::to_stored_json`]) and the index ([`LandIndex`]) is rebuilt from
//! the rows at start-up.

mod error;
#[cfg(test)]
mod fixtures;
mod index;
mod land_use;
mod parcel;
mod properties;
mod read;
mod shape;
mod zone;

pub use error::{LandError, LandProblem};
pub use index::{LandAnswer, LandIndex, LandIndexBuilder};
pub use land_use::LandUse;
pub use parcel::{read_parcels, Parcel, ParcelPropertyNames};
pub use read::{read_features, RawFeature};
pub use zone::{read_zones, PlanningZone, ZonePropertyNames};

use crate::word::impl_word;

/// Which layer a file or a stored row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LayerKind {
    /// Cadastral parcels (thửa đất).
    Parcels,
    /// Zones of approved plans (quy hoạch).
    Planning,
}

impl_word!(LayerKind {
    Parcels => "parcels",
    Planning => "planning",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_are_stored_as_words() {
        crate::word::assert_words(&[
            (LayerKind::Parcels, "parcels"),
            (LayerKind::Planning, "planning"),
        ]);
    }
}
