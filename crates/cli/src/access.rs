//! The access checks before a job (`doctor`, and `import` and `run` before they create one):
//! whether Personalize will be allowed to read the data (bucket region and policy, the role's
//! trust policy and permissions, an SSE-KMS key's policy). The checks themselves are
//! `preflight_uploader::access`; this module connects their clients, turns each finding into a
//! diagnostic worded by its PF6xx rule (`--severity` applies), and prints them.

use std::io::Write;

use preflight_uploader::access::{planned_calls, CheckResult, Status};
use preflight_uploader::{
    check_access, AccessFinding, AccessOptions, AccessReport, AccessRequest, S3Url, SdkIam, SdkKms,
};
use preflight_validator::rules::access::{diagnostic, AccessFacts};
use preflight_validator::{Diagnostic, Level, Severity};
use serde::Serialize;

use crate::exit;
use crate::outcome::Outcome;
use crate::session::Session;

/// The checks' results, and their findings as diagnostics after `--severity`.
#[derive(Debug, Serialize)]
pub struct Checked {
    /// Every check made, in order, with the uploader's findings (and their policy fixes).
    pub report: AccessReport,
    /// The findings as the user sees them, at their effective severity (off: dropped).
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// How many findings are errors (after `--severity`).
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }
}

/// What the checks need to know: the dataset, the role and where the data is (or will be).
pub fn request(
    dataset_arn: &str,
    dataset_group_arn: Option<String>,
    role_arn: &str,
    location: &S3Url,
    job_name: &str,
    staging_kms_key: Option<String>,
) -> AccessRequest {
    AccessRequest {
        dataset_arn: dataset_arn.to_string(),
        dataset_group_arn,
        role_arn: role_arn.to_string(),
        location: location.clone(),
        job_name: job_name.to_string(),
        objects: Vec::new(),
        staging_kms_key,
        grant_prefix: None,
    }
}

/// The dataset ARN's region (`arn:aws:personalize:REGION:…`).
fn region_of(dataset_arn: &str) -> Option<String> {
    dataset_arn
        .split(':')
        .nth(3)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
}

/// Runs every check with the session's clients: S3 for the bucket, IAM for the role, KMS (in
/// the dataset's region) for a key. `Err` only for ARNs that do not parse or clients that
/// cannot be made; every failed call is a "could not check" finding.
pub fn check(session: &Session, request: &AccessRequest) -> anyhow::Result<Checked> {
    let rt = session.runtime()?;
    let aws = session.aws();
    let opts = AccessOptions {
        profile: aws.profile.clone(),
        region: aws
            .region
            .clone()
            .or_else(|| region_of(&request.dataset_arn)),
        read_timeout: Some(aws.request_timeout),
        deadline: Some(aws.request_deadline),
        observer: Some(std::sync::Arc::new(crate::progress::Reporter::new(false))),
    };
    let clients = session.clients();
    let iam = match &clients.iam {
        Some(i) => i.clone(),
        None => rt
            .block_on(SdkIam::connect(&opts))
            .map_err(anyhow::Error::msg)?,
    };
    let kms = match &clients.kms {
        Some(k) => k.clone(),
        None => rt
            .block_on(SdkKms::connect(&opts))
            .map_err(anyhow::Error::msg)?,
    };
    let bucket = match &clients.bucket_access {
        Some(b) => b.clone(),
        None => session.s3_store(&request.location.bucket)?,
    };
    let report = rt
        .block_on(check_access(bucket.as_ref(), &iam, &kms, request))
        .map_err(anyhow::Error::msg)?;
    let policy = session.policy();
    let diagnostics = report
        .findings()
        .filter_map(|f| {
            let mut d = to_diagnostic(f)?;
            match policy.level(d.rule) {
                Level::Off => return None,
                Level::Report(s) => d.severity = s,
            }
            Some(d)
        })
        .collect();
    Ok(Checked {
        report,
        diagnostics,
    })
}

