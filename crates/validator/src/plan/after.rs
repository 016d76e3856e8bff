//! The limits Personalize applies to an Item interactions dataset (PF301–PF306: 1,000
//! interactions, repeat users, event types plus metadata, a domain's event-type minimums) apply
//! to the dataset, not to one file. The plan judges them on what the dataset holds after the job:
//!
//! - INCREMENTAL with the existing data given: the existing records plus the new ones (a batch
//!   record identical to an existing one adds nothing), counted as the existing data is streamed
//!   and the batch joined;
//! - FULL, or a dataset known to be empty: the new data alone;
//! - INCREMENTAL with the existing data unknown: only what the batch decides for certain. Its
//!   event types are a subset of the dataset's (PF304, PF305) and its size is the job's (PF301);
//!   repeat users and a domain's event counts (PF302, PF303, PF306) depend on data the plan has
//!   not seen, so they are not judged.
//!
//! The engine's message for each limit is kept; the plan says which data it judged
//! ("after the job: …").

use super::batch::Batch;
use super::existing::ABSENT;
use super::keys::{Capture, NO_EVENT_TYPE, OTHER_EVENT_TYPE};
use super::{ExistingState, Mode, Plan};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::dataset::{BlockAcc, DatasetAcc, UserCounts};
use crate::engine::InteractionLimits;
use crate::report::Collector;
use crate::rules::{self, TooFewInteractions, Violation};
use crate::schema::DatasetType;

/// What the dataset holds after an INCREMENTAL job: the existing records' facts, then the new
/// records'.
#[derive(Debug)]
pub(crate) struct AfterJob {
    acc: DatasetAcc,
    users: UserCounts,
    /// Records of the existing data.
    pub existing: u64,
}

impl AfterJob {
    /// Empty, for a dataset like the batch's (type, domain, optional metadata columns).
    pub fn like(batch: &DatasetAcc) -> Self {
        let mut acc = DatasetAcc::new(Some(DatasetType::Interactions), batch.domain);
        acc.limit_fields = batch.limit_fields.clone();
        AfterJob {
            acc,
            users: UserCounts::default(),
            existing: 0,
        }
    }

    /// The users' counts, which workers may feed directly.
    pub fn users(&self) -> &UserCounts {
        &self.users
    }

    /// Adds a block of existing records: their users (unless already counted) and event types.
    pub fn add_existing(&mut self, mut block: BlockAcc, records: u64) {
        self.users.absorb(std::mem::take(&mut block.users));
        self.acc.merge(block);
        self.acc.records += records;
        self.existing += records;
    }

    /// Adds the batch's records that are new to the dataset (`status` [`ABSENT`]).
    pub fn add_new(&mut self, capture: &Capture, batch: &Batch, status: &[u8]) {
        let mut per_event = vec![0u64; capture.event_names.len()];
        let mut other = 0u64;
        // Users are split by shard and counted a million at a time.
        let mut users = BlockAcc::default();
        let mut pending = 0usize;
        // `kept` ascends: walk the capture's chunks alongside.
        let (mut chunk, mut start) = (0usize, 0usize);
        for (k, &i) in batch.kept.iter().enumerate() {
            if status.get(k) != Some(&ABSENT) {
                continue;
            }
            self.acc.records += 1;
            let i = i as usize;
            while capture
                .user
                .get(chunk)
                .is_some_and(|c| i >= start + c.len())
            {
                start += capture.user[chunk].len();
                chunk += 1;
            }
            let (Some(u), Some(e)) = (capture.user.get(chunk), capture.event.get(chunk)) else {
                continue;
            };
            let j = i - start;
            if let Some(&h) = u.get(j) {
                users.add_user(h);
                pending += 1;
            }
            match e.get(j).copied() {
                None | Some(NO_EVENT_TYPE) => {}
                Some(OTHER_EVENT_TYPE) => other += 1,
                Some(e) => per_event[e as usize] += 1,
            }
            if pending >= 1 << 20 {
                self.users.absorb(std::mem::take(&mut users.users));
                pending = 0;
            }
        }
        self.users.absorb(std::mem::take(&mut users.users));
        let mut block = BlockAcc::default();
        block.event_types_overflow = other;
        block.event_types = capture
            .event_names
            .iter()
            .zip(per_event)
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| (name.clone(), n))
            .collect();
        self.acc.merge(block);
    }

    /// Adds the batch's records new to the dataset, counted by the partitions of the plan out
    /// of core (their users went to [`AfterJob::users`] already): `records` of them, per event
    /// type of the capture's table `names`, and `other` beyond it.
    pub fn add_new_counted(
        &mut self,
        records: u64,
        names: &[Vec<u8>],
        per_event: &[u64],
        other: u64,
    ) {
        self.acc.records += records;
        let mut block = BlockAcc::default();
        block.event_types_overflow = other;
        block.event_types = names
            .iter()
            .zip(per_event.iter().copied())
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| (name.clone(), n))
            .collect();
        self.acc.merge(block);
    }

    /// The limits' inputs.
    pub fn into_limits(self) -> InteractionLimits {
        let (users, repeat) = self.users.counts(None);
        InteractionLimits {
            acc: self.acc,
            users,
            repeat,
        }
    }
}

/// Judges the interactions limits for the plan: on `after` (INCREMENTAL with existing data
/// given), else on the batch (`batch`), worded for what was judged. Returns the error-level
/// findings judged on `after` (about the dataset, not the new data).
pub(crate) fn judge(
    batch: &InteractionLimits,
    after: Option<&InteractionLimits>,
    plan: &Plan,
    collector: &mut Collector,
) -> u64 {
    let mut judged = Collector::new(collector.policy().clone());
    let batch_only =
        plan.mode == Mode::Incremental && plan.existing_state == ExistingState::Unknown;
    match after {
        Some(a) => a.judge(&mut judged),
        None => batch.judge(&mut judged),
    }
    let (diags, counts) = judged.finish();
    let dataset_errors = if after.is_some() {
        counts
            .iter()
            .filter(|c| c.severity == Severity::Error)
            .map(|c| c.total)
            .sum()
    } else {
        0
    };
    let keep = |code: &str| !(batch_only && matches!(code, "PF302" | "PF303" | "PF306"));
    for mut d in diags {
        if !keep(d.rule.code) {
            continue;
        }
        if !batch_only {
            d.message = after_job_message(&d, after, plan);
        }
        collector.push_dataset(d);
    }
    for c in counts {
        if c.total > c.shown && keep(c.code) {
            if let Some(rule) = rules::lookup(c.code) {
                collector.count(rule, c.total - c.shown);
            }
        }
    }
    dataset_errors
}

/// "after the job: …", and PF301 reworded: after an INCREMENTAL job it counts the dataset's
/// interactions, not the job's records.
fn after_job_message(d: &Diagnostic, after: Option<&InteractionLimits>, plan: &Plan) -> String {
    match (d.rule.code, after, plan.mode) {
        ("PF301", Some(a), Mode::Incremental) => TooFewInteractions::AfterIncrementalJob {
            records: a.acc.records,
            existing: plan.existing.as_ref().map_or(0, |e| e.records),
        }
        .message(),
        ("PF301", None, _) => format!("{} (after the job the dataset holds only these)", d.message),
        _ => format!("after the job: {}", d.message),
    }
}
