//! The category tree's rules: how deep it may grow, and how `categories/?tree=true` nests the
//! categories and sums their products counts up, in memory and without recursion.

use std::collections::HashMap;

use super::views::{CategoryNode, CategoryView};
use crate::error::{ApiError, FieldErrors};

/// Most levels a category tree may have, a root being level 1 (SPEC §5).
pub const MAX_DEPTH: i64 = 10;

/// The `400` for a write that would nest a category deeper than [`MAX_DEPTH`].
pub fn too_deep() -> ApiError {
    FieldErrors::single(
        "parent",
        format!("Categories can be nested at most {MAX_DEPTH} levels deep."),
    )
}

/// Deepest nesting the tree shows; the write rules keep every category within it.
const TREE_DEPTH: usize = MAX_DEPTH as usize;

/// How categories hang together: each one's parent (as a position in the list), the roots, and
/// every category reachable from a root, parents before children (breadth first), with its level
/// (1 for a root). A category on a cycle (corrupt data) is reachable from no root and left out.
struct Shape {
    parent_of: Vec<Option<usize>>,
    roots: Vec<usize>,
    order: Vec<(usize, usize)>,
}

impl Shape {
    fn of(categories: &[CategoryView]) -> Self {
        let index: HashMap<i64, usize> = categories
            .iter()
            .enumerate()
            .map(|(at, category)| (category.id, at))
            .collect();
        // A parent that doesn't exist can't happen (foreign key); treat it as a root regardless.
        let parent_of: Vec<Option<usize>> = categories
            .iter()
            .map(|category| category.parent.and_then(|id| index.get(&id).copied()))
            .collect();
        let mut children_of: Vec<Vec<usize>> = vec![Vec::new(); categories.len()];
        let mut roots = Vec::new();
        for (at, parent) in parent_of.iter().enumerate() {
            match parent {
                Some(parent) => children_of[*parent].push(at),
                None => roots.push(at),
            }
        }
        let mut order: Vec<(usize, usize)> = roots.iter().map(|&at| (at, 1)).collect();
        let mut next = 0;
        while next < order.len() {
            let (at, level) = order[next];
            order.extend(children_of[at].iter().map(|&child| (child, level + 1)));
            next += 1;
        }
        Self {
            parent_of,
            roots,
            order,
        }
    }

    /// Each category's `products_count` plus all its descendants', children added before their
    /// parents: one pass, however deep the tree.
    fn totals(&self, categories: &[CategoryView]) -> Vec<i64> {
        let mut totals: Vec<i64> = categories.iter().map(|c| c.products_count).collect();
        for &(at, _) in self.order.iter().rev() {
            if let Some(parent) = self.parent_of[at] {
                totals[parent] = totals[parent].saturating_add(totals[at]);
            }
        }
        totals
    }
}

/// Each category's `products_count` (its own products) summed with all its descendants', at the
/// same positions: what a category's `products_count` shows outside the tree.
pub fn subtree_totals(categories: &[CategoryView]) -> Vec<i64> {
    Shape::of(categories).totals(categories)
}

