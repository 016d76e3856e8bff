//! Limits that training applies without a word (PF512–PF514): the import succeeds, but part of
//! the data never reaches a model.
//!
//! - Items: training considers at most 750,000 items (5 million for User-Personalization-v2
//!   and Personalized-Ranking-v2, counting the items of the Items and the Item interactions
//!   datasets); Personalize picks which, favouring new items and items with recent
//!   interactions, and only those can be recommended
//!   (<https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>).
//! - Actions: at most 1,000 actions are considered in training and recommendations
//!   (<https://docs.aws.amazon.com/personalize/latest/dg/limits.html>).
//! - Next-Best-Action scores an action only once it has at least 50 `TAKEN` and at least 50
//!   `NOT_TAKEN` or `VIEWED` action interactions within 6 weeks of the latest action-interaction
//!   timestamp; until then its propensity score is 0
//!   (<https://docs.aws.amazon.com/personalize/latest/dg/native-recipe-next-best-action.html>).
//!
//! The counts come from the same single read: [`ActionCounts`] watches the engine's records of
//! an action interactions dataset; `insights` and `plan` turn the counts into info findings.

use std::collections::hash_map::Entry;

use xxhash_rust::xxh3::xxh3_64;

use crate::diagnostic::Diagnostic;
use crate::engine::observer::{FileInfo, Observer, Record};
use crate::hash::FastMap;
use crate::rules::{
    ActionsBelowNextBestActionMinimum, ActionsBeyondTrainingLimit, ItemsBeyondTrainingLimit,
    Violation,
};
use crate::schema::spec::TIMESTAMP_MAX_SECONDS;
use crate::schema::DatasetType;
use crate::text::{day_label, Holds};

/// Items training considers (all recipes and use cases but the v2 ones).
pub const MAX_TRAINING_ITEMS: u64 = 750_000;
/// Items User-Personalization-v2 and Personalized-Ranking-v2 consider.
pub const MAX_TRAINING_ITEMS_V2: u64 = 5_000_000;
/// Actions considered in training and recommendations.
pub const MAX_TRAINING_ACTIONS: u64 = 1_000;
/// `TAKEN`, and `NOT_TAKEN` or `VIEWED`, action interactions an action needs for a score.
pub const MIN_ACTION_EVENTS: u64 = 50;
/// The window those interactions must fall in, in days before the latest one (6 weeks),
/// counted in whole UTC days as PF508 counts it.
pub const ACTION_WINDOW_DAYS: i64 = 42;
/// Distinct actions counted per dataset; beyond, the count says "more than".
const MAX_TRACKED_ACTIONS: usize = 100_000;
/// Actions named by example.
const EXAMPLES: usize = 5;

/// PF512 when a dataset holds more items than training considers.
pub(crate) fn items_finding(items: u64, holds: Holds) -> Option<Diagnostic> {
    (items > MAX_TRAINING_ITEMS).then(|| {
        ItemsBeyondTrainingLimit {
            items,
            holds,
            limit: MAX_TRAINING_ITEMS,
            limit_v2: MAX_TRAINING_ITEMS_V2,
        }
        .diagnostic()
    })
}

/// PF513 when a dataset holds more actions than training considers.
pub(crate) fn actions_finding(actions: u64, holds: Holds) -> Option<Diagnostic> {
    (actions > MAX_TRAINING_ACTIONS).then(|| {
        ActionsBeyondTrainingLimit {
            actions,
            holds,
            limit: MAX_TRAINING_ACTIONS,
        }
        .diagnostic()
    })
}

/// One action's `TAKEN` and `NOT_TAKEN`/`VIEWED` interactions per UTC day, for the days that can
/// still fall in the window.
#[derive(Debug, Default, Clone)]
struct ActionDays {
    /// The ACTION_ID as written (for examples).
    id: Box<[u8]>,
    /// (day, TAKEN, NOT_TAKEN or VIEWED), unsorted.
    days: Vec<(i64, u64, u64)>,
}

