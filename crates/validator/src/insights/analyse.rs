//! The insight figures and findings, computed by polars (eager) from the per-value counts the
//! engine kept: quartiles of numeric columns, distributions of interactions per ID, the
//! timeline, and the coverage joins between datasets.

use polars::prelude::*;

use super::tally::{Capture, ColTally, IdKind, IdTally, Role, Tally};
use super::{
    Bar, ColumnInsight, Coverage, Distribution, EventShare, InsightOptions, Insights, Numeric,
    UseCase, Window,
};
use crate::diagnostic::Diagnostic;
use crate::rules::{
    AllDistinctAttribute, ConstantAttribute, HighCardinalityCategorical,
    IdMatchesOnlyAfterNormalising, IncompleteColumn, IncompleteTextualColumn,
    InteractionIdsMissingFromDataset, InteractionsOutsideTrainingWindow,
    RecordsWithoutInteractions, TooManyCategories, Violation,
};
use crate::schema::{DatasetType, Domain};
use crate::text::{civil, day_label};

/// Completeness under which a column is flagged (PF501).
pub(crate) const MIN_COMPLETE: f64 = 0.70;
/// Completeness under which a textual column is not used in training (PF502).
pub(crate) const MIN_COMPLETE_TEXTUAL: f64 = 0.85;
/// Categories above which a categorical column is flagged (PF503).
pub(crate) const MAX_CATEGORIES: u64 = 30;
/// Distinct values above which a categorical column is flagged (PF504).
pub(crate) const MAX_CATEGORICAL_VALUES: u64 = 1000;
/// Values a categorical attribute needs before it is judged all-distinct (PF506).
pub(crate) const MIN_VALUES_ALL_DISTINCT: u64 = 10;
/// Tukey's k for far-out values (PF507).
pub(crate) const TUKEY_K: f64 = 3.0;
/// Next-Best-Action uses action interactions within this many days of the latest (PF508).
pub(crate) const ACTION_WINDOW_DAYS: i64 = 42;
/// Events a use case needs.
const MIN_EVENTS: u64 = 1000;

fn kind_name(role: Role) -> &'static str {
    match role {
        Role::Id(_) => "id",
        Role::Timestamp => "timestamp",
        Role::EventType => "event type",
        Role::Numeric => "numeric",
        Role::Categorical => "categorical",
        Role::Textual => "textual",
        Role::Other => "other",
        Role::Unknown => "unknown",
    }
}

