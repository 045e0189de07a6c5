//! `nexus createsuperuser`.

/// Arguments of `nexus createsuperuser`.
#[derive(Debug, clap::Args)]
pub struct CreateSuperuser {}

impl CreateSuperuser {
    pub async fn run(self, _db: &crate::db::Db) -> anyhow::Result<()> {
        anyhow::bail!("createsuperuser is being written")
    }
}
