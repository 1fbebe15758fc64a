use std::sync::Arc;
use std::time::Duration;

use tokio::sync::RwLock;
use tracing::{instrument, warn};

use crate::api::errors::FlagError;

pub const §U_TTL: Duration = Duration::from_secs(§n);

#[derive(Clone, Debug)]
pub struct §A§BCache {
    entries: Arc<RwLock<HashMap<i32, Cached§A>>>,
    ttl: Duration,
}

impl §A§BCache {
    #[instrument(skip(self))]
    pub async fn get_or_load(&self, team_id: i32) -> Result<Arc<§A>, FlagError> {
        if let Some(hit) = self.entries.read().await.get(&team_id) {
            if hit.loaded_at.elapsed() < self.ttl {
                return Ok(hit.value.clone());
            }
        }
        let fresh = Arc::new(load_§a_§b(team_id).await?);
        if fresh.§c.is_empty() {
            warn!(team_id, "no §c for §a");
        }
        self.entries.write().await.insert(team_id, Cached§A::new(fresh.clone()));
        Ok(fresh)
    }
}