/// The figures and findings of one dataset.
pub(crate) fn dataset(
    capture: &Capture,
    dataset_type: Option<DatasetType>,
    domain: Option<Domain>,
    opts: &InsightOptions,
) -> PolarsResult<(Insights, Vec<Diagnostic>)> {
    let mut ins = Insights {
        dataset_type: dataset_type.map(|t| t.api_name().to_string()),
        ..Insights::default()
    };
    let mut diags = Vec::new();
    let Some(spec) = &capture.spec else {
        return Ok((ins, diags));
    };
    let t = &capture.tally;
    ins.records = t.rows;
    let what = match spec.dataset_type {
        DatasetType::Items => "items",
        DatasetType::Users => "users",
        DatasetType::Actions => "actions",
        _ => "records",
    };
    for (c, col) in spec.cols.iter().enumerate() {
        let empty = ColTally::default();
        let ct = t.cols.get(c).unwrap_or(&empty);
        // A column the schema does not type (a built-in schema adapted to the header) is judged
        // by its values: numeric if every one is a number, else categorical. Whether such a
        // column is categorical or free text is unknown, so the category-count and
        // all-distinct checks (PF503, PF504, PF506) are left to a schema that says so.
        let inferred = col.role == Role::Unknown;
        let role = match col.role {
            Role::Unknown if ct.filled > 0 && !ct.not_numeric => Role::Numeric,
            Role::Unknown => Role::Categorical,
            r => r,
        };
        let mut ci = ColumnInsight {
            name: col.name.clone(),
            kind: if inferred {
                format!("{} (inferred)", kind_name(role))
            } else {
                kind_name(role).into()
            },
            filled: ct.filled,
            completeness: if t.rows == 0 {
                0.0
            } else {
                ct.filled as f64 / t.rows as f64
            },
            ..ColumnInsight::default()
        };
        let name = &col.name;
        if t.rows > 0 {
            let (filled, records) = (ct.filled, t.rows);
            if col.role == Role::Textual {
                if ci.completeness < MIN_COMPLETE_TEXTUAL {
                    diags.push(
                        IncompleteTextualColumn {
                            name,
                            filled,
                            records,
                        }
                        .diagnostic(),
                    );
                }
            } else if ci.completeness < MIN_COMPLETE {
                diags.push(
                    IncompleteColumn {
                        name,
                        filled,
                        records,
                    }
                    .diagnostic(),
                );
            }
        }
        match role {
            Role::Id(kind) => ci.distinct = Some(t.ids[kind as usize].map.len() as u64),
            Role::Categorical => {
                let distinct = ct.values.len() as u64;
                let cats = ct.cats.len() as u64;
                ci.distinct = Some(distinct);
                ci.categories = Some(cats);
                ci.more = ct.overflow;
                let mut top: Vec<(&[u8], u64)> =
                    ct.cats.iter().map(|(k, v)| (&k[..], *v)).collect();
                top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                ci.top = top
                    .iter()
                    .take(5)
                    .map(|(k, n)| Bar {
                        label: String::from_utf8_lossy(k).into_owned(),
                        count: *n,
                    })
                    .collect();
                let more = ct.overflow;
                if cats > MAX_CATEGORIES && !inferred {
                    let top = ci.top.iter().map(|b| (b.label.as_str(), b.count)).collect();
                    diags.push(
                        TooManyCategories {
                            name,
                            categories: cats,
                            more,
                            top,
                        }
                        .diagnostic(),
                    );
                }
                if distinct > MAX_CATEGORICAL_VALUES && !inferred {
                    diags.push(
                        HighCardinalityCategorical {
                            name,
                            distinct,
                            more,
                        }
                        .diagnostic(),
                    );
                }
                if col.attribute
                    && !inferred
                    && !ct.overflow
                    && ct.filled >= MIN_VALUES_ALL_DISTINCT
                    && distinct == ct.filled
                {
                    diags.push(
                        AllDistinctAttribute {
                            name,
                            filled: ct.filled,
                            what,
                        }
                        .diagnostic(),
                    );
                }
            }
            Role::Numeric => {
                // PF507 judges the quartiles in its own file (rules::hooks::InsightsHook).
                ci.numeric = numeric(ct)?;
            }
            _ => {}
        }
        if col.attribute && ct.filled >= 2 && !ct.varies {
            diags.push(
                ConstantAttribute {
                    name,
                    filled: ct.filled,
                    what,
                }
                .diagnostic(),
            );
        }
        ins.columns.push(ci);
    }

    if spec.dataset_type.is_interactions() {
        for kind in [IdKind::User, IdKind::Item, IdKind::Action] {
            let ids = &t.ids[kind as usize];
            if !ids.map.is_empty() {
                ins.distributions.push(distribution(kind, ids)?);
            }
        }
        timeline(t, &mut ins)?;
        events(t, spec.dataset_type, domain, &mut ins);
        window(t, spec.dataset_type, opts, &mut ins, &mut diags);
    }
    Ok((ins, diags))
}

/// Quartiles (linear interpolation between ranks) and Tukey's far-out fences, from the
/// column's counts per distinct value sorted by polars.
fn numeric(ct: &ColTally) -> PolarsResult<Option<Numeric>> {
    if ct.nums.is_empty() {
        return Ok(None);
    }
    let (values, counts): (Vec<f64>, Vec<u64>) = ct
        .nums
        .iter()
        .map(|(b, n)| (f64::from_bits(*b), *n))
        .unzip();
    let df = DataFrame::new_infer_height(vec![
        Float64Chunked::from_vec("v".into(), values).into_column(),
        UInt64Chunked::from_vec("n".into(), counts).into_column(),
    ])?
    .sort(["v"], SortMultipleOptions::default())?;
    let v: Vec<f64> = df.column("v")?.f64()?.into_no_null_iter().collect();
    let n: Vec<u64> = df.column("n")?.u64()?.into_no_null_iter().collect();
    let total: u64 = n.iter().sum();
    // The value at 0-based rank `k` of the sorted multiset.
    let at = |k: u64| -> f64 {
        let mut seen = 0;
        for (x, c) in v.iter().zip(&n) {
            seen += c;
            if k < seen {
                return *x;
            }
        }
        v[v.len() - 1]
    };
    let q = |p: f64| -> f64 {
        let pos = p * (total - 1) as f64;
        let lo = pos.floor();
        let (a, b) = (at(lo as u64), at(pos.ceil() as u64));
        a + (pos - lo) * (b - a)
    };
    let (q1, median, q3) = (q(0.25), q(0.5), q(0.75));
    let iqr = q3 - q1;
    let (low_fence, high_fence) = (q1 - TUKEY_K * iqr, q3 + TUKEY_K * iqr);
    let outliers = if iqr > 0.0 {
        v.iter()
            .zip(&n)
            .filter(|(x, _)| **x < low_fence || **x > high_fence)
            .map(|(_, c)| c)
            .sum()
    } else {
        0
    };
    Ok(Some(Numeric {
        min: v[0],
        q1,
        median,
        q3,
        max: v[v.len() - 1],
        low_fence,
        high_fence,
        outliers,
        approximate: ct.coarse,
    }))
}

