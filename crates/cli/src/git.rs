//! `--changed-since REV`: the lines of a file added or changed since a git revision, from one
//! `git diff --unified=0` per file. Lines are matched by number, so the data is never diffed
//! by the validator itself and a large file costs one pass of git.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};
use preflight_validator::LineSet;

/// The lines of `path` (in the working tree) added or changed since `rev`. `None` when git
/// does not track the file (it is new, so every line counts); an empty set when it is tracked
/// and unchanged.
pub fn changed_lines(rev: &str, path: &Path) -> anyhow::Result<Option<LineSet>> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("`{}` is not a file", path.display()))?;
    let out = git(dir)
        .args([
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--text",
            "--unified=0",
            rev,
            "--",
        ])
        .arg(name)
        .output()
        .context("failed to run `git diff` for --changed-since (is git installed?)")?;
    if !out.status.success() {
        bail!(
            "`git diff {rev} -- {}` failed: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    if out.stdout.is_empty() {
        let tracked = git(dir)
            .args(["ls-files", "--error-unmatch", "--"])
            .arg(name)
            .output()
            .context("failed to run `git ls-files`")?;
        if !tracked.status.success() {
            return Ok(None);
        }
    }
    Ok(Some(parse_hunks(&out.stdout)))
}

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(dir);
    c
}

/// The new-file line ranges of the hunks of a `--unified=0` diff (`@@ -a,b +c,d @@`: lines
/// `c..c+d`; a hunk with `d = 0` only deletes).
pub fn parse_hunks(diff: &[u8]) -> LineSet {
    let mut ranges = Vec::new();
    for line in diff.split(|&b| b == b'\n') {
        let Some(rest) = line.strip_prefix(b"@@ ") else {
            continue;
        };
        let Ok(rest) = std::str::from_utf8(rest) else {
            continue;
        };
        let Some(new) = rest.split(' ').find_map(|w| w.strip_prefix('+')) else {
            continue;
        };
        let (start, count) = match new.split_once(',') {
            Some((s, c)) => (s.parse::<u64>(), c.parse::<u64>()),
            None => (new.parse::<u64>(), Ok(1)),
        };
        if let (Ok(start), Ok(count)) = (start, count) {
            if count > 0 {
                ranges.push(start..=start + count - 1);
            }
        }
    }
    LineSet::from_ranges(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks() {
        let diff = b"diff --git a/x.csv b/x.csv\n\
index 1..2 100644\n\
--- a/x.csv\n\
+++ b/x.csv\n\
@@ -3 +3 @@ USER_ID,ITEM_ID\n\
-a\n\
+b\n\
@@ -10,0 +11,2 @@\n\
+c\n\
+d\n\
@@ -20,4 +22,0 @@\n\
-e\n\
@@ -0,0 +1 @@\n\
+@@ -1 +99 @@ a line of data that looks like a hunk\n";
        let set = parse_hunks(diff);
        assert_eq!(
            set.ranges().collect::<Vec<_>>(),
            vec![1..=1, 3..=3, 11..=12]
        );
        assert!(parse_hunks(b"").is_empty());
    }
}