impl ActionDays {
    fn add(&mut self, day: i64, taken: u64, other: u64) {
        match self.days.iter_mut().find(|d| d.0 == day) {
            Some(d) => {
                d.1 += taken;
                d.2 += other;
            }
            None => self.days.push((day, taken, other)),
        }
    }

    /// Drops the days before `start`: the latest day only grows, so they can never count.
    fn prune(&mut self, start: i64) {
        self.days.retain(|d| d.0 >= start);
    }
}

/// Per action of an action interactions dataset, the `TAKEN` and `NOT_TAKEN`/`VIEWED`
/// interactions of the days that may fall within 6 weeks of the latest one. Days older than
/// that relative to the latest day seen so far are dropped as the read goes on, so memory stays
/// at most 43 days per action, whatever the order of the records.
#[derive(Debug, Clone)]
pub(crate) struct ActionWindow {
    actions: FastMap<u64, ActionDays>,
    /// The latest UTC day with a valid timestamp (days since 1970-01-01).
    latest: i64,
    /// More distinct actions than tracked.
    overflow: bool,
}

impl Default for ActionWindow {
    fn default() -> Self {
        ActionWindow {
            actions: FastMap::default(),
            latest: i64::MIN,
            overflow: false,
        }
    }
}

/// What an action interaction's EVENT_TYPE counts as: (TAKEN, NOT_TAKEN or VIEWED). The
/// spelling is matched as PF222 matches it: case-insensitively, `not taken` or `not_taken`.
fn kind(event: &[u8]) -> (u64, u64) {
    let is = |s: &[u8]| event.eq_ignore_ascii_case(s);
    if is(b"taken") {
        (1, 0)
    } else if is(b"not taken") || is(b"not_taken") || is(b"viewed") {
        (0, 1)
    } else {
        (0, 0)
    }
}

impl ActionWindow {
    /// Counts one action interaction (`ts` is its parsed TIMESTAMP, if valid).
    #[inline]
    pub fn add(&mut self, action: &[u8], event: &[u8], ts: Option<i64>) {
        if action.is_empty() {
            return;
        }
        let h = xxh3_64(action);
        let len = self.actions.len();
        let entry = match self.actions.entry(h) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => {
                if len >= MAX_TRACKED_ACTIONS {
                    self.overflow = true;
                    return;
                }
                v.insert(ActionDays {
                    id: action.into(),
                    days: Vec::new(),
                })
            }
        };
        let Some(ts) = ts.filter(|t| (1..TIMESTAMP_MAX_SECONDS).contains(t)) else {
            return;
        };
        let (taken, other) = kind(event);
        if taken + other == 0 {
            return;
        }
        let day = ts.div_euclid(86_400);
        entry.add(day, taken, other);
        if day > self.latest {
            self.latest = day;
        }
        if entry.days.len() > 2 * (ACTION_WINDOW_DAYS as usize + 1) {
            entry.prune(self.latest - ACTION_WINDOW_DAYS);
        }
    }

    /// Adds the counts of a later block (or another file).
    pub fn merge(&mut self, other: ActionWindow) {
        self.latest = self.latest.max(other.latest);
        self.overflow |= other.overflow;
        let start = self.latest.saturating_sub(ACTION_WINDOW_DAYS);
        for (h, theirs) in other.actions {
            let len = self.actions.len();
            match self.actions.entry(h) {
                Entry::Occupied(mut o) => {
                    let mine = o.get_mut();
                    for (d, t, n) in theirs.days {
                        if d >= start {
                            mine.add(d, t, n);
                        }
                    }
                    mine.prune(start);
                }
                Entry::Vacant(v) => {
                    if len >= MAX_TRACKED_ACTIONS {
                        self.overflow = true;
                        continue;
                    }
                    let mut theirs = theirs;
                    theirs.prune(start);
                    v.insert(theirs);
                }
            }
        }
    }

    /// Whether any action was counted.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// How many actions meet Next-Best-Action's minimum, and the first that do not.
    pub fn summary(&self) -> ActionScores {
        let start = self.latest.saturating_sub(ACTION_WINDOW_DAYS);
        let mut short: Vec<ActionShort> = Vec::new();
        let mut meeting = 0u64;
        for a in self.actions.values() {
            let (taken, other) = a
                .days
                .iter()
                .filter(|d| d.0 >= start)
                .fold((0, 0), |(t, o), d| (t + d.1, o + d.2));
            if taken >= MIN_ACTION_EVENTS && other >= MIN_ACTION_EVENTS {
                meeting += 1;
            } else {
                short.push(ActionShort {
                    action: String::from_utf8_lossy(&a.id).into_owned(),
                    taken,
                    not_taken_or_viewed: other,
                });
            }
        }
        // The closest to the minimum first, then by ID: a stable order for any thread count.
        short.sort_by(|a, b| {
            let gap = |s: &ActionShort| {
                MIN_ACTION_EVENTS.saturating_sub(s.taken)
                    + MIN_ACTION_EVENTS.saturating_sub(s.not_taken_or_viewed)
            };
            gap(a).cmp(&gap(b)).then_with(|| a.action.cmp(&b.action))
        });
        let below = short.len() as u64;
        short.truncate(EXAMPLES);
        ActionScores {
            actions: self.actions.len() as u64,
            more: self.overflow,
            meeting,
            below,
            window_start: (self.latest != i64::MIN).then(|| day_label(start)),
            latest: (self.latest != i64::MIN).then(|| day_label(self.latest)),
            examples: short,
        }
    }
}

