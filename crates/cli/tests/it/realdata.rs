//! Real inputs written by other people: every CSV under `../shared/realdata` is validated by the
//! real binary against the schema that belongs to it, and every schema file there is checked.
//! The findings are reviewed snapshots (`snapshots/realdata__*.snap`), so a change in what the
//! tool says about real data shows up in review.
//!
//! The data is not vendored (see `../shared/realdata/SOURCES.md`). Without it (a user's own clone)
//! the tests say so and pass; under CI (`CI=true`) its absence fails them.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The current time for the future-timestamp rule (PF216), fixed so the snapshots are stable.
const NOW: &str = "1790000000";

/// Where a CSV's schema comes from.
#[derive(Debug)]
enum Schema {
    /// A schema file, relative to the realdata folder.
    File(&'static str),
    /// A built-in schema: `--dataset-type` and, for a domain project, `--domain`.
    Builtin(&'static str, Option<&'static str>),
}

/// One real CSV and the schema it is checked against.
#[derive(Debug)]
struct Case {
    /// The CSV, relative to the realdata folder.
    csv: &'static str,
    schema: Schema,
    /// The snapshot name (`realdata__<name>.snap`).
    snapshot: &'static str,
}

/// Every CSV under realdata. `covers_every_csv` fails when a CSV is added without an entry here.
const CASES: &[Case] = &[
    // NewsPublishing items (quoted lowercase headers, columns in another order). The notebook
    // News_01_Data_Layer creates its Items schema with these fields; params.json embeds the same
    // fields under the record name "items".
    Case {
        csv: "aws-samples__amazon-personalize-immersion-day/NewsPublishing/poc_data/deskdrop_articles_automated.csv",
        schema: Schema::File("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/NewsPublishing__News_01_Data_Layer.ipynb__Items.json"),
        snapshot: "immersion_day_news_deskdrop_articles",
    },
    // TravelGenAI poc_data: TravelGenAI/params.json is the config of this POC. Its Interactions
    // schema was extracted on its own and follows the CSV's column order (the notebook's has
    // EVENT_TYPE before EVENT_VALUE).
    Case {
        csv: "aws-samples__amazon-personalize-immersion-day/TravelGenAI/poc_data/interactions.csv",
        schema: Schema::File("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/TravelGenAI__params.json__Interactions.json"),
        snapshot: "immersion_day_travel_interactions",
    },
    // params.json's Items and Users schemas were not extracted on their own (params.json holds
    // three schemas, so it is not a schema file); the TravelGenAI notebook's Items and Users
    // schemas have exactly the same fields, types and attributes.
    Case {
        csv: "aws-samples__amazon-personalize-immersion-day/TravelGenAI/poc_data/items.csv",
        schema: Schema::File("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/TravelGenAI__Travel_01_Personalize_User_Segmentation.ipynb__Items.json"),
        snapshot: "immersion_day_travel_items",
    },
    Case {
        csv: "aws-samples__amazon-personalize-immersion-day/TravelGenAI/poc_data/users.csv",
        schema: Schema::File("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/TravelGenAI__Travel_01_Personalize_User_Segmentation.ipynb__Users.json"),
        snapshot: "immersion_day_travel_users",
    },
    // No schema from this project is in realdata, and SOURCES.md gives no domain: the built-in
    // custom Items schema, which takes the CSV's other columns as metadata of unknown type.
    Case {
        csv: "aws-samples__amazon-personalize-live-event-contextualization/data/soccer-ux-sample-item.csv",
        schema: Schema::Builtin("items", None),
        snapshot: "live_event_soccer_items",
    },
    // personalized_marketing_campaign: airline_ticket_user_segmentation_09212023_github.ipynb
    // imports these three files. Its Interactions schema (ITEM_ID, USER_ID, TIMESTAMP,
    // CABIN_TYPE categorical, EVENT_TYPE, EVENT_VALUE float) was not extracted because the
    // notebook writes it as a Python dict (`True`); the same repository's
    // user-personalization-with-contextual-recommendations notebook declares exactly the same
    // fields in the same order, so that extracted schema stands in for it.
    Case {
        csv: "aws-samples__amazon-personalize-samples/next_steps/generative_ai/personalized_marketing_campaign/df_interactions.csv",
        schema: Schema::File("aws-samples__amazon-personalize-samples/_extracted_schemas/next_steps__core_use_cases__user_personalization__user-personalization-with-contextual-recommendations.ipynb__Interactions.json"),
        snapshot: "samples_marketing_campaign_interactions",
    },
    // The notebook's own Items and Users schemas.
    Case {
        csv: "aws-samples__amazon-personalize-samples/next_steps/generative_ai/personalized_marketing_campaign/df_item_deduplicated.csv",
        schema: Schema::File("aws-samples__amazon-personalize-samples/_extracted_schemas/next_steps__generative_ai__personalized_marketing_campaign__airline_ticket_user_segmentation_09212023_github.ipynb__Items.json"),
        snapshot: "samples_marketing_campaign_items",
    },
    Case {
        csv: "aws-samples__amazon-personalize-samples/next_steps/generative_ai/personalized_marketing_campaign/df_users_deduplicated.csv",
        schema: Schema::File("aws-samples__amazon-personalize-samples/_extracted_schemas/next_steps__generative_ai__personalized_marketing_campaign__airline_ticket_user_segmentation_09212023_github.ipynb__Users.json"),
        snapshot: "samples_marketing_campaign_users",
    },
    // personalize-pet-recommendations: the seed data's own schema files.
    Case {
        csv: "aws-samples__personalize-pet-recommendations/seed_data/interactions/interactions_mini.csv",
        schema: Schema::File("aws-samples__personalize-pet-recommendations/seed_data/schemas/interactions_schema.json"),
        snapshot: "pet_interactions_mini",
    },
    Case {
        csv: "aws-samples__personalize-pet-recommendations/seed_data/items/items_0.csv",
        schema: Schema::File("aws-samples__personalize-pet-recommendations/seed_data/schemas/items_schema.json"),
        snapshot: "pet_items_0",
    },
    // aws-solutions test fixtures: the fixture config beside them (sample_config.json) declares
    // the "interactions" and "users" schemas; the README's extracted "interactions" and "users"
    // schemas are identical to them (same record names, fields, types and attributes).
    Case {
        csv: "aws-solutions__maintaining-personalized-experiences-with-machine-learning/source/tests/fixtures/config/interactions.csv",
        schema: Schema::File("aws-solutions__maintaining-personalized-experiences-with-machine-learning/_extracted_schemas/README.md__interactions.json"),
        snapshot: "solutions_fixture_interactions",
    },
    Case {
        csv: "aws-solutions__maintaining-personalized-experiences-with-machine-learning/source/tests/fixtures/config/users.csv",
        schema: Schema::File("aws-solutions__maintaining-personalized-experiences-with-machine-learning/_extracted_schemas/README.md__users.json"),
        snapshot: "solutions_fixture_users",
    },
    // Developer-guide CSV examples. data-prep-formatting.md shows this block with its schema.
    Case {
        csv: "awsdocs__amazon-personalize-developer-guide/_extracted_csv/data-prep-formatting__block1.csv",
        schema: Schema::File("awsdocs__amazon-personalize-developer-guide/_extracted_schemas/doc_source__data-prep-formatting.md__Interactions.json"),
        snapshot: "docs_data_prep_formatting_block1",
    },
    // ITEM_ID,GENRE: no docs schema has these fields (item-dataset-requirements' has GENRES,
    // CREATION_TIMESTAMP, DESCRIPTION): built-in custom Items.
    Case {
        csv: "awsdocs__amazon-personalize-developer-guide/_extracted_csv/data-prep-formatting__block3.csv",
        schema: Schema::Builtin("items", None),
        snapshot: "docs_data_prep_formatting_block3",
    },
    // Getting-started ratings (USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE): no docs schema has these
    // fields in this order, and the page prepares the file for the tutorials in general (not for
    // one domain): built-in custom Interactions.
    Case {
        csv: "awsdocs__amazon-personalize-developer-guide/_extracted_csv/gs-prerequisites__block1.csv",
        schema: Schema::Builtin("interactions", None),
        snapshot: "docs_gs_prerequisites_block1",
    },
    // The next three blocks sit on the same pages as their schemas and match them field for field.
    Case {
        csv: "awsdocs__amazon-personalize-developer-guide/_extracted_csv/interactions-dataset-requirements__block2.csv",
        schema: Schema::File("awsdocs__amazon-personalize-developer-guide/_extracted_schemas/doc_source__interactions-dataset-requirements.md__Interactions.json"),
        snapshot: "docs_interactions_dataset_requirements_block2",
    },
    Case {
        csv: "awsdocs__amazon-personalize-developer-guide/_extracted_csv/item-dataset-requirements__block2.csv",
        schema: Schema::File("awsdocs__amazon-personalize-developer-guide/_extracted_schemas/doc_source__item-dataset-requirements.md__Items.json"),
        snapshot: "docs_item_dataset_requirements_block2",
    },
    Case {
        csv: "awsdocs__amazon-personalize-developer-guide/_extracted_csv/user-dataset-requirements__block2.csv",
        schema: Schema::File("awsdocs__amazon-personalize-developer-guide/_extracted_schemas/doc_source__user-dataset-requirements.md__Users.json"),
        snapshot: "docs_user_dataset_requirements_block2",
    },
    // haandol: the project's CreateSchema request body for this file (VIDEO_ON_DEMAND domain,
    // carried by the file itself).
    Case {
        csv: "haandol__personalize-pipeline/docs/httpie/movielens/item_metadata.csv",
        schema: Schema::File("haandol__personalize-pipeline/docs/httpie/schema/item_metadata.json"),
        snapshot: "haandol_item_metadata",
    },
];

/// Schema files checked a second time with the domain their project uses (`--domain`): the
/// domain hints of SOURCES.md, plus the developer guide's ECOMMERCE and VIDEO_ON_DEMAND pages.
/// Left out: automate-mlops-personalize-cdk-pipeline's README.md__* schemas, which SOURCES.md
/// hints as VIDEO_ON_DEMAND but which are those of input_media_custom.json, a custom dataset
/// group (it has Actions); and haandol's, whose request bodies carry their own domain.
const DOMAIN_CHECKS: &[(&str, &str)] = &[
    ("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/Media__Media_02_Data_Import.ipynb__Interactions.json", "VIDEO_ON_DEMAND"),
    ("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/Media__Media_02_Data_Import.ipynb__Items.json", "VIDEO_ON_DEMAND"),
    ("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/Media__Media_02_Data_Import.ipynb__Users.json", "VIDEO_ON_DEMAND"),
    ("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/Media__params.json__interactions.json", "VIDEO_ON_DEMAND"),
    ("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/Media__params.json__items.json", "VIDEO_ON_DEMAND"),
    ("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/Media__params.json__users.json", "VIDEO_ON_DEMAND"),
    ("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/Retail__Retail_01_Data_Layer.ipynb__Interactions.json", "ECOMMERCE"),
    ("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/Retail__Retail_01_Data_Layer.ipynb__Items.json", "ECOMMERCE"),
    ("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/Retail__Retail_01_Data_Layer.ipynb__Users.json", "ECOMMERCE"),
    ("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/Retail__params.json__interactions.json", "ECOMMERCE"),
    ("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/Retail__params.json__items.json", "ECOMMERCE"),
    ("aws-samples__amazon-personalize-immersion-day/_extracted_schemas/Retail__params.json__users.json", "ECOMMERCE"),
    ("aws-samples__amazon-personalize-samples/_extracted_schemas/getting_started__notebooks_managed_domains__Building_Your_First_Recommender_Ecommerce.ipynb__Interactions.json", "ECOMMERCE"),
    ("aws-samples__amazon-personalize-samples/_extracted_schemas/getting_started__notebooks_managed_domains__Building_Your_First_Recommender_Video_On_Demand.ipynb__Interactions.json", "VIDEO_ON_DEMAND"),
    ("aws-samples__amazon-personalize-samples/_extracted_schemas/getting_started__notebooks_managed_domains__Building_Your_First_Recommender_Video_On_Demand.ipynb__Items.json", "VIDEO_ON_DEMAND"),
    ("aws-samples__amazon-personalize-samples/_extracted_schemas/getting_started__notebooks_managed_domains__Building_Your_First_Recommender_Video_On_Demand.ipynb__Users.json", "VIDEO_ON_DEMAND"),
    ("aws-samples__amazon-personalize-samples/_extracted_schemas/next_steps__core_use_cases__filters__promotions__Promotions.ipynb__Items.json", "ECOMMERCE"),
    ("aws-samples__amazon-personalize-samples/_extracted_schemas/next_steps__core_use_cases__updating_datasets__update-datasets-user-personalization-example.ipynb__Interactions.json", "ECOMMERCE"),
    ("aws-samples__amazon-personalize-samples/_extracted_schemas/next_steps__core_use_cases__updating_datasets__update-datasets-user-personalization-example.ipynb__Items.json", "ECOMMERCE"),
    ("aws-samples__amazon-personalize-samples/_extracted_schemas/next_steps__core_use_cases__updating_datasets__update-datasets-user-personalization-example.ipynb__Users.json", "ECOMMERCE"),
    ("aws-samples__amazon-personalize-samples/_extracted_schemas/next_steps__core_use_cases__updating_datasets__update-item-dataset-schema-example.ipynb__Items.json", "ECOMMERCE"),
    ("aws-samples__amazon-personalize-samples/_extracted_schemas/next_steps__evaluation__measuring_impact_of_recommendations__Measure_Impact_of_Recommendations.ipynb__Items.json", "ECOMMERCE"),
    ("aws-samples__amazon-personalize-samples/_extracted_schemas/next_steps__generative_ai__personalized_recommender_agent__01_Recommender-Agent_Configure-Personalize-Resources.ipynb__Items.json", "ECOMMERCE"),
    ("aws-samples__amazon-personalize-samples/_extracted_schemas/next_steps__generative_ai__user_personalized_marketing_messaging_with_amazon_personalize_and_gen_ai__02_Train_Personalize_Model_01_Data.ipynb__Items.json", "VIDEO_ON_DEMAND"),
    ("aws-samples__amazon-personalize-samples/_extracted_schemas/next_steps__generative_ai__user_personalized_marketing_messaging_with_amazon_personalize_and_gen_ai__params.json__interactions.json", "VIDEO_ON_DEMAND"),
    ("aws-samples__amazon-personalize-samples/_extracted_schemas/next_steps__generative_ai__user_personalized_marketing_messaging_with_amazon_personalize_and_gen_ai__params.json__items.json", "VIDEO_ON_DEMAND"),
    ("aws-samples__automate-mlops-personalize-cdk-pipeline/_extracted_schemas/personalize__sample_configs__input_media.json__Items.json", "VIDEO_ON_DEMAND"),
    ("aws-samples__automate-mlops-personalize-cdk-pipeline/_extracted_schemas/personalize__sample_configs__input_media.json__Users.json", "VIDEO_ON_DEMAND"),
    ("aws-samples__automate-mlops-personalize-cdk-pipeline/_extracted_schemas/personalize__sample_configs__input_retail.json__Interactions.json", "ECOMMERCE"),
    ("aws-samples__automate-mlops-personalize-cdk-pipeline/_extracted_schemas/personalize__sample_configs__input_retail.json__Items.json", "ECOMMERCE"),
    ("aws-samples__automate-mlops-personalize-cdk-pipeline/_extracted_schemas/personalize__sample_configs__input_retail.json__Users.json", "ECOMMERCE"),
    ("aws-samples__retail-demo-store/_extracted_schemas/src__aws-lambda__personalize-pre-create-resources__personalize_pre_create_resources.py__Interactions.json", "ECOMMERCE"),
    ("aws-samples__retail-demo-store/_extracted_schemas/src__aws-lambda__personalize-pre-create-resources__personalize_pre_create_resources.py__Interactions_2.json", "ECOMMERCE"),
    ("aws-samples__retail-demo-store/_extracted_schemas/src__aws-lambda__personalize-pre-create-resources__personalize_pre_create_resources.py__Items.json", "ECOMMERCE"),
    ("aws-samples__retail-demo-store/_extracted_schemas/src__aws-lambda__personalize-pre-create-resources__personalize_pre_create_resources.py__Users.json", "ECOMMERCE"),
    ("aws-samples__retail-demo-store/_extracted_schemas/workshop__1-Personalization__Lab-02-_Core_-Prepare-Personalize-and-import-data.ipynb__Interactions.json", "ECOMMERCE"),
    ("awsdocs__amazon-personalize-developer-guide/_extracted_schemas/doc_source__ECOMMERCE-interactions-dataset.md__Interactions.json", "ECOMMERCE"),
    ("awsdocs__amazon-personalize-developer-guide/_extracted_schemas/doc_source__ECOMMERCE-items-dataset.md__Items.json", "ECOMMERCE"),
    ("awsdocs__amazon-personalize-developer-guide/_extracted_schemas/doc_source__ECOMMERCE-users-dataset.md__Users.json", "ECOMMERCE"),
    ("awsdocs__amazon-personalize-developer-guide/_extracted_schemas/doc_source__VIDEO-ON-DEMAND-items-dataset.md__Items.json", "VIDEO_ON_DEMAND"),
    ("awsdocs__amazon-personalize-developer-guide/_extracted_schemas/doc_source__VIDEO-ON-DEMAND-users-dataset.md__Users.json", "VIDEO_ON_DEMAND"),
];

/// The realdata folder, or `None` (after saying so) when it is absent outside CI.
fn realdata() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/realdata");
    match dir.canonicalize() {
        Ok(dir) if dir.is_dir() => Some(dir),
        _ => {
            assert!(
                !common::realdata_required(),
                "CI=true but the real-data folder {} is missing: CI must provide a copy of shared/ beside the repository",
                dir.display()
            );
            eprintln!(
                "note: {} not found; skipping the real-data tests (they need a copy of shared/ beside the repository)",
                dir.display()
            );
            None
        }
    }
}

