//! The black-box tests of smartcity live in `tests/`; this package only holds them.