/// Next-Best-Action's per-action minimum, counted over an action interactions dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionScores {
    /// Distinct actions with action interactions.
    pub actions: u64,
    /// There are more actions than counted.
    pub more: bool,
    /// Actions with at least 50 `TAKEN` and 50 `NOT_TAKEN` or `VIEWED` in the window.
    pub meeting: u64,
    /// Actions below it.
    pub below: u64,
    /// The first UTC day of the window (`YYYY-MM-DD`), if any timestamp was valid.
    pub window_start: Option<String>,
    /// The day of the latest action interaction.
    pub latest: Option<String>,
    /// The first actions below the minimum, closest to it first.
    pub examples: Vec<ActionShort>,
}

/// An action below Next-Best-Action's minimum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionShort {
    /// The ACTION_ID.
    pub action: String,
    /// `TAKEN` interactions in the window.
    pub taken: u64,
    /// `NOT_TAKEN` or `VIEWED` interactions in the window.
    pub not_taken_or_viewed: u64,
}

/// PF514 when some actions lack Next-Best-Action's minimum.
pub(crate) fn action_scores_finding(s: &ActionScores) -> Option<Diagnostic> {
    if s.below == 0 {
        return None;
    }
    let found = ActionsBelowNextBestActionMinimum {
        meeting: s.meeting,
        actions: s.actions,
        more: s.more,
        below: s.below,
        window: s.window_start.as_deref().zip(s.latest.as_deref()),
        examples: s
            .examples
            .iter()
            .map(|e| (e.action.as_str(), e.taken, e.not_taken_or_viewed))
            .collect(),
        minimum: MIN_ACTION_EVENTS,
    };
    Some(found.diagnostic())
}

/// Next-Best-Action's per-action counts, gathered while the engine reads an action
/// interactions dataset (none for any other type).
#[derive(Debug, Default)]
pub(crate) struct ActionCounts {
    /// The counts, once a file of action interactions was seen.
    pub window: Option<ActionWindow>,
}

/// Training watches the engine's records: each action interaction is counted per action and
/// day into its block's window, and the windows are merged in order.
impl Observer for ActionCounts {
    /// The ACTION_ID and EVENT_TYPE columns of an action interactions file.
    type File = Option<(usize, Option<usize>)>;
    type Block = ActionWindow;

    fn file(&mut self, file: &FileInfo<'_>) -> Self::File {
        if file.dataset_type != DatasetType::ActionInteractions {
            return None;
        }
        self.window.get_or_insert_with(ActionWindow::default);
        let find = |n: &str| file.columns.iter().position(|c| c.name == n);
        find("ACTION_ID").map(|a| (a, find("EVENT_TYPE")))
    }

