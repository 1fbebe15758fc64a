//! Test switches. A test that needs a PostgreSQL server or Chromium, on a machine without it, is
//! compiled as ignored with the reason, so `cargo test` shows it as ignored instead of passing
//! it silently; CI (`.ci/run`) sets both up and fails if any test was ignored.

use std::env;
use std::path::Path;

const POSTGRES_ENV: &str = "REPORTPRESS_TEST_POSTGRES_URL";
const CHROMIUM_NAMES: [&str; 5] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(no_postgres)");
    println!("cargo::rustc-check-cfg=cfg(no_chromium)");
    println!("cargo::rerun-if-env-changed={POSTGRES_ENV}");
    println!("cargo::rerun-if-env-changed=CHROMIUM");
    println!("cargo::rerun-if-env-changed=REPORTPRESS_REQUIRE_CHROMIUM");
    println!("cargo::rerun-if-env-changed=PATH");
    if env::var(POSTGRES_ENV).map_or(true, |url| url.trim().is_empty()) {
        println!("cargo::rustc-cfg=no_postgres");
    }
    // Chromium found now (installing it changes the folder, which runs this again), named by
    // CHROMIUM, or required (the tests then fail, saying what is missing).
    let mut found = env::var_os("CHROMIUM").is_some_and(|p| !p.is_empty())
        || env::var_os("REPORTPRESS_REQUIRE_CHROMIUM").is_some_and(|v| !v.is_empty());
    if let Some(paths) = env::var_os("PATH") {
        for dir in env::split_paths(&paths) {
            if Path::new(&dir).is_dir() {
                println!("cargo::rerun-if-changed={}", dir.display());
                found |= CHROMIUM_NAMES.iter().any(|n| dir.join(n).is_file());
            }
        }
    }
    if !found {
        println!("cargo::rustc-cfg=no_chromium");
    }
}
