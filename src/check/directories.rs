//! The directory rows of `nexus check`: can the server write where it must.

use std::path::Path;

use super::{row, Level, Row};

/// A directory the server writes into (`MEDIA_ROOT`, `EMAIL_FILE_PATH`): created when missing,
/// then a temporary file is written and removed.
pub fn writable_dir(name: &'static str, dir: &Path) -> Row {
    let probe = dir.join(format!(".nexus-check-{}", uuid::Uuid::new_v4().simple()));
    let result = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&probe, b"check"))
        .and_then(|()| std::fs::remove_file(&probe));
    match result {
        Ok(()) => row(Level::Ok, name, format!("{} is writable", dir.display())),
        Err(err) => row(
            Level::Error,
            name,
            format!("{} is not writable: {err}", dir.display()),
        ),
    }
}
