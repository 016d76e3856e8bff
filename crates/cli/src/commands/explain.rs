//! `preflight explain CODE`.

use std::io::Write;

use anyhow::bail;
use preflight_validator::rules::lookup;

use crate::args::ExplainArgs;
use crate::outcome::Outcome;

pub fn run(args: &ExplainArgs) -> anyhow::Result<Outcome> {
    let Some(rule) = lookup(&args.code) else {
        bail!(
            "unknown rule `{}` (run `preflight rules` for the list)",
            args.code
        );
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "# {} {}", rule.code, rule.name)?;
    writeln!(out)?;
    let fix = match rule.fix {
        Some(a) => format!("{a}, applied by `{}`", a.command()),
        None => "none".to_string(),
    };
    writeln!(
        out,
        "Family: {}. Default severity: {}. Fix: {fix}.",
        rule.family.as_str(),
        rule.severity
    )?;
    writeln!(out)?;
    for line in rule.doc.lines() {
        writeln!(out, "{}", line.strip_prefix(' ').unwrap_or(line))?;
    }
    Ok(Outcome::success())
}
