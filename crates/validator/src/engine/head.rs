//! A file's first bytes, up to its records: an empty file, a file that is not plain CSV, a byte
//! order mark, the header line (its encoding, its rules, and whether it matches the first
//! file's), and the built-in schema the first header adapts.

use super::header::{self, HeaderInfo};
use super::schema_source::{names_a_field, resolve_schema};
use super::{Checker, Error, SchemaSource};
use crate::diagnostic::{make_snippet, Diagnostic, Location};
use crate::input::InputFile;
use crate::report::FileSummary;
use crate::rules::{
    self, ByteOrderMark, HeaderDiffersBetweenFiles, InvalidUtf8, NotPlainCsv, Utf16Encoding,
    Violation,
};
use crate::schema::builtin;

/// A file whose records are to be checked: its header and where its records start.
#[derive(Debug)]
pub(super) struct Head {
    /// The header's names, columns and findings (already reported).
    pub info: HeaderInfo,
    /// Where the records start in the first block.
    pub data_start: usize,
    /// Lines before the records: 1 for a header, 0 when the first line is data.
    pub header_lines: u64,
    /// The header line ends in `\r\n` (the records' blocks count their own).
    pub header_crlf: bool,
}

impl Checker<'_> {
    /// Checks the head of a file whose first block is `buf`. Returns `None` when its records
    /// are not to be checked (not plain CSV, or a folder's stray file that names no field of a
    /// built-in schema); `summary` then holds what is known of the file.
    pub(super) fn head(
        &mut self,
        file_idx: usize,
        input: &InputFile,
        buf: &[u8],
        summary: &mut FileSummary,
    ) -> Result<Option<Head>, Error> {
        if let Some(d) = sniff_format(buf, &input.name) {
            self.collector.push_file(file_idx, d);
            summary.bytes = buf.len() as u64;
            return Ok(None);
        }
        let nl = memchr::memchr(b'\n', buf);
        let header_end = nl.unwrap_or(buf.len());
        let mut header = &buf[..header_end];
        let header_crlf = nl.is_some() && header.last() == Some(&b'\r');
        if header.last() == Some(&b'\r') {
            header = &header[..header.len() - 1];
        }
        let mut bom = 0;
        if header.starts_with(b"\xEF\xBB\xBF") {
            bom = 3;
            header = &header[3..];
            self.collector.push_file(
                file_idx,
                ByteOrderMark
                    .diagnostic()
                    .at(Location {
                        file: Some(input.name.clone()),
                        line: Some(1),
                        column: Some(1),
                        byte: Some(0),
                        ..Location::default()
                    })
                    .with_snippet(make_snippet(header, 0, 0, 100)),
            );
        }
        if let Err(e) = std::str::from_utf8(header) {
            let at = e.valid_up_to();
            self.collector.push_file(
                file_idx,
                InvalidUtf8::Header
                    .diagnostic()
                    .at(Location {
                        file: Some(input.name.clone()),
                        line: Some(1),
                        byte: Some((bom + at) as u64),
                        ..Location::default()
                    })
                    .with_snippet(make_snippet(header, at, at + 1, 100)),
            );
        }
        let names = header::header_names(header);
        if !self.schema_resolved {
            if let SchemaSource::Builtin {
                dataset_type,
                domain,
            } = self.source
            {
                if input.in_folder && !names_a_field(*dataset_type, *domain, &names) {
                    // Not a header of this dataset type: a README or notes file in the folder
                    // (Personalize reads it too). It is reported, and must not decide the
                    // built-in schema the real files are checked against.
                    let as_is = builtin(*dataset_type, *domain, None);
                    let info = header::analyse(&input.name, header, bom, as_is.as_ref());
                    let policy = self.collector.policy();
                    let hooked =
                        header::run_hooks(&input.name, header, bom, &info, as_is.as_ref(), policy);
                    for d in hooked.into_iter().chain(info.diags) {
                        self.collector.push_file(file_idx, d);
                    }
                    summary.bytes = buf.len() as u64;
                    summary.header = names;
                    return Ok(None);
                }
            }
            self.schema = resolve_schema(self.source, Some(&names), &mut self.collector)?;
            self.schema_resolved = true;
        }
        let mut info = header::analyse(&input.name, header, bom, self.schema.as_ref());
        // A first line that names no schema field (PF101) is no reference for PF109.
        let is_header = !info.diags.iter().any(|d| d.rule.code == rules::PF101.code);
        // The rules detected in their own files (rules::hooks::HeaderHook); at one cell, their
        // findings come before the header analysis's, as the quoted-header check's did.
        let policy = self.collector.policy();
        let hooked = header::run_hooks(
            &input.name,
            header,
            bom,
            &info,
            self.schema.as_ref(),
            policy,
        );
        for d in hooked.into_iter().chain(std::mem::take(&mut info.diags)) {
            self.collector.push_file(file_idx, d);
        }
        match &self.first_header {
            _ if !is_header => {}
            None => self.first_header = Some((input.name.clone(), info.names.clone())),
            Some((first_name, first_names)) if *first_names != info.names => {
                self.collector.push_file(
                    file_idx,
                    HeaderDiffersBetweenFiles {
                        header,
                        first_file: first_name,
                        first_header: first_names,
                    }
                    .diagnostic()
                    .at(Location {
                        file: Some(input.name.clone()),
                        line: Some(1),
                        byte: Some(0),
                        ..Location::default()
                    })
                    .with_snippet(make_snippet(
                        header,
                        0,
                        header.len().min(60),
                        100,
                    )),
                );
            }
            Some(_) => {}
        }
        summary.header = info.names.clone();
        let (data_start, header_lines) = if info.first_line_is_data {
            (0, 0)
        } else {
            (nl.map_or(buf.len(), |p| p + 1), 1)
        };
        Ok(Some(Head {
            header_crlf: header_crlf && !info.first_line_is_data,
            info,
            data_start,
            header_lines,
        }))
    }
}

/// Recognises files that are not plain UTF-8 CSV from their first bytes.
pub(crate) fn sniff_format(head: &[u8], file: &str) -> Option<Diagnostic> {
    let d = if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        Utf16Encoding.diagnostic()
    } else {
        let found = if head.starts_with(&[0x1F, 0x8B]) {
            NotPlainCsv::Gzip
        } else if head.starts_with(b"PK\x03\x04") {
            NotPlainCsv::Zip
        } else if head.starts_with(b"BZh") && head.len() > 3 && head[3].is_ascii_digit() {
            NotPlainCsv::Bzip2
        } else if head.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
            NotPlainCsv::Zstd
        } else if head.starts_with(b"PAR1") {
            NotPlainCsv::Parquet
        } else if head.starts_with(b"crc\0") {
            NotPlainCsv::HadoopChecksum
        } else if head.starts_with(b"\0\0\0\x01Bud1") {
            NotPlainCsv::FinderFile
        } else {
            return None;
        };
        found.diagnostic()
    };
    Some(d.at(Location {
        file: Some(file.to_string()),
        line: Some(1),
        byte: Some(0),
        ..Location::default()
    }))
}
