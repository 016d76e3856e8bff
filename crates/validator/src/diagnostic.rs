//! Findings as data: a rule, a severity, a message, a help line and a location.
//!
//! Nothing here prints. Renderers in the CLI turn [`Diagnostic`]s into text, JSON, GitHub
//! annotations or JUnit XML.

use std::fmt;

use serde::Serialize;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run.
    Info,
    /// Likely to hurt recommendations or surprise the user; the import would still succeed.
    Warning,
    /// The import job (or training) would fail, or would import wrong data.
    Error,
}

impl Severity {
    /// The lowercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The level a user can give a rule with `--severity CODE=LEVEL`: a severity, or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Report findings of this rule at the given severity.
    Report(Severity),
    /// Do not run or report this rule.
    Off,
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Ok(Level::Report(Severity::Error)),
            "warning" | "warn" => Ok(Level::Report(Severity::Warning)),
            "info" => Ok(Level::Report(Severity::Info)),
            "off" | "ignore" | "none" => Ok(Level::Off),
            other => Err(format!(
                "unknown level `{other}` (expected error, warning, info or off)"
            )),
        }
    }
}

/// The family a rule belongs to; the hundreds digit of its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// PF0xx: the file as a whole: encoding, line endings, where it sits.
    File,
    /// PF1xx: the header row.
    Header,
    /// PF2xx: one field of one record.
    Field,
    /// PF3xx: facts about the whole import, from the same single pass.
    Dataset,
    /// PF4xx: the Avro schema.
    Schema,
    /// PF5xx: data insights (`preflight insights`): what Personalize's own analysis would report.
    Insights,
    /// PF6xx: access to the data (bucket, role, trust and key policies), checked before a job.
    Access,
}

impl Family {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::File => "file",
            Family::Header => "header",
            Family::Field => "field",
            Family::Dataset => "dataset",
            Family::Schema => "schema",
            Family::Insights => "insights",
            Family::Access => "access",
        }
    }
}

/// Whether a fix only changes the form of the file or may change the data (ruff's
/// applicability): `preflight fix` applies safe fixes, and unsafe ones only with
/// `--unsafe-fixes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Only the form changes (a byte order mark, line endings, header spelling, column order,
    /// blank lines, quote escapes, `1.0` in a `long`): every value Personalize reads is the one
    /// the writer meant.
    Safe,
    /// A value changes or a record is dropped (milliseconds to seconds, trimmed IDs, unified
    /// event types, duplicates dropped): right in the common case, but the user should look.
    Unsafe,
}

impl Applicability {
    /// `safe` or `unsafe`, as every output format writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }

    /// The command that applies a fix of this applicability, for help lines.
    pub fn command(self) -> &'static str {
        match self {
            Applicability::Safe => "preflight fix",
            Applicability::Unsafe => "preflight fix --unsafe-fixes",
        }
    }
}

impl fmt::Display for Applicability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule: a stable code, a kebab-case name, a default severity and its documentation.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable code such as `PF215`. Codes are never reused.
    pub code: &'static str,
    /// Kebab-case name of the pattern flagged, such as `timestamp-in-milliseconds`.
    pub name: &'static str,
    /// The family (file, header, field, dataset, schema).
    pub family: Family,
    /// Severity unless the user overrides it.
    pub severity: Severity,
    /// Markdown documentation in ruff's shape: What it does / Why is this bad? / Example / References.
    pub doc: &'static str,
    /// The fix `preflight fix` can apply to its findings, if any (some findings of a fixable
    /// rule may still have none: see [`Diagnostic::fix`]).
    pub fix: Option<Applicability>,
}

impl Rule {
    /// The first sentence of "What it does", for `preflight rules`.
    pub fn summary(&self) -> &'static str {
        let mut lines = self.doc.lines().map(str::trim);
        let mut in_what = false;
        for l in lines.by_ref() {
            if l.starts_with("## What it does") {
                in_what = true;
                continue;
            }
            if in_what && !l.is_empty() {
                return l;
            }
        }
        self.doc
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or("")
    }

    /// The URL of the Personalize documentation page the rule comes from, if any.
    pub fn reference(&self) -> Option<&'static str> {
        let start = self.doc.find("https://")?;
        let rest = &self.doc[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == ')' || c == '>')
            .unwrap_or(rest.len());
        Some(&rest[..end])
    }
}

/// Where a finding is. Dataset-level findings have no file; file-level ones have no line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file as the user named it (`-` for standard input).
    pub file: Option<String>,
    /// 1-based physical line.
    pub line: Option<u64>,
    /// 1-based column (field) index.
    pub column: Option<u32>,
    /// The schema field (or header name) of that column.
    pub field: Option<String>,
    /// 0-based byte offset in the file of the start of the offending value (or line).
    pub byte: Option<u64>,
}

