//! Complaints (phản ánh hiện trường): filing one, recording the steps of its timeline, and
//! reading them with what each reader may see.

pub mod events;
pub mod filing;
pub mod photos;
pub mod reading;
