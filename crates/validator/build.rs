//! Lists the rules from their files, so that a new rule is one file in
//! `src/rules/<family>/` (and one fixture folder): for each family, the module and re-exports of
//! every rule file (`rules_<family>.rs`), and every rule constant in code order for
//! `rules::ALL` (`rules_all.rs`), all in `OUT_DIR`. The access family (PF6xx) is found by
//! `preflight-uploader`'s access checks, never by the engine: its rules are listed in
//! `rules::ACCESS` (`rules_access_all.rs`) and kept out of `rules::ALL`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

const FAMILIES: [&str; 7] = [
    "file", "header", "field", "dataset", "schema", "insights", "access",
];

/// The families whose rules the engine does not raise (not in `rules::ALL`).
const NOT_ENGINE: [&str; 1] = ["access"];

fn main() {
    println!("cargo:rerun-if-changed=src/rules");
    let rules = Path::new("src/rules");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut all: Vec<String> = Vec::new();
    let mut access: Vec<String> = Vec::new();
    for family in FAMILIES {
        let dir = rules.join(family);
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .map(|e| {
                e.expect("a directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|n| n.ends_with(".rs") && n != "mod.rs")
            .collect();
        names.sort();
        let mut text = String::new();
        for name in names {
            let path = dir.join(&name);
            let source = fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let code = rule_constant(&source).unwrap_or_else(|| {
                panic!(
                    "{} declares no rule: it needs `declare_rule! {{ … pub const PFnnn = \"PFnnn\", \"name\", Family, Severity; }}`",
                    path.display()
                )
            });
            if !source.contains("impl Violation for ") {
                panic!(
                    "{} words none of its findings: it needs a type of facts with `impl Violation for …` (see src/rules/mod.rs)",
                    path.display()
                );
            }
            let stem = &name[..name.len() - 3];
            let absolute = fs::canonicalize(&path).expect("the file exists");
            let _ = writeln!(
                text,
                "#[path = {:?}]\npub mod {stem};\npub use {stem}::*;",
                absolute.display().to_string()
            );
            if NOT_ENGINE.contains(&family) {
                access.push(code);
            } else {
                all.push(code);
            }
        }
        fs::write(out.join(format!("rules_{family}.rs")), text).expect("OUT_DIR is writable");
    }
    write_list(&out.join("rules_all.rs"), all);
    write_list(&out.join("rules_access_all.rs"), access);
}

/// A slice of rule constants in code order.
fn write_list(path: &Path, mut codes: Vec<String>) {
    codes.sort();
    let list: Vec<String> = codes.iter().map(|c| format!("&{c}")).collect();
    fs::write(path, format!("&[{}]\n", list.join(", "))).expect("OUT_DIR is writable");
}

/// The constant a rule file declares: `pub const PF215 = "PF215", …` gives `PF215`.
fn rule_constant(source: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("pub const ")?;
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let is_code = ident.len() == 5
            && ident.starts_with("PF")
            && ident[2..].chars().all(|c| c.is_ascii_digit());
        (is_code && rest[ident.len()..].trim_start().starts_with('=')).then_some(ident)
    })
}
