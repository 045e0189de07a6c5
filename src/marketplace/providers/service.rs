//! The provider use cases behind the routes: one profile per user, owner writes, and the
//! verified mark that only staff set.

use sqlx::AnyConnection;

use super::{request::ProviderWrite, store, views::ProviderView};
use crate::{
    accounts::AuthUser,
    db::{Db, ResultExt, Violation},
    error::{ApiError, FieldErrors},
    marketplace::{companies, taxonomy},
    validation::{messages, Draft},
};

/// The answer to a second profile, worded as a second review of a product is (`400`).
pub const DUPLICATE: &str = "You already have a provider profile.";
/// A skill or company deleted between the check and the write.
const GONE: &str = "A skill or company this profile names no longer exists.";

/// Adds to the draft's errors the skills and company it names that don't exist.
async fn check_references(
    conn: &mut AnyConnection,
    draft: &mut Draft<ProviderWrite>,
) -> Result<(), ApiError> {
    if let Some(skills) = &draft.request.skills {
        for unknown in taxonomy::unknown_skills(&mut *conn, skills).await? {
            draft
                .errors
                .add("skills", messages::missing_reference(unknown));
        }
    }
    if let Some(Some(company)) = &draft.request.company {
        if !companies::exists(&mut *conn, company).await? {
            draft
                .errors
                .add("company", messages::missing_reference(company));
        }
    }
    Ok(())
}

/// Creates `user`'s profile (`is_verified` only from staff). The `UNIQUE (user_id)` constraint,
/// not a check, decides between racing creates.
pub async fn create(
    db: &Db,
    user: &AuthUser,
    mut draft: Draft<ProviderWrite>,
) -> Result<ProviderView, ApiError> {
    let mut tx = db.begin_write().await?;
    check_references(&mut tx, &mut draft).await?;
    let mut body = draft.finish()?;
    if !user.role.is_staff() {
        body.is_verified = None;
    }
    let id = store::insert(&mut tx, user.id, &body).await.on_constraint(
        |violation| match violation {
            Violation::Unique("providers_user_id_key") => {
                Some(FieldErrors::single("non_field_errors", DUPLICATE))
            }
            Violation::ForeignKey => Some(FieldErrors::single("non_field_errors", GONE)),
            Violation::Unique(_) => None,
        },
    )?;
    tx.commit().await?;
    get(db, &id).await
}

/// Provider `id`, or `404`.
pub async fn get(db: &Db, id: &str) -> Result<ProviderView, ApiError> {
    store::find(db, id).await?.ok_or_else(ApiError::not_found)
}

/// Applies a PUT or PATCH body to profile `id`. The owner changes every field (`is_verified`
/// only if staff); staff change only `is_verified` on someone else's profile, the rest of their
/// body ignored; anyone else gets `404` (before any `400`).
pub async fn update(
    db: &Db,
    user: &AuthUser,
    id: &str,
    mut draft: Draft<ProviderWrite>,
) -> Result<ProviderView, ApiError> {
    let mut tx = db.begin_write().await?;
    let owner = store::owner_of(&mut tx, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let changes = if owner == user.id {
        check_references(&mut tx, &mut draft).await?;
        let mut body = draft.finish()?;
        if !user.role.is_staff() {
            body.is_verified = None;
        }
        body
    } else if user.role.is_staff() {
        verification_only(draft)?
    } else {
        return Err(ApiError::not_found());
    };
    store::update(&mut tx, db.backend, id, &changes)
        .await
        .on_constraint(|violation| {
            (violation == Violation::ForeignKey)
                .then(|| FieldErrors::single("non_field_errors", GONE))
        })?;
    tx.commit().await?;
    get(db, id).await
}

/// A staff body on someone else's profile: its `is_verified` alone (a bad one still a `400`).
fn verification_only(draft: Draft<ProviderWrite>) -> Result<ProviderWrite, ApiError> {
    let mut errors = FieldErrors::new();
    for (field, field_errors) in draft.errors.iter() {
        if field == "is_verified" {
            for message in field_errors {
                errors.add(field, message.as_str());
            }
        }
    }
    errors.into_result()?;
    Ok(ProviderWrite {
        is_verified: draft.request.is_verified,
        ..ProviderWrite::default()
    })
}

/// Sets provider `id`'s verified mark (the staff dashboard's action); `404` when there is none.
pub async fn set_verified(db: &Db, id: &str, verified: bool) -> Result<(), ApiError> {
    if store::set_verified(db, id, verified).await? {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}
