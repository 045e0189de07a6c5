//! No import cycle among the crate's top-level modules (issue 16): `config` depends on no feature,
//! `http` on no feature router, and so on down the layers.
//!
//! Why a test rather than `cargo modules dependencies --acyclic`: cargo-modules is built on
//! rust-analyzer's crates, a long build on the CI machines (which carry only the toolchain and
//! cargo-nextest) for a question that a grep over `src/` answers. What this reads: every
//! `crate::<top>` path and every item of a `use crate::{...}` group in `src/**/*.rs`, comments
//! excluded, test modules included (a test that imports across a layer is still an import). It
//! misses `super::super::` chains that climb out of a top-level module; the code uses `crate::`
//! for those.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::Path,
};

/// The top-level modules declared in `src/lib.rs`.
fn top_level_modules(root: &Path) -> BTreeSet<String> {
    let lib = fs::read_to_string(root.join("src/lib.rs")).unwrap();
    lib.lines()
        .filter_map(|line| {
            let rest = line
                .trim()
                .strip_prefix("pub mod ")
                .or_else(|| line.trim().strip_prefix("mod "))?;
            Some(rest.trim_end_matches(';').trim().to_owned())
        })
        .collect()
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without line comments (doc links like ``[`crate::x`]`` are not imports).
fn code_of(source: &str) -> String {
    source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The identifier at the start of `text`.
fn leading_ident(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The top-level names a source refers to through `crate::`.
fn referenced_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let after = &code[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // `use crate::{a, b::{c, d}, e}`: the first identifier of each item at depth 0.
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        found.insert(leading_ident(&group[i..]).to_owned());
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(leading_ident(after).to_owned());
        }
    }
    found
}

/// `module → modules it imports`, between top-level modules only.
fn import_graph(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let tops = top_level_modules(root);
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(root.join("src")).unwrap();
        let first = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let from = first.trim_end_matches(".rs").to_owned();
        if !tops.contains(&from) {
            continue; // lib.rs, main.rs
        }
        let code = code_of(&fs::read_to_string(&file).unwrap());
        for to in referenced_modules(&code) {
            if to != from && tops.contains(&to) {
                graph.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    graph
}

/// One cycle in `graph`, if there is any (depth-first search, the path back to the repeat).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn top_level_modules_import_each_other_without_cycles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Some(cycle) = find_cycle(&import_graph(root)) {
        panic!(
            "import cycle among top-level modules: {}\n(break it: move the shared piece down a \
             layer, or hand the module its own state through `FromRef`; docs/ARCHITECTURE.md)",
            cycle.join(" → ")
        );
    }
}

#[test]
fn the_reader_sees_paths_and_use_groups() {
    let code = code_of(
        "use crate::{\n    accounts::tokens::{A, B},\n    db::Db,\n    http::{self, x},\n};\n\
         // crate::cache is a comment\nlet x = crate::money::Money::ZERO;",
    );
    let found: Vec<_> = referenced_modules(&code).into_iter().collect();
    assert_eq!(found, ["accounts", "db", "http", "money"]);
    let graph = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]);
    assert_eq!(find_cycle(&graph).unwrap(), ["a", "b", "a"]);
    let one_way = BTreeMap::from([("a".to_owned(), BTreeSet::from(["b".to_owned()]))]);
    assert!(find_cycle(&one_way).is_none());
}
