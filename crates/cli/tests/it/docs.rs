//! The documentation stays true to the code.
//!
//! - `preflight rules --format markdown` generates the full rule reference (every rule, with its
//!   four sections); `docs/rules.md`, written by hand, names every family.
//! - The README's examples run, with the exit codes and the output they show.
//! - Every flag of every subcommand is on its page under `docs/commands/`, every
//!   `preflight.toml` key and `PREFLIGHT_*` variable the code reads is in
//!   `docs/configuration.md`, and the keys of its example config are real; every `--format`
//!   value has its section in `docs/formats.md`.
//! - Every relative link (and `#anchor`) of the README, `ARCHITECTURE.md` and `docs/` resolves,
//!   and the README links every page of `docs/`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use clap::{CommandFactory, ValueEnum};
use personalize_preflight::args::{Cli, Format};
use preflight_validator::rules::{ACCESS, ALL};

use crate::common;
use common::{preflight, root};

/// The full rule reference is not committed: `preflight rules --format markdown` generates it from
/// the rules the binary holds (as ruff generates its rule pages at docs-build time). It has every
/// rule, engine and access, under its own `## CODE` heading with the four sections of its
/// documentation, and every anchor of its table resolves.
#[test]
fn the_rules_reference_is_generated_with_every_rule() {
    let out = preflight()
        .args(["rules", "--format", "markdown"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let have = anchors(&text);
    let mut problems = Vec::new();
    for r in ALL.iter().chain(ACCESS) {
        let anchor = r.code.to_lowercase();
        if !have.contains(&anchor) {
            problems.push(format!("{}: no `## {}` heading", r.code, r.code));
            continue;
        }
        let start = text.find(&format!("\n## {}\n", r.code)).unwrap();
        let rest = &text[start + 1..];
        let section = &rest[..rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3)];
        for heading in [
            "### What it does",
            "### Why is this bad?",
            "### Example",
            "### References",
        ] {
            if !section.contains(heading) {
                problems.push(format!("{}: no `{heading}`", r.code));
            }
        }
        if !section.contains(r.name) {
            problems.push(format!("{}: its name `{}` is not shown", r.code, r.name));
        }
        if !text.contains(&format!("| [{}](#{anchor}) |", r.code)) {
            problems.push(format!("{}: not in the table", r.code));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `docs/rules.md` is written by hand and lists no rule, so adding a rule leaves it true; it
/// links the source folder of every family there is, and tells how to get the full reference.
#[test]
fn the_rules_page_names_every_family_and_the_commands_that_document_the_rules() {
    let page = read("docs/rules.md");
    let families = std::fs::read_dir(root().join("crates/validator/src/rules")).unwrap();
    let mut checked = 0;
    for family in families {
        let family = family.unwrap();
        if !family.file_type().unwrap().is_dir() {
            continue;
        }
        checked += 1;
        let name = family.file_name().to_string_lossy().into_owned();
        let link = format!("(../crates/validator/src/rules/{name}/)");
        assert!(
            page.contains(&link),
            "docs/rules.md does not link the {name} family's folder"
        );
    }
    assert_eq!(checked, 7, "the seven families");
    for command in [
        "preflight rules",
        "preflight explain",
        "preflight rules --format markdown",
    ] {
        assert!(
            page.contains(command),
            "docs/rules.md does not mention `{command}`"
        );
    }
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

/// The fenced blocks of a markdown text: (info string, body, the line after the closing fence).
fn fenced_blocks(text: &str) -> Vec<(String, String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(info) = lines[i].strip_prefix("```") {
            let start = i + 1;
            let mut end = start;
            while end < lines.len() && !lines[end].starts_with("```") {
                end += 1;
            }
            blocks.push((
                info.trim().to_string(),
                lines[start..end].join("\n"),
                end + 1,
            ));
            i = end + 1;
        } else {
            i += 1;
        }
    }
    blocks
}

/// The text outside fenced blocks, with each fenced line blanked (so line numbers stay).
fn prose(text: &str) -> String {
    let mut fence = false;
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fence = !fence;
            out.push('\n');
            continue;
        }
        if !fence {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Every `preflight` command of the README's `sh` blocks runs, exits as its comment says
/// (`exits N`, on the line or the comment line above it), and prints the lines of the plain
/// block that follows its `sh` block, if any.
#[test]
fn readme_examples_run_with_the_exit_codes_and_output_they_show() {
    let readme = read("README.md");
    let blocks = fenced_blocks(&readme);
    let exits = regex::Regex::new(r"exits (\d+)").unwrap();
    let mut ran = Vec::new();
    for (n, (info, body, after)) in blocks.iter().enumerate() {
        if info != "sh" {
            continue;
        }
        let mut comment_above = "";
        let mut last_stdout = String::new();
        for line in body.lines() {
            if line.trim_start().starts_with('#') {
                comment_above = line;
                continue;
            }
            let (command, comment) = line.split_once("  #").unwrap_or((line, ""));
            let args = if let Some(rest) = command.strip_prefix("preflight ") {
                rest
            } else if let Some(rest) =
                command.strip_prefix("cargo run --release -p personalize-preflight -- ")
            {
                rest
            } else {
                comment_above = "";
                continue;
            };
            let want = exits
                .captures(comment)
                .or_else(|| exits.captures(comment_above))
                .unwrap_or_else(|| {
                    panic!("README: `{line}` does not say how it exits (`# exits N`)")
                })[1]
                .parse::<i32>()
                .unwrap();
            let out = preflight().args(args.split_whitespace()).output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(want),
                "README: `{command}`\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            last_stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            ran.push(args.split_whitespace().next().unwrap().to_string());
            comment_above = "";
        }
        // A plain block right after the sh block is the output of its last command.
        if let Some((next_info, shown, _)) = blocks.get(n + 1) {
            let between = readme
                .lines()
                .skip(*after)
                .take_while(|l| !l.starts_with("```"));
            if next_info.is_empty() && between.clone().all(|l| l.trim().is_empty()) {
                for want in shown.lines().filter(|l| !l.trim().is_empty()) {
                    assert!(
                        last_stdout.lines().any(|l| l == want),
                        "README shows `{want}`, which the command does not print:\n{last_stdout}"
                    );
                }
            }
        }
    }
    for cmd in ["validate", "run", "--version"] {
        assert!(
            ran.iter().any(|c| c == cmd),
            "README runs no `{cmd}` example: {ran:?}"
        );
    }
}

/// Every subcommand has its page, `docs/commands/NAME.md`, naming each of its flags (and those
/// of its own subcommands) and its exit codes.
#[test]
fn every_flag_of_every_subcommand_is_on_its_page() {
    let mut cli = Cli::command();
    cli.build();
    let mut missing = Vec::new();
    for sub in cli.get_subcommands().filter(|s| s.get_name() != "help") {
        let rel = format!("docs/commands/{}.md", sub.get_name());
        let Ok(page) = std::fs::read_to_string(root().join(&rel)) else {
            missing.push(format!(
                "{rel} (the page of `preflight {}`)",
                sub.get_name()
            ));
            continue;
        };
        if !page.contains("## Exit codes") {
            missing.push(format!("{rel}: an `## Exit codes` section"));
        }
        let mut commands = vec![sub];
        commands.extend(sub.get_subcommands().filter(|s| s.get_name() != "help"));
        for cmd in commands {
            for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                let Some(long) = arg.get_long() else { continue };
                if matches!(long, "help" | "version") {
                    continue;
                }
                let flag = format!("`--{long}");
                if !page.contains(&flag) {
                    missing.push(format!("{rel}: --{long} (of `{}`)", cmd.get_name()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undocumented:\n{}", missing.join("\n"));
}

/// Every `--format` value has its section in `docs/formats.md` and its row in the table of how
/// each format carries the plan and the insights.
#[test]
fn every_format_is_documented() {
    let page = read("docs/formats.md");
    let mut missing = Vec::new();
    for value in Format::value_variants() {
        let name = value.to_possible_value().unwrap().get_name().to_string();
        if !page.lines().any(|l| l == format!("## {name}")) {
            missing.push(format!("a `## {name}` section"));
        }
        if !page
            .lines()
            .any(|l| l.starts_with(&format!("| `{name}` |")))
        {
            missing.push(format!("a `| `{name}` |` row"));
        }
    }
    assert!(
        missing.is_empty(),
        "docs/formats.md lacks:\n{}",
        missing.join("\n")
    );
}

/// The fields of a struct declared in a source file, one `name: Type,` per line.
fn struct_fields(source: &str, name: &str) -> Vec<String> {
    let start = source
        .find(&format!("struct {name} {{"))
        .unwrap_or_else(|| panic!("no struct {name}"));
    let body = &source[start..start + source[start..].find("\n}").unwrap()];
    let field = regex::Regex::new(r"(?m)^\s+([a-z_]+): ").unwrap();
    field
        .captures_iter(body)
        .map(|c| c[1].to_string())
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every key `preflight.toml` accepts (the fields `config.rs` deserializes) and every
/// `PREFLIGHT_*` variable the CLI reads is in `docs/configuration.md`; the keys of its example
/// config are ones the code accepts.
#[test]
fn every_config_key_and_environment_variable_is_documented() {
    let doc = read("docs/configuration.md");
    let config = read("crates/cli/src/config.rs");
    let top = struct_fields(&config, "FileToml");
    let dataset = struct_fields(&config, "DatasetToml");
    assert!(top.contains(&"fail_on".to_string()) && dataset.contains(&"files".to_string()));
    let mut missing: Vec<String> = top
        .iter()
        .chain(&dataset)
        .filter(|k| {
            !doc.contains(&format!("`{k}`"))
                && !doc.contains(&format!("`[{k}]`"))
                && !doc.contains(&format!("`[{k}."))
        })
        .cloned()
        .collect();
    let mut files = Vec::new();
    rust_files(&root().join("crates/cli/src"), &mut files);
    let var = regex::Regex::new(r#""(PREFLIGHT_[A-Z_]+)""#).unwrap();
    let mut vars = BTreeSet::new();
    for f in files {
        for c in var.captures_iter(&std::fs::read_to_string(f).unwrap()) {
            vars.insert(c[1].to_string());
        }
    }
    assert!(vars.contains("PREFLIGHT_FORMAT"), "{vars:?}");
    missing.extend(vars.into_iter().filter(|v| !doc.contains(v.as_str())));
    assert!(
        missing.is_empty(),
        "not in docs/configuration.md: {missing:?}"
    );

    // The example config holds only real keys.
    let (_, example, _) = fenced_blocks(&doc)
        .into_iter()
        .find(|(info, _, _)| info == "toml")
        .expect("docs/configuration.md has a toml example");
    let table: toml::Table = toml::from_str(&example).unwrap();
    for (key, value) in &table {
        match key.as_str() {
            "rules" => {}
            "datasets" => {
                for (name, decl) in value.as_table().unwrap() {
                    for k in decl.as_table().unwrap().keys() {
                        assert!(
                            dataset.contains(k),
                            "example dataset {name}: `{k}` is no key"
                        );
                    }
                }
            }
            k => assert!(top.contains(&k.to_string()), "example: `{k}` is no key"),
        }
    }
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = BTreeSet::new();
    for line in prose(text).lines() {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let base = slug(&line[hashes..]);
        let n = seen.entry(base.clone()).or_default();
        out.insert(if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        });
        *n += 1;
    }
    let id = regex::Regex::new(r#"<a (?:id|name)="([^"]+)""#).unwrap();
    out.extend(id.captures_iter(text).map(|c| c[1].to_string()));
    out
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// Every relative link of the README, `ARCHITECTURE.md` and `docs/` names a file that exists
/// and, with `#anchor`, a heading of it; the README links every page of `docs/`.
#[test]
fn relative_links_resolve_and_the_readme_links_every_page() {
    let root = root();
    let mut pages = vec![root.join("README.md"), root.join("ARCHITECTURE.md")];
    let mut docs = Vec::new();
    markdown_files(&root.join("docs"), &mut docs);
    pages.extend(docs.iter().cloned());
    let link = regex::Regex::new(r"\]\(([^)\s]+)\)|(?m)^\[[^\]]+\]:\s*(\S+)").unwrap();
    let mut broken = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        let name = page.strip_prefix(&root).unwrap().display().to_string();
        for c in link.captures_iter(&prose(&text)) {
            let target = c.get(1).or(c.get(2)).unwrap().as_str();
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
            let file = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(path)
            };
            if !file.exists() {
                broken.push(format!("{name}: {target} (no such file)"));
                continue;
            }
            if !anchor.is_empty() && file.extension().is_some_and(|e| e == "md") {
                let have = anchors(&std::fs::read_to_string(&file).unwrap());
                if !have.contains(anchor) {
                    broken.push(format!("{name}: {target} (no such heading)"));
                }
            }
        }
    }
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for doc in &docs {
        let rel = doc.strip_prefix(&root).unwrap().display().to_string();
        if !readme.contains(&format!("]({rel})")) {
            broken.push(format!("README.md does not link {rel}"));
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// Code comments cite the docs by anchor (`docs/personalize.md#csv-format`,
/// `ARCHITECTURE.md#one-pass-in-parallel-blocks`): each names a heading that exists, so a
/// renamed heading is caught.
#[test]
fn anchors_cited_in_code_exist() {
    let root = root();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    files.push(root.join("Cargo.toml"));
    let cite = regex::Regex::new(r"\b((?:docs/[a-z/-]+|ARCHITECTURE)\.md)#([a-z0-9-]+)").unwrap();
    let mut cited = 0;
    let mut broken = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for c in cite.captures_iter(&text) {
            cited += 1;
            let page = std::fs::read_to_string(root.join(&c[1])).unwrap_or_default();
            if !anchors(&page).contains(&c[2]) {
                let name = f.strip_prefix(&root).unwrap().display().to_string();
                broken.push(format!("{name}: {}#{}", &c[1], &c[2]));
            }
        }
    }
    assert!(
        cited >= 10,
        "only {cited} citations found: is the pattern right?"
    );
    assert!(broken.is_empty(), "no such heading:\n{}", broken.join("\n"));
}
