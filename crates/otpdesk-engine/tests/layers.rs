//! The engine's modules import in one direction: no module reaches, through `crate::…` paths,
//! a module that reaches it back (comments and unit tests aside). Keeps the layering of
//! docs/PROVIDERS.md and DESIGN.md true as the code grows.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules its code names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p.strip_prefix(&root).unwrap();
            // Path components, not '/': Windows separates them with '\'.
            let first = rel.components().next().unwrap().as_os_str();
            let top = first.to_string_lossy().trim_end_matches(".rs").to_string();
            if top == "lib" || top == "bin" || p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let src = std::fs::read_to_string(&p).unwrap();
            let code = src.split("#[cfg(test)]").next().unwrap();
            let deps = g.entry(top.clone()).or_default();
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for (i, _) in line.match_indices("crate::") {
                    let rest = &line[i + "crate::".len()..];
                    let names: Vec<String> = if let Some(list) = rest.strip_prefix('{') {
                        let list = list.split('}').next().unwrap_or("");
                        list.split(',')
                            .map(|s| s.trim().split("::").next().unwrap_or("").to_string())
                            .collect()
                    } else {
                        vec![rest
                            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                            .next()
                            .unwrap_or("")
                            .to_string()]
                    };
                    for n in names {
                        if !n.is_empty()
                            && n != top
                            && n.chars().next().unwrap().is_ascii_lowercase()
                        {
                            deps.insert(n);
                        }
                    }
                }
            }
        }
    }
    g
}

/// Modules reachable from `from`.
fn reach(g: &BTreeMap<String, BTreeSet<String>>, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = g.get(from).into_iter().flatten().cloned().collect();
    while let Some(m) = todo.pop() {
        if seen.insert(m.clone()) {
            todo.extend(g.get(&m).into_iter().flatten().cloned());
        }
    }
    seen
}

#[test]
fn engine_modules_import_in_one_direction() {
    let g = graph();
    assert!(
        g.contains_key("provider") && g.contains_key("context"),
        "{g:?}"
    );
    let circles: Vec<String> = g
        .keys()
        .filter(|m| reach(&g, m).contains(*m))
        .cloned()
        .collect();
    assert!(
        circles.is_empty(),
        "modules in a circle: {circles:?}\n{g:#?}"
    );
    // The operations never import each other.
    for op in ["actions", "buying", "resume"] {
        for other in ["actions", "buying", "resume"] {
            assert!(
                op == other || !g[op].contains(other),
                "{op} imports {other}"
            );
        }
    }
}