/// Buckets of interactions per ID: (label, lowest count, highest count).
const BUCKETS: [(&str, u64, u64); 10] = [
    ("1", 1, 1),
    ("2", 2, 2),
    ("3–4", 3, 4),
    ("5–9", 5, 9),
    ("10–19", 10, 19),
    ("20–49", 20, 49),
    ("50–99", 50, 99),
    ("100–499", 100, 499),
    ("500–999", 500, 999),
    ("1000+", 1000, u64::MAX),
];

fn distribution(kind: IdKind, ids: &IdTally) -> PolarsResult<Distribution> {
    let counts = UInt64Chunked::from_vec("n".into(), ids.map.values().map(|e| e.1).collect());
    let bucket = counts.apply_values(|c| BUCKETS.iter().position(|b| c <= b.2).unwrap_or(0) as u64);
    let bars = BUCKETS
        .iter()
        .enumerate()
        .map(|(i, (label, _, _))| Bar {
            label: (*label).to_string(),
            count: bucket.equal(i as u64).sum().unwrap_or(0) as u64,
        })
        .collect::<Vec<_>>();
    // Trailing empty buckets say nothing.
    let last = bars.iter().rposition(|b| b.count > 0).map_or(0, |i| i + 1);
    Ok(Distribution {
        field: kind.field().into(),
        ids: counts.len() as u64,
        min: counts.min().unwrap_or(0),
        median: ChunkQuantile::<f64>::median(&counts).unwrap_or(0.0),
        mean: counts.mean().unwrap_or(0.0),
        max: counts.max().unwrap_or(0),
        bars: bars.into_iter().take(last).collect(),
    })
}

/// Interactions per day (up to 31 days), month (up to 3 years) or year, with empty periods
/// shown.
fn timeline(t: &Tally, ins: &mut Insights) -> PolarsResult<()> {
    if t.days.is_empty() {
        return Ok(());
    }
    ins.time_range = Some((t.ts_min, t.ts_max));
    let (first, last) = (t.ts_min.div_euclid(86_400), t.ts_max.div_euclid(86_400));
    let span_days = last - first + 1;
    let unit = if span_days <= 31 {
        "day"
    } else if span_days <= 3 * 366 {
        "month"
    } else {
        "year"
    };
    let key = |day: i64| -> i64 {
        let (y, m, _) = civil(day);
        match unit {
            "day" => day,
            "month" => y * 12 + i64::from(m) - 1,
            _ => y,
        }
    };
    let label = |k: i64| -> String {
        match unit {
            "day" => day_label(k),
            "month" => format!("{:04}-{:02}", k.div_euclid(12), k.rem_euclid(12) + 1),
            _ => format!("{k:04}"),
        }
    };
    let (days, counts): (Vec<i64>, Vec<u64>) = t.days.iter().map(|(d, n)| (*d, *n)).unzip();
    let df = DataFrame::new_infer_height(vec![
        Int64Chunked::from_vec("day".into(), days).into_column(),
        UInt64Chunked::from_vec("n".into(), counts).into_column(),
    ])?
    .sort(["day"], SortMultipleOptions::default())?;
    let days = df.column("day")?.i64()?;
    let counts = df.column("n")?.u64()?;
    let (k0, k1) = (key(first), key(last));
    let mut bars: Vec<Bar> = (k0..=k1)
        .map(|k| Bar {
            label: label(k),
            count: 0,
        })
        .collect();
    for (d, n) in days.into_no_null_iter().zip(counts.into_no_null_iter()) {
        bars[(key(d) - k0) as usize].count += n;
    }
    ins.over_time = bars;
    ins.time_unit = Some(unit.into());
    Ok(())
}