/// Every file under `dir`, as sorted `/`-separated paths relative to `dir`.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap();
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn is_csv(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".csv")
}

fn preflight() -> Command {
    let mut c = Command::cargo_bin("preflight").unwrap();
    c.env("PREFLIGHT_NOW", NOW)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY");
    c
}

/// Runs the binary; checks it neither panicked nor exited with a code outside `allowed`.
fn run(mut cmd: Command, what: &str, allowed: &[i32]) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{what}: the binary panicked:\n{stderr}"
    );
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("{what}: killed by a signal ({:?})\n{stderr}", out.status));
    assert!(
        allowed.contains(&code),
        "{what}: exit code {code}, expected one of {allowed:?}\nstderr:\n{stderr}"
    );
    (code, stdout, stderr)
}

/// `-` for a missing JSON value, else its plain text.
fn text(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One line per diagnostic: `CODE severity line:column field: message`.
fn diagnostic_lines(report: &Value, out: &mut String, indent: &str) {
    for d in report["diagnostics"].as_array().unwrap() {
        out.push_str(&format!(
            "{indent}{} {} {}:{} {}: {}\n",
            text(&d["code"]),
            text(&d["severity"]),
            text(&d["line"]),
            text(&d["column"]),
            text(&d["field"]),
            text(&d["message"]),
        ));
    }
}

/// Per-rule totals: `CODE name severity total (shown)`.
fn rule_lines(report: &Value, out: &mut String) {
    for r in report["rules"].as_array().unwrap() {
        out.push_str(&format!(
            "  {} {} {}: {} ({} shown)\n",
            text(&r["code"]),
            text(&r["name"]),
            text(&r["severity"]),
            r["total"],
            r["shown"],
        ));
    }
}

/// The compact, machine-independent text of a `validate --format json` report.
fn validate_summary(case: &Case, code: i32, report: &Value) -> String {
    let s = &report["summary"];
    let schema = &report["schema"];
    let mut out = String::new();
    out.push_str(&format!("csv: {}\n", case.csv));
    out.push_str(&format!(
        "schema: {} ({}, {})\n",
        text(&schema["source"]),
        text(&schema["dataset_type"]),
        match &schema["domain"] {
            Value::Null => "custom".to_string(),
            d => text(d),
        }
    ));
    for f in report["files"].as_array().unwrap() {
        let header: Vec<String> = f["header"].as_array().unwrap().iter().map(text).collect();
        out.push_str(&format!("header: {}\n", header.join(",")));
    }
    out.push_str(&format!("exit: {code}\n"));
    out.push_str(&format!(
        "summary: {} records, {} errors, {} warnings, {} infos, {} omitted\n",
        s["records"], s["errors"], s["warnings"], s["infos"], s["omitted"]
    ));
    out.push_str("rules:\n");
    rule_lines(report, &mut out);
    out.push_str("diagnostics:\n");
    diagnostic_lines(report, &mut out, "  ");
    out
}

#[test]
fn covers_every_csv() {
    let Some(dir) = realdata() else { return };
    let found: BTreeSet<String> = files_under(&dir)
        .into_iter()
        .filter(|p| is_csv(p))
        .collect();
    let listed: BTreeSet<String> = CASES.iter().map(|c| c.csv.to_string()).collect();
    assert_eq!(listed.len(), CASES.len(), "a CSV is listed twice in CASES");
    let unlisted: Vec<&String> = found.difference(&listed).collect();
    let gone: Vec<&String> = listed.difference(&found).collect();
    assert!(
        unlisted.is_empty(),
        "CSV files in realdata without an entry in CASES (add one, with its schema): {unlisted:#?}"
    );
    assert!(
        gone.is_empty(),
        "CASES lists CSV files that are not in realdata: {gone:#?}"
    );
    let names: BTreeSet<&str> = CASES.iter().map(|c| c.snapshot).collect();
    assert_eq!(names.len(), CASES.len(), "two cases share a snapshot name");
}

#[test]
fn validate_every_csv() {
    let Some(dir) = realdata() else { return };
    let prefix = format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);
    for case in CASES {
        let csv = dir.join(case.csv);
        assert!(csv.is_file(), "{} is missing", csv.display());
        let mut cmd = preflight();
        cmd.arg("validate");
        match case.schema {
            Schema::File(schema) => {
                let schema = dir.join(schema);
                assert!(schema.is_file(), "{} is missing", schema.display());
                cmd.arg("--schema").arg(schema);
            }
            Schema::Builtin(ty, domain) => {
                cmd.args(["--dataset-type", ty]);
                if let Some(d) = domain {
                    cmd.args(["--domain", d]);
                }
            }
        }
        cmd.arg(&csv).args(["--format", "json"]);
        let (code, stdout, _) = run(cmd, case.csv, &[0, 1]);
        let stdout = stdout.replace(&prefix, "");
        let report: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{}: the JSON report does not parse: {e}", case.csv));
        let summary = validate_summary(case, code, &report);
        assert!(
            !summary.contains(&prefix),
            "{}: an absolute path is left",
            case.csv
        );
        insta::assert_snapshot!(case.snapshot, summary);
    }
}

