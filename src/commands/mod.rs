//! The commands that print one text rather than write an archive: [`export`] (one report as a PR
//! comment, a Markdown document or one self-contained HTML file) and [`list`] (the reports a build
//! would render). They read through [`crate::source`] and render through [`crate::render`] as a
//! build does; the binary writes what they return.

pub mod export;
pub mod list;