/// The source line a finding points into, kept for the human renderer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    /// The text around the finding (lossily decoded, possibly a window of a long line).
    pub text: String,
    /// Character offset of the highlighted span within `text`.
    pub start: usize,
    /// Length of the highlighted span, in characters (at least 1).
    pub len: usize,
    /// Whether text was cut on the left.
    pub cut_left: bool,
    /// Whether text was cut on the right.
    pub cut_right: bool,
    /// 1-based character column of the span in the whole line (for editors and annotations).
    pub line_col: usize,
}

/// One finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The rule that produced it.
    pub rule: &'static Rule,
    /// Effective severity (after `--severity` overrides).
    pub severity: Severity,
    /// What is wrong, quoting the value.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Where it is: file, line, column, field, byte, each `None` where it does not apply.
    pub location: Location,
    /// The source line, for the human renderer.
    pub snippet: Option<Snippet>,
    /// Whether `preflight fix` repairs this finding, and how safely.
    pub fix: Option<Applicability>,
}

impl Diagnostic {
    /// A finding with the rule's default severity and no location.
    pub fn new(rule: &'static Rule, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: rule.severity,
            message: message.into(),
            help: None,
            location: Location::default(),
            snippet: None,
            fix: None,
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the file.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.location.file = Some(file.into());
        self
    }

    /// Sets the location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = location;
        self
    }

    /// Attaches a snippet.
    pub fn with_snippet(mut self, snippet: Snippet) -> Self {
        self.snippet = Some(snippet);
        self
    }
}

/// Quotes a value for a message: at most `max` characters, control characters escaped.
pub fn quote_value(bytes: &[u8], max: usize) -> String {
    let s = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(s.len().min(max * 4) + 2);
    out.push('`');
    for (n, c) in s.chars().enumerate() {
        if n == max {
            out.push('…');
            break;
        }
        match c {
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '`' => out.push('\''),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('`');
    out
}

/// Builds a snippet of `line` that highlights bytes `start..end`, cut to a window of about
/// `width` characters around the span so a 50 MB line stays printable.
pub fn make_snippet(line: &[u8], start: usize, end: usize, width: usize) -> Snippet {
    let start = start.min(line.len());
    snippet_at(
        line,
        start,
        end,
        width,
        crate::dialect::char_count(&line[..start]) + 1,
    )
}

/// [`make_snippet`] for a caller that knows the 1-based character column of `start`: counting
/// it again for each of 10,000 header cells made one header take seconds.
pub(crate) fn snippet_at(
    line: &[u8],
    start: usize,
    end: usize,
    width: usize,
    line_col: usize,
) -> Snippet {
    let start = start.min(line.len());
    let end = end.clamp(start, line.len());
    // A span wider than the window is shown by its start only (a 50 MB field printed whole
    // made a 50 MB report).
    let mut end = end;
    let capped = end - start > width;
    if capped {
        end = start + width;
        while end > start && end < line.len() && (line[end] & 0xC0) == 0x80 {
            end -= 1;
        }
    }
    // Window in bytes, then widened to char boundaries by lossy decoding.
    let half = width / 2;
    let win_start = start.saturating_sub(half);
    let win_end = if capped {
        end
    } else {
        (end.max(start + 1) + half).min(line.len()).max(win_start)
    };
    let mut ws = win_start;
    // Move to a UTF-8 boundary (skip continuation bytes).
    while ws > 0 && ws < line.len() && (line[ws] & 0xC0) == 0x80 {
        ws -= 1;
    }
    let mut we = win_end;
    while we < line.len() && (line[we] & 0xC0) == 0x80 {
        we += 1;
    }
    let before = String::from_utf8_lossy(&line[ws..start]);
    let span = String::from_utf8_lossy(&line[start..end]);
    let after = String::from_utf8_lossy(&line[end..we]);
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c == '\t' {
                    ' '
                } else if c.is_control() {
                    '·'
                } else {
                    c
                }
            })
            .collect()
    };
    let before = clean(&before);
    let span = clean(&span);
    let after = clean(&after);
    let start_chars = before.chars().count();
    let len = span.chars().count().max(1);
    Snippet {
        text: format!("{before}{span}{after}"),
        start: start_chars,
        len,
        cut_left: ws > 0,
        cut_right: we < line.len(),
        line_col,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_span_is_shown_by_its_start_only() {
        // Regression (adversarial corpus): a 50 MB value was copied whole into its snippet,
        // and so into a 50 MB report.
        let mut line = b"u1,".to_vec();
        line.extend(std::iter::repeat_n(b'a', 1 << 20));
        let s = make_snippet(&line, 3, line.len(), 100);
        assert!(s.text.len() <= 300, "{} bytes", s.text.len());
        assert!(s.cut_right);
        assert_eq!((s.start, s.len, s.line_col), (3, 100, 4));
        // Cut on a character boundary.
        let line = "x,".to_string() + &"é".repeat(500);
        let s = make_snippet(line.as_bytes(), 2, line.len(), 101);
        assert_eq!(s.text, "x,".to_string() + &"é".repeat(50));
        assert_eq!(s.len, 50);
    }
}