/// Nests `categories` (already in display order) under their parents and sums the counts up,
/// without recursion and with bounded nesting: data deeper than the write rules allow (written
/// straight to the database) can't overflow the stack here or in the JSON encoder. Every
/// category below level [`TREE_DEPTH`] is listed among the children of its ancestor on that
/// level (its `parent` still names its real parent), so nothing is left out, nesting stops one
/// level below the last, and counts still cover whole subtrees.
pub fn build_forest(categories: Vec<CategoryView>) -> Vec<CategoryNode> {
    let shape = Shape::of(&categories);
    let totals = shape.totals(&categories);
    let Shape {
        parent_of,
        roots,
        order,
    } = shape;
    // Where each category is shown: under its parent, or under its ancestor on the last level.
    let mut shown_under: Vec<Option<usize>> = vec![None; categories.len()];
    for &(at, level) in &order {
        shown_under[at] = match parent_of[at] {
            // The parent is itself below the last level: show this where the parent is shown.
            Some(parent) if level > TREE_DEPTH + 1 => shown_under[parent],
            parent => parent,
        };
    }
    // Nodes built children first; each list keeps display (name) order.
    let mut slots: Vec<Option<CategoryView>> = categories.into_iter().map(Some).collect();
    let mut built: Vec<Option<CategoryNode>> = (0..slots.len()).map(|_| None).collect();
    let mut shown_children: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
    for &(at, _) in &order {
        if let Some(under) = shown_under[at] {
            shown_children[under].push(at);
        }
    }
    for under in shown_children.iter_mut() {
        under.sort_unstable();
    }
    for &(at, _) in order.iter().rev() {
        let Some(mut category) = slots[at].take() else {
            continue;
        };
        category.products_count = totals[at];
        let children = shown_children[at]
            .iter()
            .filter_map(|&child| built[child].take())
            .collect();
        built[at] = Some(CategoryNode { category, children });
    }
    roots
        .into_iter()
        .filter_map(|root| built[root].take())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(id: i64, parent: Option<i64>, own: i64) -> CategoryView {
        CategoryView {
            id,
            name: format!("c{id}"),
            slug: format!("c{id}"),
            description: String::new(),
            parent,
            products_count: own,
            created_at: String::new(),
        }
    }

    #[test]
    fn the_forest_nests_children_and_sums_counts_up() {
        let forest = build_forest(vec![
            category(1, None, 1),
            category(2, Some(1), 2),
            category(3, Some(2), 4),
            category(4, None, 0),
        ]);
        assert_eq!(forest.len(), 2);
        assert_eq!(forest[0].category.products_count, 7);
        assert_eq!(forest[0].children[0].category.products_count, 6);
        assert_eq!(forest[0].children[0].children[0].category.id, 3);
        assert!(forest[1].children.is_empty());
    }

    #[test]
    fn subtree_totals_add_every_descendant_in_one_pass_however_deep() {
        let totals = subtree_totals(&[
            category(3, Some(2), 4),
            category(1, None, 1),
            category(2, Some(1), 2),
            category(4, Some(1), 8),
        ]);
        assert_eq!(totals, vec![4, 15, 6, 8]);
        let depth = 100_000;
        let chain: Vec<CategoryView> = (1..=depth)
            .map(|id| category(id, (id > 1).then(|| id - 1), 1))
            .collect();
        let totals = subtree_totals(&chain);
        assert_eq!(totals[0], depth);
        assert_eq!(totals[depth as usize - 1], 1);
    }

    #[test]
    fn a_chain_deeper_than_allowed_is_flattened_below_the_last_level() {
        let depth = 100_000;
        let chain: Vec<CategoryView> = (1..=depth)
            .map(|id| category(id, (id > 1).then(|| id - 1), 1))
            .collect();
        let forest = build_forest(chain);
        assert_eq!(forest.len(), 1);
        assert_eq!(forest[0].category.products_count, depth);
        let mut node = &forest[0];
        for level in 1..TREE_DEPTH {
            assert_eq!(node.children.len(), 1, "level {level}");
            node = &node.children[0];
        }
        assert_eq!(node.category.id, TREE_DEPTH as i64);
        assert_eq!(node.children.len(), (depth as usize) - TREE_DEPTH);
        assert!(node.children.iter().all(|child| child.children.is_empty()));
        assert_eq!(node.children[0].category.parent, Some(TREE_DEPTH as i64));
        assert_eq!(
            node.children[1].category.parent,
            Some(TREE_DEPTH as i64 + 1)
        );
        assert_eq!(
            node.children[1].category.products_count,
            depth - TREE_DEPTH as i64 - 1
        );
        assert!(serde_json::to_string(&forest).is_ok());
    }
}
