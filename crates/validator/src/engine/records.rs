//! A file's records, after its head: the dataset's accumulators and the observer are told about
//! the file, its blocks are checked and merged in order ([`super::pipeline`]), and the file's
//! own totals end it (line endings, no records).

use super::blocks::{Block, BlockReader};
use super::dataset::{DatasetAcc, Shared};
use super::head::Head;
use super::observer::{FileInfo, Observer};
use super::pipeline::{run_blocks, MergeState};
use super::row::{BlockOut, FileCtx, Keys};
use super::{Checker, Error};
use crate::diagnostic::Location;
use crate::input::InputFile;
use crate::report::{Collector, FileSummary};
use crate::rules::{CrlfLineEndings, NoRecords, Violation};
use crate::schema::{spec, DatasetType, Schema};

impl Checker<'_> {
    /// Checks the records of a file whose head is `head`, from its first block on.
    #[expect(clippy::too_many_arguments, reason = "one file's pieces, moved in")]
    pub(super) fn records<O: Observer, R: std::io::Read>(
        &mut self,
        file_idx: usize,
        input: &InputFile,
        head: Head,
        first: Block,
        mut blocks: BlockReader<R>,
        mut summary: FileSummary,
        observer: &mut O,
    ) -> Result<(), Error> {
        let Head {
            info,
            data_start,
            header_lines,
            header_crlf,
        } = head;
        let schema = self.schema.as_ref();
        let dataset_type = schema.map(|s| s.dataset_type);
        let acc = self.acc.get_or_insert_with(|| dataset_acc(schema));
        let keys = Keys::new(&info.columns, dataset_type);
        let expected_rows = self.expected_bytes / 40;
        let max_per_rule = self.opts.policy.max_per_rule;
        let temp_dir = &self.opts.temp_dir;
        let shared = self.shared.get_or_insert_with(|| {
            Shared::new(dataset_type, max_per_rule, expected_rows, temp_dir.clone())
        });
        acc.id_names.push(
            keys.id
                .and_then(|c| info.columns.get(c))
                .map(|p| p.name.clone())
                .unwrap_or_default(),
        );
        acc.id_cols.push(keys.id);
        let observed = dataset_type.map(|t| {
            observer.file(&FileInfo {
                columns: &info.columns,
                dataset_type: t,
            })
        });
        let field_hooks = crate::rules::hooks::field_masks(&self.opts.policy, &info.columns);
        let ctx = FileCtx::<O> {
            file: &input.name,
            columns: &info.columns,
            policy: &self.opts.policy,
            now: self.opts.now,
            keys,
            shared,
            lines: self.opts.lines.get(&input.name),
            observer: observed.as_ref(),
            field_hooks: &field_hooks,
        };

        let mut state = MergeState {
            next_line: header_lines + 1,
            records: 0,
            crlf: u64::from(header_crlf),
            first_crlf: header_crlf.then_some((1, 0)),
            bytes: 0,
        };
        let map = &mut self.map;
        let watched = observed.is_some();
        let mut merge = |out: BlockOut<O::Block>, block: &Block, collector: &mut Collector| {
            map.blocks.push((file_idx, state.next_line));
            let observed = state.merge(out, block, file_idx, acc, collector);
            if watched {
                observer.merge(observed);
            }
        };
        let used = run_blocks(
            &mut blocks,
            first,
            data_start,
            header_lines + 1,
            &ctx,
            self.pool.as_ref(),
            self.threads,
            self.next_block,
            &mut self.collector,
            &mut merge,
        )
        .map_err(|e| Error::Read {
            path: input.name.clone(),
            source: e,
        })?;
        self.next_block += used;

        if state.crlf > 0 {
            let (line, byte) = state.first_crlf.unwrap_or((1, 0));
            self.collector.push_file(
                file_idx,
                CrlfLineEndings {
                    lines: state.crlf,
                    first: line,
                }
                .diagnostic()
                .at(Location {
                    file: Some(input.name.clone()),
                    line: Some(line),
                    byte: Some(byte),
                    ..Location::default()
                }),
            );
        }
        if state.records == 0 {
            self.collector
                .push_file(file_idx, NoRecords.diagnostic().in_file(&input.name));
        }
        summary.bytes = state.bytes;
        summary.lines = state.next_line - 1;
        summary.records = state.records;
        if let Some(acc) = self.acc.as_mut() {
            acc.records += state.records;
        }
        self.files.push(summary);
        Ok(())
    }
}

/// The dataset's accumulators, for the schema the first file with a header is checked against.
fn dataset_acc(schema: Option<&Schema>) -> DatasetAcc {
    let mut a = DatasetAcc::new(
        schema.map(|s| s.dataset_type),
        schema.and_then(|s| s.domain),
    );
    // Item interactions: the fields that count toward PF304's limit.
    if let Some(s) = schema.filter(|s| s.dataset_type == DatasetType::Interactions) {
        a.limit_fields = s
            .fields
            .iter()
            .filter(|f| spec::counts_toward_event_type_limit(s.domain, &f.name))
            .map(|f| f.name.clone())
            .collect();
    }
    a
}
