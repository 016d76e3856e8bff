//! `preflight rules`.

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

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
