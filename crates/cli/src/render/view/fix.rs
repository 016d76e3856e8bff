//! What `preflight fix` changed in one input, independent of any format: each emitter shows
//! the same lines.

use preflight_validator::fix::{Change, Example};
use preflight_validator::FixSummary;
use serde_json::{json, Value};

use crate::render::{plural, thousands};

/// One input's fix: where it was read and written, and what changed.
#[derive(Debug, Clone)]
pub struct FixReport {
    /// The input as the user named it.
    pub input: String,
    /// Where the fixed file went: a path, `-` for stdout, or the input (in place).
    pub output: String,
    /// What changed.
    pub summary: FixSummary,
    /// Whether unsafe fixes were applied.
    pub unsafe_fixes: bool,
}

impl FixReport {
    /// The headline: `fixed N issues in IN (written to OUT)`.
    pub fn headline(&self) -> String {
        let n: u64 = self
            .summary
            .changes
            .iter()
            .map(|c| c.changed + c.dropped)
            .sum();
        let target = if self.output == self.input {
            "in place".to_string()
        } else {
            format!("written to {}", self.output)
        };
        if self.summary.not_csv {
            return format!(
                "`{}` is not a CSV file preflight reads: copied unchanged ({target})",
                self.input
            );
        }
        if n == 0 {
            return format!("nothing to fix in `{}` ({target})", self.input);
        }
        format!(
            "fixed {} in `{}` ({target})",
            plural(n, "issue"),
            self.input
        )
    }

    /// What a change did, in words: `3 lines changed, 2 records dropped`.
    pub fn counts(c: &Change) -> String {
        let mut parts = Vec::new();
        if c.changed > 0 {
            parts.push(format!("{} changed", plural(c.changed, "line")));
        }
        if c.dropped > 0 {
            parts.push(format!("{} dropped", plural(c.dropped, "record")));
        }
        parts.join(", ")
    }

    /// One example line: `line 3: `before` → `after`` or `line 3: dropped `before``.
    pub fn example(e: &Example) -> String {
        match &e.after {
            Some(after) => format!("line {}: `{}` → `{}`", e.line, e.before, after),
            None => format!("line {}: dropped `{}`", e.line, e.before),
        }
    }

    /// `records: 1,000 in, 998 out (2 dropped)`.
    pub fn records(&self) -> String {
        let s = &self.summary;
        let mut text = format!(
            "records: {} in, {} out",
            thousands(s.records_in),
            thousands(s.records_out)
        );
        let dropped = s.dropped();
        if dropped > 0 {
            let why: Vec<String> = s
                .changes
                .iter()
                .filter(|c| c.dropped > 0)
                .map(|c| format!("{} {}", thousands(c.dropped), c.rule.name))
                .collect();
            text.push_str(&format!(
                " ({} dropped: {})",
                thousands(dropped),
                why.join(", ")
            ));
        }
        text
    }

    /// Unsafe fixes left for `--unsafe-fixes`, if any.
    pub fn unsafe_hint(&self) -> Option<String> {
        let s = &self.summary;
        if s.unsafe_available.is_empty() {
            return None;
        }
        let list: Vec<String> = s
            .unsafe_available
            .iter()
            .map(|(r, n)| format!("{} {}", thousands(*n), r.code))
            .collect();
        let n: u64 = s.unsafe_available.iter().map(|(_, n)| n).sum();
        Some(format!(
            "{} more {} with `--unsafe-fixes` ({})",
            thousands(n),
            if n == 1 { "fix" } else { "fixes" },
            list.join(", ")
        ))
    }

    /// The fix as the json format's `fix` member (and sarif's property bag).
    pub fn json(&self) -> Value {
        let s = &self.summary;
        json!({
            "input": self.input,
            "output": self.output,
            "unsafe_fixes": self.unsafe_fixes,
            "not_csv": s.not_csv,
            "records_in": s.records_in,
            "records_out": s.records_out,
            "dropped": s.dropped(),
            "changes": s.changes.iter().map(|c| json!({
                "code": c.rule.code,
                "name": c.rule.name,
                "applicability": c.applicability.as_str(),
                "changed": c.changed,
                "dropped": c.dropped,
                "examples": c.examples.iter().map(|e| json!({
                    "line": e.line, "before": e.before, "after": e.after,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "unsafe_available": s.unsafe_available.iter().map(|(r, n)| json!({
                "code": r.code, "name": r.name, "count": n,
            })).collect::<Vec<_>>(),
        })
    }
}
