//! Attribution: who wrote an artefact. PostHog's `ArtefactAttribution` kinds are user, task
//! (an internal agent run), agent (an external MCP client acting for a user) and system.

use super::record::{ArtefactRecord, UserRecord};

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Person {
    /// `posthog_user.id`.
    pub id: i64,
    pub uuid: Option<uuid::Uuid>,
    pub email: Option<String>,
    pub first_name: String,
    pub last_name: String,
}

impl Person {
    pub fn from_record(user: &UserRecord) -> Self {
        Person {
            id: user.id,
            uuid: user
                .uuid
                .as_deref()
                .and_then(|u| uuid::Uuid::parse_str(u).ok()),
            email: user.email.clone().filter(|e| !e.trim().is_empty()),
            first_name: user.first_name.clone().unwrap_or_default(),
            last_name: user.last_name.clone().unwrap_or_default(),
        }
    }

    /// A user id whose `posthog_user` row is gone (the FK is SET_NULL only in the ORM).
    pub fn missing(id: i64) -> Self {
        Person {
            id,
            uuid: None,
            email: None,
            first_name: String::new(),
            last_name: String::new(),
        }
    }

    /// "First Last", else the email, else `user #id`.
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let full = full.trim();
        if !full.is_empty() {
            return full.to_string();
        }
        match &self.email {
            Some(email) => email.clone(),
            None => format!("user #{}", self.id),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskRef {
    pub id: uuid::Uuid,
    pub title: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Actor {
    User(Person),
    Task(TaskRef),
    /// An external MCP client (`actor_agent`), acting for the authenticated user.
    Agent {
        client: String,
        user: Option<Person>,
    },
    System,
    /// `actor_kind` names a user or task whose row is gone (`created_by_id`/`task_id` set to NULL).
    Unattributed {
        kind: String,
    },
}

impl Actor {
    /// Follows `actor_kind` when the row has it, else PostHog's column rules: `created_by_id` set →
    /// user, `task_id` set → task, neither → system. `fallback_task` is the task a `task_run` row
    /// records (such rows are always the task's), used when the row has no `task_id` column value.
    pub fn from_record(
        row: &ArtefactRecord,
        task_title: impl Fn(uuid::Uuid) -> Option<String>,
        fallback_task: Option<uuid::Uuid>,
    ) -> Actor {
        let person = || {
            row.created_by_id.map(|id| match &row.created_by {
                Some(user) => Person::from_record(user),
                None => Person::missing(id),
            })
        };
        let task = || {
            row.task_id
                .as_deref()
                .and_then(|t| uuid::Uuid::parse_str(t).ok())
                .or(fallback_task)
                .map(|id| {
                    Actor::Task(TaskRef {
                        id,
                        title: task_title(id),
                    })
                })
        };
        let agent_client = row
            .actor_agent
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty());
        match row.actor_kind.as_deref().map(str::trim) {
            Some("user") => person().map(Actor::User).unwrap_or(Actor::Unattributed {
                kind: "user".into(),
            }),
            Some("task") => task().unwrap_or(Actor::Unattributed {
                kind: "task".into(),
            }),
            Some("agent") => Actor::Agent {
                client: agent_client.unwrap_or("agent").to_string(),
                user: person(),
            },
            Some("system") => Actor::System,
            // Legacy rows (no actor_kind) and values this version does not know: infer.
            _ => {
                if let Some(client) = agent_client {
                    Actor::Agent {
                        client: client.to_string(),
                        user: person(),
                    }
                } else if let Some(p) = person() {
                    Actor::User(p)
                } else {
                    task().unwrap_or(Actor::System)
                }
            }
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Actor::User(_) => "user",
            Actor::Task(_) => "task",
            Actor::Agent { .. } => "agent",
            Actor::System => "system",
            Actor::Unattributed { .. } => "unattributed",
        }
    }

    pub fn display_name(&self) -> String {
        match self {
            Actor::User(p) => p.display_name(),
            Actor::Task(t) => t
                .title
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| format!("task {}", t.id)),
            Actor::Agent { client, user } => match user {
                Some(p) => format!("{client} (for {})", p.display_name()),
                None => client.clone(),
            },
            Actor::System => "system".to_string(),
            Actor::Unattributed { kind } => format!("a deleted {kind}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> ArtefactRecord {
        ArtefactRecord {
            id: "019a0000-0000-7000-8000-000000000001".into(),
            kind: "note".into(),
            ..Default::default()
        }
    }
    const TASK: &str = "5d1b3c1e-8f0a-4b8e-9f3e-2a1d7c6b5a40";
    fn user() -> UserRecord {
        UserRecord {
            id: 7,
            email: Some("ana@example.com".into()),
            first_name: Some("Ana".into()),
            last_name: Some("Ruiz".into()),
            ..Default::default()
        }
    }

    #[test]
    fn explicit_kinds() {
        let no_title = |_| None;
        let mut r = row();
        r.actor_kind = Some("user".into());
        r.created_by_id = Some(7);
        r.created_by = Some(user());
        assert_eq!(
            Actor::from_record(&r, no_title, None).display_name(),
            "Ana Ruiz"
        );

        r.actor_kind = Some("agent".into());
        r.actor_agent = Some("claude-code".into());
        let a = Actor::from_record(&r, no_title, None);
        assert_eq!(a.kind(), "agent");
        assert_eq!(a.display_name(), "claude-code (for Ana Ruiz)");

        let mut r = row();
        r.actor_kind = Some("task".into());
        r.task_id = Some(TASK.into());
        let a = Actor::from_record(&r, |_| Some("Research".into()), None);
        assert_eq!(a.kind(), "task");
        assert_eq!(a.display_name(), "Research");

        let mut r = row();
        r.actor_kind = Some("system".into());
        r.created_by_id = Some(7);
        assert_eq!(Actor::from_record(&r, no_title, None), Actor::System);
    }

    #[test]
    fn legacy_rows_are_inferred() {
        let no_title = |_| None;
        let mut r = row();
        r.created_by_id = Some(9); // user row deleted since
        assert_eq!(
            Actor::from_record(&r, no_title, None).display_name(),
            "user #9"
        );
        let mut r = row();
        r.task_id = Some(TASK.into());
        assert_eq!(Actor::from_record(&r, no_title, None).kind(), "task");
        assert_eq!(Actor::from_record(&row(), no_title, None), Actor::System);
        let task = uuid::Uuid::parse_str(TASK).unwrap();
        assert_eq!(
            Actor::from_record(&row(), no_title, Some(task)).kind(),
            "task"
        );
    }

    #[test]
    fn names_fall_back_to_email() {
        let mut u = user();
        u.first_name = Some(String::new());
        u.last_name = Some("  ".into());
        assert_eq!(Person::from_record(&u).display_name(), "ana@example.com");
    }
}
