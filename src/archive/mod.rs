//! The SQLite archives reportpress writes itself: [`snapshot`] (a copy of a database that keeps
//! earlier versions of edited rows and rows deleted upstream) and [`generate`] (`demo --reports
//! N`, a generated archive for trying and benchmarking), both checking their destination with
//! [`target::check_target`]. Reading an archive is [`crate::source`]'s work, as for any database.

pub mod generate;
pub mod snapshot;
pub mod target;
