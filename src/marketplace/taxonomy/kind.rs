//! Service categories and skills are the same object apart from a category's description: one
//! implementation, told apart by [`Kind`].

use crate::{catalog::slugs::SlugTable, marketplace::search_text::Scope};

/// Which of the two taxonomies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Category,
    Skill,
}

impl Kind {
    pub fn table(self) -> &'static str {
        match self {
            Self::Category => "service_categories",
            Self::Skill => "skills",
        }
    }

    /// The selected columns, in [`super::store::TermRow`]'s shape (a skill has no description).
    pub fn columns(self) -> &'static str {
        match self {
            Self::Category => "id, name, slug, description",
            Self::Skill => "id, name, slug, '' AS description",
        }
    }

    pub fn slug_table(self) -> SlugTable {
        match self {
            Self::Category => SlugTable::ServiceCategories,
            Self::Skill => SlugTable::Skills,
        }
    }

    /// The unique constraint on the slug, as `on_constraint` names it.
    pub fn slug_constraint(self) -> &'static str {
        match self {
            Self::Category => "service_categories_slug_key",
            Self::Skill => "skills_slug_key",
        }
    }

    /// The model's name in DRF's `… with this slug already exists.`
    pub fn model(self) -> &'static str {
        match self {
            Self::Category => "service category",
            Self::Skill => "skill",
        }
    }

    /// The services whose search text holds this term's name.
    pub fn scope(self, id: &str) -> Scope<'_> {
        match self {
            Self::Category => Scope::Category(id),
            Self::Skill => Scope::Skill(id),
        }
    }
}
