//! The import mode of a dataset import job: the one type the plan, the uploader and the
//! command line share, so the mode a user asks for, the mode planned and the mode the job is
//! created with cannot disagree.

/// The import mode of a dataset import job (`importMode` of CreateDatasetImportJob,
/// <https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDatasetImportJob.html>).
///
/// Written as the API writes it (`FULL`, `INCREMENTAL`: [`Display`](std::fmt::Display),
/// `Serialize`); read in any case (`full`, `INCREMENTAL`: [`FromStr`](std::str::FromStr),
/// `Deserialize`), as `--mode` and `import_mode` in `preflight.toml` are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportMode {
    /// `FULL`: replace all bulk data in the dataset (the API's default).
    Full,
    /// `INCREMENTAL`: add to the dataset's bulk data; records with the same ID replace the
    /// stored ones.
    Incremental,
}

impl ImportMode {
    /// Both modes, in the order the command line lists them.
    pub const ALL: [ImportMode; 2] = [ImportMode::Full, ImportMode::Incremental];

    /// The API value: `FULL` or `INCREMENTAL`.
    pub fn api_name(self) -> &'static str {
        match self {
            ImportMode::Full => "FULL",
            ImportMode::Incremental => "INCREMENTAL",
        }
    }

    /// The command line's spelling: `full` or `incremental`.
    pub fn cli_name(self) -> &'static str {
        match self {
            ImportMode::Full => "full",
            ImportMode::Incremental => "incremental",
        }
    }
}

impl std::fmt::Display for ImportMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.api_name())
    }
}

impl std::str::FromStr for ImportMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "full" => Ok(ImportMode::Full),
            "incremental" => Ok(ImportMode::Incremental),
            other => Err(format!(
                "unknown import mode `{other}` (expected full or incremental)"
            )),
        }
    }
}

impl serde::Serialize for ImportMode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.api_name())
    }
}

impl<'de> serde::Deserialize<'de> for ImportMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_as_the_api_read_in_any_case() {
        for m in ImportMode::ALL {
            assert_eq!(m.to_string(), m.api_name());
            assert_eq!(m.api_name().parse::<ImportMode>(), Ok(m));
            assert_eq!(m.cli_name().parse::<ImportMode>(), Ok(m));
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.api_name()));
            assert_eq!(serde_json::from_str::<ImportMode>(&json).unwrap(), m);
            let lower = format!("\"{}\"", m.cli_name());
            assert_eq!(serde_json::from_str::<ImportMode>(&lower).unwrap(), m);
        }
        let e = "partial".parse::<ImportMode>().unwrap_err();
        assert!(e.contains("expected full or incremental"), "{e}");
        assert!(serde_json::from_str::<ImportMode>("\"partial\"").is_err());
    }
}
