//! The gitlab format: a GitLab Code Quality report, the JSON array of issues a job publishes with
//! `artifacts: reports: codequality:` so that GitLab shows the findings in the merge request's
//! Code Quality widget and in the changes view (a subset of the Code Climate issue spec:
//! <https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format>).
//!
//! One issue per finding kept in the report, with `description` (the code, the message and the
//! help), `check_name` (the rule code), `severity` (an error is `critical`: the import fails or
//! imports wrong data; a warning `major`; an info `info`), `location.path` and
//! `location.lines.begin`, and a `fingerprint`. GitLab compares fingerprints between the merge
//! request and its target branch to tell new findings from fixed ones, and shows one issue per
//! fingerprint: so it hashes what stays when rows move (rule, file, column, message), not the
//! line, and a counter tells apart identical findings in one file. The plan and the insights
//! have no place in the format: their findings are issues like any other.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::Section;
use preflight_validator::Severity;

pub fn render(sections: &[Section<'_>]) -> String {
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut issues = Vec::new();
    for s in sections {
        let r = s.report;
        for d in &r.diagnostics {
            let l = &d.location;
            // GitLab needs a path: a finding about the dataset or the built-in schema points at
            // the first file of the import.
            let path = l
                .file
                .as_deref()
                .or(r.files.first().map(|f| f.path.as_str()))
                .or(r.schema.as_deref())
                .unwrap_or("-");
            let path = path.strip_prefix("./").unwrap_or(path);
            let mut description = format!("{} {}", d.rule.code, d.message);
            if let Some(field) = &l.field {
                description.push_str(&format!(" [{field}]"));
            }
            if let Some(name) = s.name {
                description = format!("{name}: {description}");
            }
            if let Some(h) = &d.help {
                description.push_str(&format!(" (help: {h})"));
            }
            if let Some(note) = super::fix_note(d) {
                description.push_str(&format!(" ({note})"));
            }
            let key = format!(
                "{}\0{}\0{path}\0{}\0{}",
                s.name.unwrap_or(""),
                d.rule.code,
                l.field.as_deref().unwrap_or(""),
                d.message
            );
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            issues.push(json!({
                "description": description,
                "check_name": d.rule.code,
                "fingerprint": fingerprint(&format!("{key}\0{n}")),
                "severity": match d.severity {
                    Severity::Error => "critical",
                    Severity::Warning => "major",
                    Severity::Info => "info",
                },
                "location": {"path": path, "lines": {"begin": l.line.unwrap_or(1)}},
            }));
        }
    }
    let mut out = serde_json::to_string_pretty(&Value::Array(issues)).expect("JSON values");
    out.push('\n');
    out
}

/// 32 hex digits of FNV-1a over `text`, twice with different offsets: stable across runs,
/// platforms and versions of Rust (GitLab compares them between pipelines).
fn fingerprint(text: &str) -> String {
    let fnv = |offset: u64| {
        text.bytes().fold(offset, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format!(
        "{:016x}{:016x}",
        fnv(0xcbf2_9ce4_8422_2325),
        fnv(0x6c62_272e_07bb_0142)
    )
}

#[cfg(test)]
mod tests {
    use super::super::sample::rendered;
    use super::super::Format;

    #[test]
    fn the_sample_as_a_code_quality_report() {
        let out = rendered(Format::Gitlab);
        let issues: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        let mut prints: Vec<&str> = issues
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap())
            .collect();
        prints.sort_unstable();
        prints.dedup();
        assert_eq!(
            prints.len(),
            issues.len(),
            "GitLab shows one issue per fingerprint"
        );
        insta::assert_snapshot!(out, @r#"
[
  {
    "description": "PF215 `TIMESTAMP` `1700000000000` has 13 digits: it looks like milliseconds (as seconds it is after 2100-01-01) [TIMESTAMP] (help: Personalize expects Unix epoch seconds: divide by 1000 (1700000000)) (fixable with `preflight fix --unsafe-fixes`)",
    "check_name": "PF215",
    "fingerprint": "c491dc2d1951e6c2e581e3bd3759d57d",
    "severity": "critical",
    "location": {
      "path": "new.csv",
      "lines": {
        "begin": 5
      }
    }
  },
  {
    "description": "PF206 `ITEM_ID` is empty, but its type does not allow null [ITEM_ID] (help: fill in `ITEM_ID`, or drop the record (only fields declared as a union with \"null\" may be empty))",
    "check_name": "PF206",
    "fingerprint": "dabde35648883fd805a97c76b9b5517d",
    "severity": "critical",
    "location": {
      "path": "new.csv",
      "lines": {
        "begin": 6
      }
    }
  },
  {
    "description": "PF308 this interaction is identical to the record on line 2 (help: exact duplicates collapse into one interaction; remove them if they are not intended) (fixable with `preflight fix --unsafe-fixes`)",
    "check_name": "PF308",
    "fingerprint": "a0bb30b49d56666ec9a077c845f316ef",
    "severity": "info",
    "location": {
      "path": "new.csv",
      "lines": {
        "begin": 7
      }
    }
  },
  {
    "description": "PF310 the INCREMENTAL import adds 6 new interactions: 2 of its 8 records collapse into identical records (1 already in the dataset, 1 repeated in the batch); Personalize needs at least 1000 new records (help: export only events newer than the last import, combine this batch with the next one, or send small increments with PutEvents)",
    "check_name": "PF310",
    "fingerprint": "899c8895ed7ad6dca72a7a3dfe6ebc59",
    "severity": "critical",
    "location": {
      "path": "new.csv",
      "lines": {
        "begin": 1
      }
    }
  },
  {
    "description": "PF301 after the job the dataset holds 8 interactions (2 existing, 6 new); Personalize needs at least 1000 to train (help: add records, or combine this batch with the next one before importing)",
    "check_name": "PF301",
    "fingerprint": "d8612fb4f2262a643cf3cc9c1168d6db",
    "severity": "critical",
    "location": {
      "path": "new.csv",
      "lines": {
        "begin": 1
      }
    }
  },
  {
    "description": "PF302 after the job: only 3 of 5 users have at least 2 interactions; training needs 25 (help: import more history per user before training (this import alone is not enough))",
    "check_name": "PF302",
    "fingerprint": "9ade2134b510081608feb37576f8cac1",
    "severity": "major",
    "location": {
      "path": "new.csv",
      "lines": {
        "begin": 1
      }
    }
  }
]
"#);
    }
}