    #[inline]
    fn record(file: &Self::File, block: &mut ActionWindow, record: &Record<'_>) {
        if let Some((action, event)) = *file {
            let event = event.map_or(&b""[..], |e| record.value(e));
            block.add(record.value(action), event, record.timestamp);
        }
    }

    fn merge(&mut self, block: ActionWindow) {
        if let Some(window) = self.window.as_mut() {
            if !block.is_empty() {
                window.merge(block);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    const T0: i64 = 1_700_006_400; // 2023-11-15T00:00:00Z

    #[test]
    fn items_and_actions_limits() {
        assert!(items_finding(750_000, Holds::Files).is_none());
        let d = items_finding(750_001, Holds::Files).unwrap();
        assert!(
            d.message.starts_with("the dataset holds 750,001 items"),
            "{}",
            d.message
        );
        assert!(d.help.as_deref().unwrap().contains("v2"));
        let d = items_finding(5_000_001, Holds::AtLeastAfterJob).unwrap();
        assert!(
            d.message.contains("holds at least 5,000,001"),
            "{}",
            d.message
        );
        assert!(d.help.as_deref().unwrap().contains("even the v2"));
        assert!(actions_finding(1000, Holds::AfterJob).is_none());
        assert!(actions_finding(1001, Holds::AfterJob).is_some());
    }

    /// `taken` TAKEN and `other` VIEWED interactions of `action` on the day `day` after T0.
    fn add(w: &mut ActionWindow, action: &str, day: i64, taken: u64, other: u64) {
        for _ in 0..taken {
            w.add(action.as_bytes(), b"Taken", Some(T0 + day * DAY));
        }
        for _ in 0..other {
            w.add(action.as_bytes(), b"not_taken", Some(T0 + day * DAY + 3600));
        }
    }

    #[test]
    fn the_window_is_six_weeks_before_the_latest_day() {
        let mut w = ActionWindow::default();
        // a: 50/50 on the first day of the window (day 100 - 42 = 58): meets it.
        add(&mut w, "a", 58, 50, 50);
        // b: 50/50, but the day before the window: does not.
        add(&mut w, "b", 57, 50, 50);
        // c: 49 TAKEN in the window: does not.
        add(&mut w, "c", 99, 49, 80);
        // d: unknown event types only: an action without any counted interaction.
        w.add(b"d", b"clicked", Some(T0 + 90 * DAY));
        // The latest interaction comes last: everything before it is judged against it.
        add(&mut w, "a", 100, 0, 1);
        let s = w.summary();
        assert_eq!((s.actions, s.meeting, s.below), (4, 1, 3));
        assert_eq!(s.latest.as_deref(), Some("2024-02-23"));
        assert_eq!(s.window_start.as_deref(), Some("2024-01-12"));
        let names: Vec<&str> = s.examples.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(names, ["c", "b", "d"]);
        assert_eq!(
            (s.examples[1].taken, s.examples[1].not_taken_or_viewed),
            (0, 0)
        );
        let d = action_scores_finding(&s).unwrap();
        assert!(
            d.message
                .starts_with("1 of 4 actions has at least 50 TAKEN"),
            "{}",
            d.message
        );
        assert!(
            d.message.contains("`c` (49 TAKEN, 80 NOT_TAKEN/VIEWED)"),
            "{}",
            d.message
        );
    }

    #[test]
    fn blocks_merge_to_the_same_counts_in_any_order() {
        let mut one = ActionWindow::default();
        let mut parts = [ActionWindow::default(), ActionWindow::default()];
        for (i, (action, day)) in [("a", 0), ("a", 50), ("b", 49), ("a", 49), ("b", 8)]
            .into_iter()
            .enumerate()
        {
            add(&mut one, action, day, 30, 30);
            add(&mut parts[i % 2], action, day, 30, 30);
        }
        let [x, y] = parts;
        let mut merged = y;
        merged.merge(x);
        assert_eq!(merged.summary(), one.summary());
        let s = one.summary();
        // a: days 49 and 50 in the window (from day 8): 60/60. b: days 8 and 49: 60/60.
        assert_eq!((s.meeting, s.below), (2, 0));
        assert!(action_scores_finding(&s).is_none());
    }
}
