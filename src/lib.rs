//! CORS middleware for tower and http.
#![deny(missing_docs)]

pub mod check;
