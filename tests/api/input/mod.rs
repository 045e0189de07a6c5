//! Hostile input at the edge (SPEC §5 bounds): pagination overflow, U+0000 in text, numeric
//! limits and ids. Every case is a 4xx with a clear error and changes nothing.

mod null_characters;
mod numeric_bounds;
mod pagination;
