//! Who is looking at services: the one rule deciding what a caller may see. An inactive service
//! is seen only by its provider and by staff; to anyone else it does not exist (`404`, and
//! absent from every list).

use crate::{accounts::AuthUser, db::Db, error::ApiError, marketplace::provider_id_of};

/// The caller as the visibility rule needs them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Viewer {
    /// The caller's provider profile, if they have one.
    pub provider: Option<String>,
    pub staff: bool,
}

impl Viewer {
    /// The viewer for an optional caller (one lookup of their provider profile when signed in).
    pub async fn of(db: &Db, user: Option<&AuthUser>) -> Result<Self, ApiError> {
        let Some(user) = user else {
            return Ok(Self::default());
        };
        Ok(Self {
            provider: provider_id_of(db, user.id).await?,
            staff: user.role.is_staff(),
        })
    }

    /// True when this viewer is the provider `provider_id`.
    pub fn is_provider(&self, provider_id: &str) -> bool {
        self.provider.as_deref() == Some(provider_id)
    }

    /// True when this viewer may see a service of `provider_id` that is (in)active.
    pub fn can_see(&self, provider_id: &str, is_active: bool) -> bool {
        is_active || self.staff || self.is_provider(provider_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inactive_services_are_seen_only_by_their_provider_and_staff() {
        let anonymous = Viewer::default();
        let owner = Viewer {
            provider: Some("p1".into()),
            staff: false,
        };
        let other = Viewer {
            provider: Some("p2".into()),
            staff: false,
        };
        let staff = Viewer {
            provider: None,
            staff: true,
        };
        for viewer in [&anonymous, &owner, &other, &staff] {
            assert!(viewer.can_see("p1", true));
        }
        assert!(owner.can_see("p1", false));
        assert!(staff.can_see("p1", false));
        assert!(!other.can_see("p1", false));
        assert!(!anonymous.can_see("p1", false));
        assert!(owner.is_provider("p1") && !staff.is_provider("p1"));
    }
}
