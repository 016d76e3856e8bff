//! `preflight rules`.

use std::fmt::Write as _;
use std::io::Write;

use preflight_validator::rules::{ACCESS, ALL};

use crate::args::{Format, RulesArgs};
use crate::outcome::Outcome;

pub fn run(args: &RulesArgs) -> anyhow::Result<Outcome> {
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let rules: Vec<_> = ALL
                .iter()
                .chain(ACCESS)
                .map(|r| {
                    serde_json::json!({
                        "code": r.code, "name": r.name, "family": r.family.as_str(),
                        "severity": r.severity.as_str(), "fix": r.fix.map(|a| a.as_str()),
                        "summary": r.summary(), "url": r.reference(),
                    })
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&rules)?)?;
        }
        Format::Markdown => write!(out, "{}", reference())?,
        _ => {
            let mut family = "";
            // The access rules last: `doctor`, `import` and `run` check them before a job.
            for r in ALL.iter().chain(ACCESS) {
                if r.family.as_str() != family {
                    family = r.family.as_str();
                    writeln!(out, "\n{} rules", capitalize(family))?;
                }
                writeln!(
                    out,
                    "  {}  {:<36} {:<8} {:<7} {}",
                    r.code,
                    r.name,
                    r.severity.as_str(),
                    r.fix.map_or("", |a| a.as_str()),
                    r.summary()
                )?;
            }
            writeln!(
                out,
                "\nA rule marked safe or unsafe has a fix: `preflight fix` applies the safe ones, `--unsafe-fixes` the others.\nRun `preflight explain CODE` for a rule's documentation."
            )?;
        }
    }
    Ok(Outcome::success())
}

/// The full reference in markdown: a table of every rule, then each rule's documentation under
/// a `## CODE` heading (GitHub's anchor `#pf215`), its own headings one level down. Generated
/// from the rules the binary holds, so it is never out of date; `docs/rules.md` says how to
/// read it.
fn reference() -> String {
    let mut out = String::from(
        "# Rules\n\n\
         Every rule of this preflight, generated from the rules' own documentation \
         (`preflight rules --format markdown`). `preflight explain CODE` prints one. \
         Change a rule's severity with `--severity CODE=error|warning|info|off`. \
         The access rules (PF6xx) are checked by `preflight doctor`, and by `import` and `run` \
         before they create a job. A rule with a fix is repaired by `preflight fix` (unsafe \
         fixes with `--unsafe-fixes`).\n\n\
         | code | name | family | default severity | fix | what it flags |\n|---|---|---|---|---|---|\n",
    );
    for r in ALL.iter().chain(ACCESS) {
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
    for r in ALL.iter().chain(ACCESS) {
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
            // The rule's own headings, one level below the rule's.
            if let Some(h) = line.strip_prefix("## ") {
                let _ = writeln!(out, "### {h}");
            } else {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
