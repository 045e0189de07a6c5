//! [`LocalMediaStore`]: media files in a directory on this machine (`MEDIA_ROOT`).

use std::path::PathBuf;

use anyhow::Context;
use futures_util::future::BoxFuture;
use tokio::io::AsyncWriteExt;

use super::{key::MediaKey, MediaStore};

/// Writes files under `root` and names them `{url_base}{key}`.
#[derive(Debug, Clone)]
pub struct LocalMediaStore {
    root: PathBuf,
    url_base: String,
}

impl LocalMediaStore {
    /// A store over `root` (created on first write) whose files are reachable at `url_base`.
    pub fn new(root: impl Into<PathBuf>, url_base: impl Into<String>) -> Self {
        Self {
            root: root.into(),
            url_base: url_base.into(),
        }
    }

    /// The file a key names; the key is validated so it can't leave the root.
    fn path_of(&self, key: &str) -> anyhow::Result<PathBuf> {
        let key = MediaKey::parse(key)?;
        Ok(self.root.join(key.as_str()))
    }
}

impl MediaStore for LocalMediaStore {
    fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        _content_type: &str,
    ) -> BoxFuture<'_, anyhow::Result<()>> {
        let path = self.path_of(key);
        Box::pin(async move {
            let path = path?;
            let dir = path.parent().context("a media key always has a parent")?;
            tokio::fs::create_dir_all(dir)
                .await
                .with_context(|| format!("could not create {}", dir.display()))?;
            // Write a hidden temporary file beside the target and rename it into place: readers
            // (the file server, a CDN pulling from it) never see a half-written image, and a
            // crash leaves at most a stray temporary file, never a truncated image.
            let temp = dir.join(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
            let written = async {
                let mut file = tokio::fs::File::create(&temp).await?;
                file.write_all(&bytes).await?;
                file.sync_all().await?;
                tokio::fs::rename(&temp, &path).await
            }
            .await;
            if let Err(err) = written {
                let _ = tokio::fs::remove_file(&temp).await;
                return Err(err).with_context(|| format!("could not write {}", path.display()));
            }
            Ok(())
        })
    }

    fn delete(&self, key: &str) -> BoxFuture<'_, anyhow::Result<()>> {
        let path = self.path_of(key);
        Box::pin(async move {
            let path = path?;
            match tokio::fs::remove_file(&path).await {
                // Deleting is idempotent: a file already gone is the state we wanted.
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                    Err(err).with_context(|| format!("could not delete {}", path.display()))
                }
                _ => Ok(()),
            }
        })
    }

    fn url(&self, key: &str) -> String {
        format!("{}{key}", self.url_base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_creates_directories_and_delete_is_idempotent() {
        let temp = tempfile::tempdir().unwrap();
        let store = LocalMediaStore::new(temp.path().join("media"), "/media/");
        store
            .put("products/7/a.png", b"png bytes".to_vec(), "image/png")
            .await
            .unwrap();
        let path = temp.path().join("media/products/7/a.png");
        assert_eq!(std::fs::read(&path).unwrap(), b"png bytes");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            leftovers.len(),
            1,
            "no temporary file is left: {leftovers:?}"
        );
        assert_eq!(store.url("products/7/a.png"), "/media/products/7/a.png");
        store.delete("products/7/a.png").await.unwrap();
        assert!(!path.exists());
        store.delete("products/7/a.png").await.unwrap();
    }

    #[tokio::test]
    async fn keys_outside_the_root_are_refused() {
        let temp = tempfile::tempdir().unwrap();
        let store = LocalMediaStore::new(temp.path().join("media"), "/media/");
        assert!(store
            .put("../escape.png", vec![1], "image/png")
            .await
            .is_err());
        assert!(!temp.path().join("escape.png").exists());
        assert!(store.delete("/etc/hostname").await.is_err());
    }
}
