//! A block full of the smallest batches — as many as the benchmarked weights admit — is taken
//! whole by the real runtime, and their expiry spills over the following blocks, at most
//! `MaxScheduledPerBlock` steps a block, until every one of them has expired.
//!
//! `cargo test --release -p space-notary-runtime --test expiry_capacity`

use frame_support::{
	dispatch::DispatchClass,
	traits::{Get, Hooks},
};
use pallet_space_notary::{BatchStatus, Config, Event, WeightInfo};
use sp_core::{ed25519, Pair, H256};
use sp_runtime::{BoundedVec, BuildStorage, MultiSignature};
use space_notary_primitives::{BatchCertificate, ServerKey};
use space_notary_runtime::{
	configs::RuntimeBlockWeights, AccountId, Runtime, RuntimeEvent, RuntimeOrigin, SpaceNotary,
	System, UNIT,
};

type Weights = pallet_space_notary::weights::SubstrateWeight<Runtime>;

/// How many of the smallest `submit_batch` calls (one transaction of one byte) one block's normal
/// class takes by weight: the figure docs/benchmarks.md reports.
fn smallest_batches_per_block() -> u32 {
	let weights = RuntimeBlockWeights::get();
	let normal = weights.get(DispatchClass::Normal);
	let budget = normal.max_total.expect("normal class is bounded").ref_time();
	(budget / (normal.base_extrinsic + Weights::submit_batch(1, 1)).ref_time()) as u32
}

fn events() -> Vec<Event<Runtime>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::SpaceNotary(e) => Some(e),
			_ => None,
		})
		.collect()
}

#[test]
fn a_block_full_of_batches_is_taken_and_expires_over_bounded_blocks() {
	let operator = AccountId::from([7u8; 32]);
	let mut storage = frame_system::GenesisConfig::<Runtime>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Runtime> {
		balances: vec![(operator.clone(), 1_000_000 * UNIT)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		System::set_block_number(1);
		let per_block = smallest_batches_per_block();
		let max_pending: u32 = <Runtime as Config>::MaxPendingPerServer::get();
		let max_steps: u32 = <Runtime as Config>::MaxScheduledPerBlock::get();
		assert!(per_block > max_steps, "the test needs more batches than a block's expiry steps");

		// Enough servers to hold them all pending, then every batch in block 1.
		let servers: Vec<(u32, ed25519::Pair)> = (0..per_block.div_ceil(max_pending))
			.map(|i| {
				let pair = ed25519::Pair::from_seed(&sp_io::hashing::blake2_256(&i.to_le_bytes()));
				let satellite_key = ed25519::Pair::from_seed(&[i as u8 + 1; 32]).public();
				SpaceNotary::register_server(
					RuntimeOrigin::root(),
					operator.clone(),
					ServerKey::Ed25519(pair.public()),
					0,
					satellite_key,
				)
				.expect("registered");
				(i, pair)
			})
			.collect();
		let genesis = SpaceNotary::genesis_hash();
		let mut last = vec![H256::zero(); servers.len()];
		for n in 0..per_block {
			let (id, pair) = &servers[(n / max_pending) as usize];
			let sequence = u64::from(n % max_pending) + 1;
			let txs = vec![vec![n as u8]];
			let cert = BatchCertificate::over_transactions(
				genesis,
				*id,
				sequence,
				last[*id as usize],
				1_800_000_000_000,
				&txs,
			)
			.unwrap();
			let signature = MultiSignature::Ed25519(pair.sign(&cert.server_payload()));
			last[*id as usize] = cert.batch_id();
			let txs = BoundedVec::truncate_from(vec![BoundedVec::truncate_from(txs[0].clone())]);
			SpaceNotary::submit_batch(
				RuntimeOrigin::signed(operator.clone()),
				cert,
				signature,
				txs,
			)
			.unwrap_or_else(|e| panic!("batch {n} of {per_block} refused: {e:?}"));
		}
		let submitted =
			events().iter().filter(|e| matches!(e, Event::BatchSubmitted { .. })).count() as u32;
		assert_eq!(submitted, per_block, "the whole block's worth was taken");

		// Walk every block up to the expiry and past it: at most `max_steps` of work a block.
		let expires_at = 1 + <Runtime as Config>::BatchTtl::get();
		let mut expired_by_block = Vec::new();
		let mut block = 1;
		while expired_by_block.iter().sum::<u32>() < per_block {
			block += 1;
			assert!(block < expires_at + per_block, "expiry did not finish");
			System::reset_events();
			System::set_block_number(block);
			let weight = SpaceNotary::on_initialize(block);
			assert!(weight.all_lte(Weights::run_schedule(max_steps)), "block {block}: {weight:?}");
			let expired =
				events().iter().filter(|e| matches!(e, Event::BatchExpired { .. })).count() as u32;
			if block < expires_at {
				assert_eq!(expired, 0, "nothing expires before its time");
			} else {
				assert!(expired < max_steps, "block {block}: {expired} expiries");
				expired_by_block.push(expired);
			}
		}
		println!(
			"{per_block} batches expired over {} blocks: {expired_by_block:?}",
			expired_by_block.len()
		);
		assert!(expired_by_block.len() as u32 <= per_block.div_ceil(max_steps - 1) + 1);
		// Every record says it expired as of its scheduled block, however late the work came.
		let at =
			last.iter().map(|id| pallet_space_notary::Batches::<Runtime>::get(id).unwrap().status);
		for status in at {
			assert!(matches!(status, BatchStatus::Expired { at, .. } if at == expires_at));
		}
	});
}
