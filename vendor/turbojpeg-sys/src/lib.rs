//! Raw bindings to libjpeg-turbo's TurboJPEG API, for the `turbojpeg` crate.
//!
//! The bindings are turbojpeg-sys 1.2.0's pregenerated ones, less bindgen's four layout tests
//! (they dereference a null pointer, which debug builds of Rust now stop at); only the way the
//! library is built differs (see `build.rs`).
#![no_std]
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, deref_nullptr)]
#![allow(clippy::all)]

include!("../bindings.rs");

#[cfg(test)]
mod tests {
    /// The library links and answers: a decompressor handle can be made and freed.
    #[test]
    fn a_decompressor_is_made_and_freed() {
        unsafe {
            let handle = super::tj3Init(super::TJINIT_TJINIT_DECOMPRESS as libc::c_int);
            assert!(!handle.is_null());
            super::tj3Destroy(handle);
        }
    }
}
