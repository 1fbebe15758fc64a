//! Code: source files of nine languages, one or two samples each (the files in `samples/`,
//! with `§` placeholders filled per use), the paths and repositories they live at, and how often
//! each language is picked for a code reference, a line reference, a diff or a note's block.
//!
//! Placeholders: `§a`, `§b`, `§c` are words, `§A`, `§B` the first two in PascalCase, `§U` the
//! first in upper case, `§n` a number in 2–500.

use super::rng::Rng;
use super::vocab::WORDS;

struct Lang {
    /// Paths with placeholders; the repository each one lives in.
    paths: &'static [(&'static str, &'static str)],
    templates: &'static [&'static str],
}

const PYTHON_1: &str = include_str!("samples/serializer.py");
const PYTHON_2: &str = include_str!("samples/query_runner.py");
const TYPESCRIPT_1: &str = include_str!("samples/buffer.ts");
const TSX_1: &str = include_str!("samples/table.tsx");
const RUST_1: &str = include_str!("samples/cache.rs");
const GO_1: &str = include_str!("samples/hub.go");
const SQL_1: &str = include_str!("samples/rollup.sql");
const YAML_1: &str = include_str!("samples/checks.yml");
const TOML_1: &str = include_str!("samples/crate.toml");
const DOCKERFILE_1: &str = include_str!("samples/service.Dockerfile");

const LANGS: [Lang; 9] = [
    // Python
    Lang {
        paths: &[
            ("posthog/api/§a_§b.py", "posthog/posthog"),
            (
                "posthog/hogql_queries/§a_§b_query_runner.py",
                "posthog/posthog",
            ),
            ("posthog/§a/§b.py", "posthog/posthog-python"),
        ],
        templates: &[PYTHON_1, PYTHON_2],
    },
    // TypeScript
    Lang {
        paths: &[
            ("src/extensions/§a/§b-buffer.ts", "posthog/posthog-js"),
            (
                "plugin-server/src/worker/ingestion/§a-§b.ts",
                "posthog/posthog",
            ),
            ("frontend/src/scenes/§a/§a§BLogic.ts", "posthog/posthog"),
        ],
        templates: &[TYPESCRIPT_1],
    },
    // TSX
    Lang {
        paths: &[
            ("frontend/src/scenes/§a/§A§BTable.tsx", "posthog/posthog"),
            ("products/§a/frontend/§A§B.tsx", "posthog/posthog"),
        ],
        templates: &[TSX_1],
    },
    // Rust
    Lang {
        paths: &[
            ("rust/feature-flags/src/§a/§b_cache.rs", "posthog/posthog"),
            ("rust/capture/src/§a_§b.rs", "posthog/posthog"),
            ("rust/cymbal/src/§a/§b.rs", "posthog/posthog"),
        ],
        templates: &[RUST_1],
    },
    // Go
    Lang {
        paths: &[
            ("livestream/§a/§b.go", "posthog/posthog"),
            ("§a_§b.go", "posthog/posthog-go"),
        ],
        templates: &[GO_1],
    },
    // SQL
    Lang {
        paths: &[
            (
                "posthog/clickhouse/migrations/0§n_§a_§b.sql",
                "posthog/posthog",
            ),
            ("posthog/sql/§a_§b_daily.sql", "posthog/posthog"),
        ],
        templates: &[SQL_1],
    },
    // YAML
    Lang {
        paths: &[
            (".github/workflows/§a-§b.yml", "posthog/posthog"),
            (
                "charts/posthog/templates/§a-§b-deployment.yaml",
                "posthog/charts",
            ),
        ],
        templates: &[YAML_1],
    },
    // TOML
    Lang {
        paths: &[
            ("rust/§a-§b/Cargo.toml", "posthog/posthog"),
            ("rust/§a/Cargo.toml", "posthog/posthog"),
        ],
        templates: &[TOML_1],
    },
    // Dockerfile
    Lang {
        paths: &[
            ("rust/Dockerfile", "posthog/posthog"),
            ("livestream/Dockerfile", "posthog/posthog"),
            ("Dockerfile", "posthog/posthog-python"),
        ],
        templates: &[DOCKERFILE_1],
    },
];

/// How often each language is picked for a code reference or a diff.
const LANG_WEIGHTS: [u32; 9] = [26, 20, 12, 12, 8, 8, 6, 4, 4];

/// The words a snippet's placeholders stand for.
pub(super) struct Fill {
    a: &'static str,
    b: &'static str,
    c: &'static str,
    n: u64,
}

impl Fill {
    pub(super) fn new(rng: &mut Rng) -> Fill {
        Fill {
            a: rng.pick(&WORDS),
            b: rng.pick(&WORDS),
            c: rng.pick(&WORDS),
            n: rng.range(2, 500),
        }
    }

    pub(super) fn apply(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 16);
        let mut chars = template.chars();
        while let Some(c) = chars.next() {
            if c != '§' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('a') => out.push_str(self.a),
                Some('b') => out.push_str(self.b),
                Some('c') => out.push_str(self.c),
                Some('A') => push_pascal(&mut out, self.a),
                Some('B') => push_pascal(&mut out, self.b),
                Some('U') => out.push_str(&self.a.to_ascii_uppercase()),
                Some('n') => out.push_str(&self.n.to_string()),
                Some(other) => out.push(other),
                None => {}
            }
        }
        out
    }
}

fn push_pascal(out: &mut String, word: &str) {
    let mut upper = true;
    for c in word.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
}

/// A source file: its language, path, repository and lines (placeholders filled).
pub(super) struct File {
    pub(super) path: String,
    pub(super) lines: Vec<String>,
    /// The template lines, for a changed version of a line.
    pub(super) raw: Vec<&'static str>,
}

pub(super) fn file(rng: &mut Rng) -> File {
    let lang = &LANGS[rng.weighted(&LANG_WEIGHTS)];
    let fill = Fill::new(rng);
    let (path, _repo) = rng.pick(lang.paths);
    let template = rng.pick(lang.templates);
    File {
        path: fill.apply(path),
        lines: template.lines().map(|l| fill.apply(l)).collect(),
        raw: template.lines().collect(),
    }
}