/// Checks one schema file and appends its findings to `out`.
fn check_schema_file(dir: &Path, rel: &str, domain: Option<&str>, prefix: &str, out: &mut String) {
    let path = dir.join(rel);
    let mut cmd = preflight();
    cmd.args(["schema", "check"]).arg(&path);
    if let Some(d) = domain {
        cmd.args(["--domain", d]);
    }
    cmd.args(["--format", "json"]);
    let label = match domain {
        Some(d) => format!("{rel} --domain {d}"),
        None => rel.to_string(),
    };
    let (code, stdout, stderr) = run(cmd, &label, &[0, 1, 2]);
    // Exit 2 (the tool could not run) is right only for a file that is not JSON.
    let content = std::fs::read_to_string(&path).unwrap();
    let parses = serde_json::from_str::<Value>(&content).is_ok();
    assert_eq!(
        code == 2,
        !parses,
        "{label}: exit code {code}, but the file {} JSON\nstderr:\n{stderr}",
        if parses { "is" } else { "is not" }
    );
    if code == 2 {
        let first = stderr.lines().next().unwrap_or("").replace(prefix, "");
        out.push_str(&format!("{label}: exit 2: {first}\n"));
        return;
    }
    let report: Value = serde_json::from_str(&stdout.replace(prefix, ""))
        .unwrap_or_else(|e| panic!("{label}: the JSON report does not parse: {e}"));
    let s = &report["summary"];
    let schema = &report["schema"];
    let kind = match (&schema["dataset_type"], &schema["domain"]) {
        (Value::Null, _) => "no dataset type".to_string(),
        (ty, Value::Null) => format!("{}, custom", text(ty)),
        (ty, d) => format!("{}, {}", text(ty), text(d)),
    };
    out.push_str(&format!(
        "{label}: exit {code} ({kind}): {} errors, {} warnings\n",
        s["errors"], s["warnings"],
    ));
    diagnostic_lines(&report, out, "  ");
}

/// Every schema file in realdata: the extracted Avro schemas, the projects' own schema files
/// (.json, .avsc, the .template) and the config files that embed several schemas (params.json,
/// sample_config*.json, input_*.json, params-*.json). A config file is not a schema, so
/// PF401 is the expected finding for it; the extracted schemas are its schemas, one per file.
#[test]
fn check_every_schema() {
    let Some(dir) = realdata() else { return };
    let prefix = format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);
    let files: Vec<String> = files_under(&dir)
        .into_iter()
        .filter(|p| !is_csv(p) && !p.to_ascii_lowercase().ends_with(".md"))
        .collect();
    assert!(!files.is_empty(), "no schema files in {}", dir.display());
    let mut out = String::new();
    for rel in &files {
        check_schema_file(&dir, rel, None, &prefix, &mut out);
    }
    out.push_str("\nwith the project's domain:\n");
    for (rel, domain) in DOMAIN_CHECKS {
        assert!(files.contains(&rel.to_string()), "{rel} is missing");
        check_schema_file(&dir, rel, Some(domain), &prefix, &mut out);
    }
    assert!(!out.contains(&prefix), "an absolute path is left");
    insta::assert_snapshot!("schema_check", out);
}
