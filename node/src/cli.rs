//! The command line.

/// The node's command line: a subcommand, or the node itself (`RunCmd`).
#[derive(Debug, clap::Parser)]
pub struct Cli {
	/// A subcommand; without one the node runs.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Options of the running node.
	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	/// The ground station the Space Notary off-chain worker relays pending batches through
	/// (`satellite-bridge relay --http ADDR`), e.g. `http://127.0.0.1:9955`. Written to the node's
	/// persistent off-chain storage at start; the `offchain_localStorageSet` RPC (PERSISTENT,
	/// key `space-notary/ground-station-url`) changes it while the node runs. Without it the
	/// worker stays idle until that key is set.
	#[arg(long, value_name = "URL")]
	pub ground_station_url: Option<space_notary_primitives::ground_station::GroundStationUrl>,
}

/// The standard sc-cli subcommands.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management utilities.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (kept for tooling that still calls it; prefer
	/// `export-chain-spec`).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export the chain specification.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),

	/// Benchmarks (built with `--features runtime-benchmarks`): `benchmark pallet` regenerates
	/// the pallets' weights.
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),
}
