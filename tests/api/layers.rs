//! The layering `src/lib.rs` and docs/architecture.md state, checked on the source: each
//! top-level module names only modules that come before it in [`ORDER`], and only the HTTP
//! layers use the web framework. A new import that breaks the layering fails here, not in a
//! reviewer's head.

use std::path::{Path, PathBuf};

/// The top-level modules, each allowed to use only those before it.
const ORDER: &[&str] = &[
    "support", "metrics", "domain", "config", "backend", "catalog", "limits", "views", "state", "web",
    "live", "app",
];

/// Crates of the HTTP edge, which only `web`, `live` and `app` may use.
const HTTP_CRATES: &[&str] = &["axum", "tower_http", "tower_sessions", "hyper"];

fn sources(module: &str) -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let file = src.join(format!("{module}.rs"));
    if file.exists() {
        files.push(file);
    }
    let mut dirs = vec![src.join(module)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    assert!(!files.is_empty(), "no sources for module {module}");
    files
}

/// Every `crate::name` a source mentions, including inside `use crate::{a, b::c}` groups.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String =
                    item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                found.push(name);
            }
        } else {
            found.push(rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
        }
    }
    found
}

/// The code of a source file without its comments (docs may mention any module).
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

#[test]
fn modules_use_only_the_layers_before_them() {
    let mut broken = Vec::new();
    for (at, module) in ORDER.iter().enumerate() {
        for file in sources(module) {
            let code = code_of(&file);
            for used in crate_paths(&code) {
                let Some(pos) = ORDER.iter().position(|m| *m == used) else { continue };
                if pos > at {
                    broken.push(format!("{} uses crate::{used}", file.display()));
                }
            }
            if !["web", "live", "app"].contains(module) {
                for http in HTTP_CRATES {
                    if code.contains(&format!("{http}::")) {
                        broken.push(format!("{} uses {http}", file.display()));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

#[test]
fn the_checker_sees_grouped_and_plain_paths() {
    let found = crate_paths("use crate::{live::Hub, web};\nlet x = crate::views::render(y);");
    assert_eq!(found, ["live", "web", "views"]);
}
