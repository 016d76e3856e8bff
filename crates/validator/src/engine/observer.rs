//! What watches the records while the engine checks them.
//!
//! The engine checks; its consumers watch. The plan keys every record, the insights count
//! values, training counts action interactions: each implements [`Observer`], and the engine
//! calls it without knowing which it is, as ripgrep's searcher writes into a `Sink` and never
//! names a printer. A plain validation passes [`NoObserver`], whose calls compile to nothing.
//!
//! For each input file whose header was checked against a schema:
//! 1. [`Observer::file`], once, on the merging thread, with the file's columns and the schema's
//!    dataset type. It returns the per-file state ([`Observer::File`]) that the workers share.
//! 2. [`Observer::record`] for every well-formed record of a block (as many fields as the
//!    header), on the worker that checks the block, into the block's own state
//!    ([`Observer::Block`], created with `Default`); then [`Observer::end_block`] on that worker.
//! 3. [`Observer::merge`] with each block's state, on the merging thread, strictly in file order
//!    and files in input order, whatever the number of threads and the block size.
//!
//! Files without a header to check (empty, not CSV, or with no schema to check it against) get
//! no call.

use super::columns::Column;
use crate::dialect::Fields;
use crate::schema::DatasetType;

/// A file about to be checked: its columns and the schema's dataset type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileInfo<'a> {
    /// One entry per CSV column, in file order: its schema field name and type.
    pub columns: &'a [Column],
    /// The dataset type of the schema.
    pub dataset_type: DatasetType,
}

/// A well-formed record: as many fields as the header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'a> {
    /// The split line (values by column index).
    pub fields: &'a Fields,
    /// The line, without its line ending.
    pub line: &'a [u8],
    /// The interaction TIMESTAMP parsed as an integer (interactions datasets), if it parses.
    pub timestamp: Option<i64>,
}

impl<'a> Record<'a> {
    /// The value of column `c` (unescaped when quoted).
    #[inline]
    pub fn value(&self, c: usize) -> &'a [u8] {
        self.fields.value(self.line, c)
    }
}

/// Watches the records of one check (see the module docs for the order of the calls).
pub(crate) trait Observer {
    /// What the workers checking one file share (read-only).
    type File: Sync;
    /// What one worker fills while it checks one block; merged in file order.
    type Block: Default + Send;

    /// A file's header is known: the state its blocks' workers share.
    fn file(&mut self, file: &FileInfo<'_>) -> Self::File;

    /// One well-formed record of a block, on the worker checking the block.
    fn record(file: &Self::File, block: &mut Self::Block, record: &Record<'_>);

    /// The worker is done with a block (to hand shared tables what it gathered).
    #[inline]
    fn end_block(file: &Self::File, block: &mut Self::Block) {
        let _ = (file, block);
    }

    /// A block's state, on the merging thread, in file order.
    fn merge(&mut self, block: Self::Block);
}

/// Watches nothing: a plain validation.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct NoObserver;

impl Observer for NoObserver {
    type File = ();
    type Block = ();

    #[inline]
    fn file(&mut self, _: &FileInfo<'_>) {}

    #[inline(always)]
    fn record(_: &(), _: &mut (), _: &Record<'_>) {}

    #[inline]
    fn merge(&mut self, _: ()) {}
}

/// Two observers watching the same records (the plan's keys and training's action counts).
impl<A: Observer, B: Observer> Observer for (A, B) {
    type File = (A::File, B::File);
    type Block = (A::Block, B::Block);

    fn file(&mut self, file: &FileInfo<'_>) -> Self::File {
        (self.0.file(file), self.1.file(file))
    }

    #[inline]
    fn record(file: &Self::File, block: &mut Self::Block, record: &Record<'_>) {
        A::record(&file.0, &mut block.0, record);
        B::record(&file.1, &mut block.1, record);
    }

    #[inline]
    fn end_block(file: &Self::File, block: &mut Self::Block) {
        A::end_block(&file.0, &mut block.0);
        B::end_block(&file.1, &mut block.1);
    }

    fn merge(&mut self, block: Self::Block) {
        self.0.merge(block.0);
        self.1.merge(block.1);
    }
}