/// An uploader finding as the diagnostic its rule words.
fn to_diagnostic(f: &AccessFinding) -> Option<Diagnostic> {
    diagnostic(
        f.rule.code,
        AccessFacts {
            message: f.message.clone(),
            help: f.help.clone(),
            statement: f.fix.as_ref().map(|x| x.json()),
        },
    )
}

/// The calls the checks would make, as dry-run request lines (`--dry-run`).
pub fn print_planned(request: &AccessRequest) -> anyhow::Result<()> {
    for c in planned_calls(request).map_err(anyhow::Error::msg)? {
        crate::import_job::print_dry_request(
            c.service,
            c.operation,
            serde_json::json!({ "target": c.target }),
        )?;
    }
    Ok(())
}

fn mark(c: &CheckResult) -> &'static str {
    match c.status() {
        Status::Passed => "ok     ",
        Status::Warned => "warning",
        Status::Failed => "error  ",
        Status::Skipped => "skipped",
    }
}

/// The checks for people: one line per check, then each finding with its rule, what is wrong
/// and the fix (the policy statement to add, indented).
pub fn print_human(out: &mut dyn Write, checked: &Checked) -> std::io::Result<()> {
    writeln!(out, "access checks (can Personalize read the data?):")?;
    for c in &checked.report.checks {
        writeln!(out, "  {}  {}", mark(c), c.summary)?;
    }
    for d in &checked.diagnostics {
        writeln!(
            out,
            "{}[{}]: {} ({})",
            d.severity.as_str(),
            d.rule.code,
            d.message,
            d.rule.name
        )?;
        if let Some(help) = &d.help {
            let mut lines = help.lines();
            if let Some(first) = lines.next() {
                writeln!(out, "  = help: {first}")?;
            }
            for l in lines {
                writeln!(out, "      {l}")?;
            }
        }
    }
    if !checked.diagnostics.is_empty() {
        writeln!(
            out,
            "  (`preflight explain CODE` says why a rule matters; `--severity CODE=warning` lowers one)"
        )?;
    }
    Ok(())
}

/// The checks as JSON: every check with its status and findings (rule, effective severity,
/// message, help, and the policy statement to add).
pub fn to_json(checked: &Checked) -> serde_json::Value {
    let checks: Vec<serde_json::Value> = checked
        .report
        .checks
        .iter()
        .map(|c| {
            let findings: Vec<serde_json::Value> = c
                .findings
                .iter()
                .filter_map(|f| {
                    let d = checked
                        .diagnostics
                        .iter()
                        .find(|d| d.rule.code == f.rule.code && d.message == f.message)?;
                    Some(serde_json::json!({
                        "code": d.rule.code,
                        "name": d.rule.name,
                        "severity": d.severity.as_str(),
                        "message": d.message,
                        "help": f.help,
                        "fix": f.fix,
                    }))
                })
                .collect();
            serde_json::json!({
                "check": c.kind,
                "status": c.status(),
                "summary": c.summary,
                "findings": findings,
            })
        })
        .collect();
    serde_json::json!({
        "checks": checks,
        "errors": checked.errors(),
        "warnings": checked.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count(),
    })
}

/// Before a job: prints the checks on stderr; errors refuse the job (exit 6).
pub fn gate(session: &Session, request: &AccessRequest) -> anyhow::Result<Option<Outcome>> {
    let checked = check(session, request)?;
    print_human(&mut std::io::stderr().lock(), &checked)?;
    let errors = checked.errors();
    if errors == 0 {
        return Ok(None);
    }
    Ok(Some(
        Outcome::failed(
            exit::IMPORT_REFUSED,
            format!(
                "import refused: the access checks found {errors} error(s): Personalize would not be allowed to read the data, and the job would fail with \"Insufficient privileges for accessing data in Amazon S3\""
            ),
        )
        .note("No import job was created. Add the policy statements shown above, or run `preflight doctor` to check again; --skip-access-check creates the job without these checks.")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_comes_from_the_dataset_arn() {
        assert_eq!(
            region_of("arn:aws:personalize:eu-west-1:111122223333:dataset/g/ITEMS").as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(region_of("nonsense"), None);
    }
}