fn events(t: &Tally, ty: DatasetType, domain: Option<Domain>, ins: &mut Insights) {
    let typed: u64 = t.events.iter().map(|e| e.1).sum::<u64>() + t.events_overflow;
    let mut shares: Vec<EventShare> = t
        .events
        .iter()
        .map(|(e, n)| EventShare {
            event_type: String::from_utf8_lossy(e).into_owned(),
            count: *n,
            share: *n as f64 / typed.max(1) as f64,
        })
        .collect();
    shares.sort_by(|a, b| b.count.cmp(&a.count).then(a.event_type.cmp(&b.event_type)));
    if ty != DatasetType::Interactions {
        ins.event_types = shares;
        return;
    }
    let of = |e: &str| {
        t.events
            .iter()
            .find(|(x, _)| x == e.as_bytes())
            .map_or(0, |x| x.1)
    };
    // Each use case's 1000-event minimum (docs/personalize.md#event-types).
    let cases: &[(&str, Option<&str>)] = match domain {
        Some(Domain::Ecommerce) => &[
            ("Most viewed", Some("View")),
            ("Customers who viewed X also viewed", Some("View")),
            ("Best sellers", Some("Purchase")),
            ("Frequently bought together", Some("Purchase")),
            ("Recommended for you", None),
        ],
        Some(Domain::VideoOnDemand) => &[
            ("Because you watched X", Some("Watch")),
            ("Most popular", Some("Watch")),
            ("More like X", None),
            ("Trending now", None),
            ("Top picks for you", None),
        ],
        None => &[("custom solution (any recipe)", None)],
    };
    ins.use_cases = cases
        .iter()
        .map(|(name, e)| {
            let events = e.map_or(t.rows, of);
            UseCase {
                name: (*name).into(),
                event_type: e.map(str::to_string),
                events,
                ok: events >= MIN_EVENTS,
            }
        })
        .collect();
    ins.event_types = shares;
}

/// PF508: records older than the window training uses.
fn window(
    t: &Tally,
    ty: DatasetType,
    opts: &InsightOptions,
    ins: &mut Insights,
    diags: &mut Vec<Diagnostic>,
) {
    if t.days.is_empty() {
        return;
    }
    let mut days: Vec<(i64, u64)> = t.days.iter().map(|(d, n)| (*d, *n)).collect();
    days.sort_unstable();
    let dated: u64 = days.iter().map(|d| d.1).sum();
    let (start, what) = if ty == DatasetType::ActionInteractions {
        let latest = days[days.len() - 1].0;
        (
            latest - ACTION_WINDOW_DAYS,
            "Next-Best-Action uses action interactions within 6 weeks of the latest".to_string(),
        )
    } else {
        if dated <= opts.training_interactions {
            return;
        }
        // The most recent `training_interactions`, in whole days from the latest back.
        let mut kept = 0u64;
        let mut start = days[0].0;
        for (d, n) in days.iter().rev() {
            if kept + n > opts.training_interactions {
                start = d + 1;
                break;
            }
            kept += n;
        }
        (
            start,
            format!(
                "training uses the most recent {} interactions (the quota)",
                opts.training_interactions
            ),
        )
    };
    let older: u64 = days.iter().filter(|d| d.0 < start).map(|d| d.1).sum();
    if older == 0 {
        return;
    }
    let day = day_label(start);
    diags.push(
        InteractionsOutsideTrainingWindow {
            older,
            dated,
            start: &day,
            window: &what,
            actions: ty == DatasetType::ActionInteractions,
        }
        .diagnostic(),
    );
    ins.window = Some(Window {
        what,
        start_day: day,
        older,
    });
}

/// A frame of one dataset's distinct IDs: hash, normalised hash and count.
fn id_frame(t: &IdTally, h: &str, n: &str, c: &str) -> PolarsResult<DataFrame> {
    let mut hs = Vec::with_capacity(t.map.len());
    let mut ns = Vec::with_capacity(t.map.len());
    let mut cs = Vec::with_capacity(t.map.len());
    for (k, (norm, count)) in &t.map {
        hs.push(*k);
        ns.push(*norm);
        cs.push(*count);
    }
    DataFrame::new_infer_height(vec![
        UInt64Chunked::from_vec(h.into(), hs).into_column(),
        UInt64Chunked::from_vec(n.into(), ns).into_column(),
        UInt64Chunked::from_vec(c.into(), cs).into_column(),
    ])
}

fn sum_u64(df: &DataFrame, col: &str) -> PolarsResult<u64> {
    Ok(df.column(col)?.u64()?.sum().unwrap_or(0))
}

