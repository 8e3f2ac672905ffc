# Installs what building Space Notary needs when it is missing: protobuf-compiler and clang
# (Debian packages), the wasm targets and rust-src; with `--browser` also Debian's chromium, which
# the console's e2e test drives headless (playwright-core, no browser download). Sourced by
# scripts/test (with --browser) and scripts/devnet; SKIP_PREREQS=1 skips it.

prerequisites() {
	[ "${SKIP_PREREQS:-0}" = 1 ] && return 0
	local missing=()
	command -v protoc >/dev/null || missing+=(protobuf-compiler)
	command -v clang >/dev/null || missing+=(clang)
	if [ "${1:-}" = --browser ]; then
		[ -x /usr/bin/chromium ] || missing+=(chromium)
	fi
	if [ ${#missing[@]} -gt 0 ]; then
		echo "installing ${missing[*]}"
		local sudo=""
		[ "$(id -u)" = 0 ] || sudo=sudo
		$sudo apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
	fi
	local targets
	targets=$(rustup target list --installed)
	for t in wasm32v1-none wasm32-unknown-unknown; do
		grep -qx "$t" <<<"$targets" || rustup target add "$t"
	done
	rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src
}
