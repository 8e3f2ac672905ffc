# The one release build of the workspace that scripts/test, scripts/devnet and scripts/load share,
# so that none of them invalidates another's artifacts: the same target dir, the same rustc
# wrapper and the same targets (a build of fewer packages or targets unifies features differently
# and recompiles much of the workspace).
#
# Clippy runs as the workspace's rustc wrapper, the way `cargo clippy` itself runs it: the
# workspace's own crates are compiled by clippy-driver with warnings denied, and polkadot-sdk is
# compiled once, for the build, instead of a second time by a separate `cargo clippy` (its
# check-mode artifacts are not the build's). Every cargo stage sets the same wrapper, so the test
# stages reuse the build's artifacts.

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/space-notary/target}"
export RUSTC_WORKSPACE_WRAPPER="${RUSTC_WORKSPACE_WRAPPER:-$(rustup which clippy-driver)}"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

build_workspace() { cargo build --release --workspace --all-targets; }
