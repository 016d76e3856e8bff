//! `docs/rules.md` is generated from the rules' own documentation; this test keeps it current.
//! Regenerate with `UPDATE_DOCS=1 cargo test -p personalize-preflight --test it docs::`.

use std::fmt::Write;
use std::path::PathBuf;

use preflight_validator::rules::ALL;

fn generate() -> String {
    let mut out = String::from(
        "# Rules\n\nGenerated from the rule sources in `crates/validator/src/rules/` \
         (`UPDATE_DOCS=1 cargo test -p personalize-preflight --test it docs::`). \
         `preflight rules` lists them and `preflight explain CODE` prints one. \
         Change a rule's severity with `--severity CODE=error|warning|info|off`.\n\n\
         A rule with a fix is repaired by `preflight fix` (unsafe fixes with `--unsafe-fixes`; \
         see [commands/fix.md](commands/fix.md)).\n\n\
         | code | name | family | default severity | fix | what it flags |\n|---|---|---|---|---|---|\n",
    );
    for r in ALL {
        let _ = writeln!(
            out,
            "| [{}](#{}) | `{}` | {} | {} | {} | {} |",
            r.code,
            r.code.to_lowercase(),
            r.name,
            r.family.as_str(),
            r.severity,
            r.fix.map_or("", |a| a.as_str()),
            r.summary().replace('|', "\\|")
        );
    }
    for r in ALL {
        let _ = write!(
            out,
            "\n## {}\n\n`{}` · {} · default severity **{}**{}\n\n",
            r.code,
            r.name,
            r.family.as_str(),
            r.severity,
            r.fix
                .map(|a| format!(" · fix **{a}** (`{}`)", a.command()))
                .unwrap_or_default()
        );
        for line in r.doc.lines() {
            let line = line.strip_prefix(' ').unwrap_or(line);
            // Demote the rule's own headings below the rule's heading.
            if let Some(h) = line.strip_prefix("## ") {
                let _ = writeln!(out, "### {h}");
            } else {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}

#[test]
fn rules_doc_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let want = generate();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "docs/rules.md is out of date: run `UPDATE_DOCS=1 cargo test -p personalize-preflight --test it docs::`");
}
