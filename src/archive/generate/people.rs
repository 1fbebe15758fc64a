//! People: the 36 users of the generated team (every seventh without a name on file), the agent
//! clients that act for them, and who writes an entry.

use super::rng::Rng;
use super::time::{DAY, uuid7};

const FIRST_NAMES: [&str; 36] = [
    "Marta", "Jonas", "Priya", "Sam", "Aiko", "Lucas", "Fatima", "Oskar", "Elena", "Tomás",
    "Nadia", "Ben", "Chloé", "Dmitri", "Grace", "Hiro", "Ines", "Jakub", "Kwame", "Lena", "Mateo",
    "Noor", "Olivia", "Pavel", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Ximena",
    "Yusuf", "Zoe", "Arjun", "Beatriz",
];
const LAST_NAMES: [&str; 36] = [
    "Oliveira",
    "Berger",
    "Raman",
    "Okafor",
    "Tanaka",
    "Moreau",
    "Haddad",
    "Lindqvist",
    "Rossi",
    "García",
    "Petrova",
    "Walsh",
    "Dubois",
    "Volkov",
    "Mensah",
    "Sato",
    "Ferreira",
    "Novák",
    "Asante",
    "Fischer",
    "López",
    "Rahman",
    "Brown",
    "Horák",
    "Murphy",
    "Santos",
    "Nilsson",
    "Kapoor",
    "Siddiqui",
    "Kowalski",
    "Zhang",
    "Navarro",
    "Demir",
    "Clarke",
    "Iyer",
    "Costa",
];
pub(super) const AGENTS: [&str; 6] = [
    "cursor",
    "claude-code",
    "codex",
    "windsurf",
    "zed",
    "vscode-copilot",
];
pub(super) struct User {
    pub(super) id: i64,
    pub(super) uuid: String,
    pub(super) email: String,
    pub(super) first: &'static str,
    pub(super) last: &'static str,
    pub(super) login: String,
    pub(super) date_joined: i64,
    pub(super) distinct_id: String,
}

#[derive(Clone)]
pub(super) enum Who {
    User(i64),
    Task(String),
    Agent(i64, &'static str),
    System,
}

/// The team's users, who joined 30–700 days before `start`.
pub(super) fn people(rng: &mut Rng, start: i64) -> Vec<User> {
    (0..36)
        .map(|i| {
            let first = FIRST_NAMES[i];
            let last = LAST_NAMES[(i * 7 + 3) % LAST_NAMES.len()];
            let ascii = |s: &str| -> String {
                s.chars()
                    .map(|c| match c {
                        'á' | 'à' => 'a',
                        'é' => 'e',
                        'í' => 'i',
                        'ó' => 'o',
                        'ú' => 'u',
                        'ç' => 'c',
                        'ř' => 'r',
                        c => c,
                    })
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_lowercase()
            };
            let joined = start - rng.range(30, 700) as i64 * DAY - rng.below(DAY as u64) as i64;
            // Every seventh person has no name on file: shown by email.
            let (f, l) = if i % 7 == 5 { ("", "") } else { (first, last) };
            User {
                id: i as i64 + 1,
                uuid: uuid7(joined, rng),
                email: format!("{}.{}@example.com", ascii(first), ascii(last)),
                first: f,
                last: l,
                login: format!("{}{}", ascii(first), &ascii(last)[..1]),
                date_joined: joined,
                distinct_id: rng.hex(32),
            }
        })
        .collect()
}
