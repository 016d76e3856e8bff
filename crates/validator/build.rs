//! Lists the rules from their files, so that a new rule is one file in
//! `src/rules/<family>/` (and one fixture folder): for each family, the module and re-exports of
//! every rule file (`rules_<family>.rs`), and every rule constant in code order for
//! `rules::ALL` (`rules_all.rs`), all in `OUT_DIR`. The access family (PF6xx) is found by
//! `preflight-uploader`'s access checks, never by the engine: its rules are listed in
//! `rules::ACCESS` (`rules_access_all.rs`) and kept out of `rules::ALL`.
//!
//! It also wires the detection hooks (`hooks.rs`): a rule file that implements its family's hook
//! trait (`impl SchemaHook for …` in a schema rule, see `src/rules/hooks.rs`) is called by a
//! generated function at that family's point in the checks, in code order, with static calls
//! only, and only while the policy keeps the rule on. A hook trait of another family, or of a
//! family with no hook point, is refused here.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

const FAMILIES: [&str; 7] = [
    "file", "header", "field", "dataset", "schema", "insights", "access",
];

/// The families whose rules the engine does not raise (not in `rules::ALL`).
const NOT_ENGINE: [&str; 1] = ["access"];

/// The families with a hook point, and their hook trait.
const HOOKS: [(&str, &str); 6] = [
    ("file", "FileHook"),
    ("schema", "SchemaHook"),
    ("header", "HeaderHook"),
    ("field", "FieldHook"),
    ("dataset", "DatasetHook"),
    ("insights", "InsightsHook"),
];

/// A rule file's hook: its rule constant, its module path and the type implementing the trait.
struct Hook {
    code: String,
    module: String,
    ty: String,
}

fn main() {
    println!("cargo:rerun-if-changed=src/rules");
    let rules = Path::new("src/rules");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut all: Vec<String> = Vec::new();
    let mut access: Vec<String> = Vec::new();
    let mut hooks: Vec<(&str, Vec<Hook>)> = HOOKS.iter().map(|(f, _)| (*f, Vec::new())).collect();
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
            if let Some((trait_name, ty)) = hook_impl(&source) {
                let own = HOOKS.iter().find(|(f, _)| *f == family).map(|(_, t)| *t);
                if own != Some(trait_name.as_str()) {
                    let points: Vec<String> =
                        HOOKS.iter().map(|(f, t)| format!("{f}: `{t}`")).collect();
                    panic!(
                        "{} implements `{trait_name}`, but {}: the hook points are {} (see src/rules/hooks.rs)",
                        path.display(),
                        match own {
                            Some(t) => format!("a {family} rule's hook is `{t}`"),
                            None => format!("the {family} family has no hook point"),
                        },
                        points.join(", ")
                    );
                }
                let list = &mut hooks
                    .iter_mut()
                    .find(|(f, _)| *f == family)
                    .expect("a hook family")
                    .1;
                list.push(Hook {
                    code: code.clone(),
                    module: format!("crate::rules::{family}::{stem}"),
                    ty,
                });
            }
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
    write_hooks(&out.join("hooks.rs"), hooks);
}

/// The hook runners: per family, the list of rules with a hook and the function that calls
/// each hook in code order (see `src/rules/hooks.rs` for the traits and the call sites).
fn write_hooks(path: &Path, mut hooks: Vec<(&str, Vec<Hook>)>) {
    let mut text = String::new();
    for (family, list) in &mut hooks {
        list.sort_by(|a, b| a.code.cmp(&b.code));
        let upper = family.to_uppercase();
        let rules: Vec<String> = list
            .iter()
            .map(|h| format!("&{}::{}", h.module, h.code))
            .collect();
        let _ = writeln!(
            text,
            "/// The {family} rules detected by a hook, in code order (generated; read by the tests).\n\
             #[cfg(test)]\n\
             pub(crate) static {upper}: &[&Rule] = &[{}];",
            rules.join(", ")
        );
        let trait_name = HOOKS
            .iter()
            .find(|(f, _)| f == family)
            .expect("a hook family")
            .1;
        if *family == "field" {
            if list.len() > 64 {
                panic!(
                    "more than 64 field hooks: the per-column masks of src/rules/hooks.rs hold 64"
                );
            }
            // Per column, a bit per hook whose rule is on and that wants the column; the hot
            // loop tests one word per value.
            let _ = writeln!(
                text,
                "/// Per column, a bit per field hook whose rule is on and that wants the column (generated).\n\
                 pub(crate) fn field_masks(policy: &Policy, columns: &[Column]) -> Vec<u64> {{\n    \
                 columns.iter().map(|_column| {{\n        #[allow(unused_mut)]\n        let mut mask = 0u64;"
            );
            for (i, h) in list.iter().enumerate() {
                let _ = writeln!(
                    text,
                    "        if policy.enabled(&{m}::{c}) && <{m}::{t} as FieldHook>::wants(_column) {{ mask |= 1 << {i}; }}",
                    m = h.module,
                    c = h.code,
                    t = h.ty
                );
            }
            let _ = writeln!(text, "        mask\n    }}).collect()\n}}");
            let _ = writeln!(
                text,
                "/// Runs the field hooks of `_mask` on one value (generated): `{trait_name}`.\n\
                 #[inline(always)]\n\
                 pub(crate) fn field(_mask: u64, _cx: &FieldCx<'_>, _out: &mut FieldOut<'_>) {{"
            );
            for (i, h) in list.iter().enumerate() {
                let _ = writeln!(
                    text,
                    "    if _mask & (1 << {i}) != 0 {{ <{}::{} as FieldHook>::check_field(_cx, _out); }}",
                    h.module, h.ty
                );
            }
            let _ = writeln!(text, "}}");
        } else {
            let (cx, method) = match *family {
                "file" => ("FileCx", "check_file"),
                "schema" => ("SchemaCx", "check_schema"),
                "header" => ("HeaderCx", "check_header"),
                "dataset" => ("DatasetCx", "check_dataset"),
                _ => ("InsightsCx", "check_insights"),
            };
            let _ = writeln!(
                text,
                "/// Runs the {family} hooks whose rule is on, in code order (generated): `{trait_name}`.\n\
                 pub(crate) fn {family}(_policy: &Policy, _cx: &{cx}<'_>, _out: &mut Vec<Diagnostic>) {{"
            );
            for h in list.iter() {
                let _ = writeln!(
                    text,
                    "    if _policy.enabled(&{m}::{c}) {{ <{m}::{t} as {trait_name}>::{method}(_cx, _out); }}",
                    m = h.module,
                    c = h.code,
                    t = h.ty
                );
            }
            let _ = writeln!(text, "}}");
        }
    }
    fs::write(path, text).expect("OUT_DIR is writable");
}

/// The hook a rule file implements: `impl SchemaHook for SchemaResourceName<'_> {` gives
/// (`SchemaHook`, `SchemaResourceName<'_>`). Any trait whose name ends in `Hook` counts, so that a
/// hook of the wrong family is refused rather than ignored.
fn hook_impl(source: &str) -> Option<(String, String)> {
    source.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("impl")?;
        // `impl<'a> …`: skip the generics.
        let rest = match rest.strip_prefix('<') {
            Some(generics) => generics.split_once('>')?.1,
            None => rest,
        };
        let rest = rest.strip_prefix(' ')?;
        let (trait_name, ty) = rest.split_once(" for ")?;
        let trait_name = trait_name.trim();
        let ok = trait_name.ends_with("Hook")
            && trait_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        let ty = ty.trim().strip_suffix('{')?.trim();
        ok.then(|| (trait_name.to_string(), ty.to_string()))
    })
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
