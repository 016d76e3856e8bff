//! `preflight watch JOB_ARN`: follow an import job until it is ACTIVE or CREATE FAILED
//! (Ctrl-C stops watching only).

use crate::args::WatchArgs;
use crate::import_job::follow;
use crate::outcome::Outcome;
use crate::session::Session;

pub fn run(args: &WatchArgs, session: &Session) -> anyhow::Result<Outcome> {
    let p = session.personalize()?;
    follow(&p, &args.job_arn, args.watch.timeout, session)
}
