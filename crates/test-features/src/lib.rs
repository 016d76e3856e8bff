//! Nothing to call: this crate only exists for its dependency list.
//!
//! `cargo test --workspace` compiles every dependency with the features the members' tests and
//! benches ask for (`tokio/test-util`, `aws-sdk-personalize/test-util`, the uploader's
//! `fault-injection`, …), and the `preflight` binary the tests run is linked against those.
//! A normal build of the binary (`cargo build -p personalize-preflight`, or maturin building the
//! wheel) resolves fewer features, so it shares no compiled crate with the test build and
//! compiles about ninety of them again: six minutes on two cores.
//!
//! The CLI's `test-features` feature adds this crate, whose dependencies carry exactly the
//! test-only features, and the CLI's tests turn that feature on (a dev-dependency of the CLI on
//! itself). So the test build and `maturin build --profile dev --features test-features` resolve
//! the same features, and `.ci/run` packages the binary the tests already built. Release builds
//! never turn the feature on. rustc's own `rustc-workspace-hack` crate solved the same problem
//! the same way.
//!
//! When a member gains a dev-dependency, add it to `Cargo.toml` here; `.ci/run` reports the
//! crates the wheel build had to compile, which should be none.