/// Compares the IDs of an interactions dataset (`inter`) with those of the dataset they refer
/// to (`data`): left joins by ID hash find the missing ones on each side, an inner join by
/// normalised hash finds the near matches among the missing. Returns the figures, the findings
/// about the interactions (PF509, PF511) and those about the dataset (PF510).
pub(crate) fn coverage(
    inter: &IdTally,
    data: &IdTally,
    kind: IdKind,
    inter_type: DatasetType,
    data_type: DatasetType,
) -> PolarsResult<(Coverage, Vec<Diagnostic>, Vec<Diagnostic>)> {
    let field = kind.field();
    let a = id_frame(inter, "h", "n", "c")?;
    let b = id_frame(data, "h", "bn", "bc")?;
    let left = JoinArgs::new(JoinType::Left);

    let a_b = a.join(&b, ["h"], ["h"], left.clone(), None)?;
    let missing = a_b.filter(&a_b.column("bn")?.is_null())?;
    let b_a = b.join(&a, ["h"], ["h"], left, None)?;
    let without = b_a.column("c")?.is_null().sum().unwrap_or(0) as u64;

    // Missing IDs whose normalised form is a dataset ID's normalised form.
    let missing = missing.select(["h", "n", "c"])?;
    let b_norm = b.select(["h", "bn"])?;
    let near = missing.join(&b_norm, ["n"], ["bn"], JoinArgs::new(JoinType::Inner), None)?;
    let near_distinct =
        near.select(["h", "c"])?
            .unique_stable(None, UniqueKeepStrategy::First, None)?;
    let b_h = near.column("h_right")?.u64()?.clone();
    let mut examples: Vec<(String, String)> = near
        .column("h")?
        .u64()?
        .into_no_null_iter()
        .zip(b_h.into_no_null_iter())
        .filter_map(|(ha, hb)| example(inter, ha, data, hb))
        .collect();
    examples.sort();
    examples.dedup();
    examples.truncate(5);

    let cov = Coverage {
        field: field.into(),
        interactions_dataset: inter_type.api_name().into(),
        dataset: data_type.api_name().into(),
        interaction_ids: a.height() as u64,
        interactions: sum_u64(&a, "c")?,
        missing_ids: missing.height() as u64,
        missing_interactions: sum_u64(&missing, "c")?,
        dataset_ids: b.height() as u64,
        without_interactions: without,
        near_ids: near_distinct.height() as u64,
        near_interactions: sum_u64(&near_distinct, "c")?,
        examples,
    };
    let mut for_inter = Vec::new();
    let mut for_data = Vec::new();
    let ds = data_type.api_name();
    if cov.missing_ids > 0 {
        for_inter.push(
            InteractionIdsMissingFromDataset {
                field,
                dataset: ds,
                missing_ids: cov.missing_ids,
                ids: cov.interaction_ids,
                missing_interactions: cov.missing_interactions,
                interactions: cov.interactions,
            }
            .diagnostic(),
        );
    }
    if cov.without_interactions > 0 {
        for_data.push(
            RecordsWithoutInteractions {
                field,
                dataset: data_type,
                interactions: inter_type,
                without: cov.without_interactions,
                ids: cov.dataset_ids,
            }
            .diagnostic(),
        );
    }
    if cov.near_ids > 0 {
        for_inter.push(
            IdMatchesOnlyAfterNormalising {
                field,
                dataset: ds,
                ids: cov.near_ids,
                interactions: cov.near_interactions,
                examples: &cov.examples,
            }
            .diagnostic(),
        );
    }
    Ok((cov, for_inter, for_data))
}

/// The texts of a near match, from the kept texts of IDs not in normalised form (an ID that is
/// in normalised form is the other's normalised text).
fn example(inter: &IdTally, ha: u64, data: &IdTally, hb: u64) -> Option<(String, String)> {
    let ta = inter.texts.get(&ha).map(|t| t.to_vec());
    let tb = data.texts.get(&hb).map(|t| t.to_vec());
    let norm = |t: &[u8]| super::tally::normalise(t).unwrap_or_else(|| t.to_vec());
    let (a, b) = match (ta, tb) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) => {
            let b = norm(&a);
            (a, b)
        }
        (None, Some(b)) => (norm(&b), b),
        (None, None) => return None,
    };
    Some((
        String::from_utf8_lossy(&a).into_owned(),
        String::from_utf8_lossy(&b).into_owned(),
    ))
}
