// Sending extrinsics and waiting for what they did, every wait with a deadline.

import { withDeadline, waitFor } from './node.js';

/** A readable name for a dispatch error: `spaceNotary.BadSequence`, or its JSON. */
export function describeDispatchError(api, error) {
  if (error.isModule) {
    const { section, name } = api.registry.findMetaError(error.asModule);
    return `${section}.${name}`;
  }
  return JSON.stringify(error.toHuman());
}

/**
 * Submits `tx` (signed by `signer`, or bare when `signer` is undefined) and resolves when it is
 * in a block (or finalized, with `{ finalized: true }`) and succeeded:
 * `{ blockHash, blockNumber, events, txHash }`, `events` being the extrinsic's own events.
 * Rejects when the pool refuses it (the RPC error, e.g. 1010), when it is dropped, when its
 * dispatch fails, or after `ms`.
 */
export async function submit(api, tx, { signer, nonce, what, ms = 60_000, finalized = false } = {}) {
  let unsubscribe;
  let settled = false;
  const watching = new Promise((resolve, reject) => {
    const finish = (fn, value) => {
      if (settled) return;
      settled = true;
      if (unsubscribe) unsubscribe();
      fn(value);
    };
    const onStatus = (result) => {
      const { status, events, dispatchError, txHash } = result;
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        finish(reject, new Error(`${what}: transaction ${status.type}`));
        return;
      }
      const done = finalized ? status.isFinalized : status.isInBlock || status.isFinalized;
      if (!done) return;
      if (dispatchError) {
        finish(reject, new Error(`${what} failed: ${describeDispatchError(api, dispatchError)}`));
        return;
      }
      const blockHash = status.isInBlock ? status.asInBlock : status.asFinalized;
      finish(resolve, { blockHash, events, txHash });
    };
    // An explicit nonce lets one signer have several transactions in flight at once.
    const options = nonce === undefined ? {} : { nonce };
    const sending = signer ? tx.signAndSend(signer, options, onStatus) : tx.send(onStatus);
    sending.then(
      (unsub) => {
        unsubscribe = unsub;
        if (settled) unsub();
      },
      (e) => finish(reject, e),
    );
  });
  try {
    const out = await withDeadline(watching, ms, `${what} to be ${finalized ? 'finalized' : 'included'}`);
    const header = await api.rpc.chain.getHeader(out.blockHash);
    return { ...out, blockNumber: header.number.toNumber() };
  } finally {
    settled = true;
    if (unsubscribe) unsubscribe();
  }
}

/** The one event `section.method` among `events` (records), or a failure listing what there was. */
export function findEvent(events, section, method) {
  const found = events.filter(({ event }) => event.section === section && event.method === method);
  if (found.length !== 1) {
    const seen = events.map(({ event }) => `${event.section}.${event.method}`).join(', ');
    throw new Error(`expected one ${section}.${method} event, found ${found.length} among [${seen}]`);
  }
  return found[0].event;
}

/** All system events of block `blockHash`. */
export async function eventsAt(api, blockHash) {
  const at = await api.at(blockHash);
  return at.query.system.events();
}

/** Waits until `api`'s node has finalized block `number` or later; returns the finalized number. */
export async function waitFinalized(api, number, { ms = 60_000, what } = {}) {
  return waitFor(
    async () => {
      const head = await api.rpc.chain.getFinalizedHead();
      const header = await api.rpc.chain.getHeader(head);
      const n = header.number.toNumber();
      return n >= number ? n : false;
    },
    { ms, interval: 1_000, what: what ?? `finalized block #${number}` },
  );
}

/**
 * Resolves with the RPC error when the pool refuses `tx` (signed by `signer`, or bare when
 * `signer` is undefined); rejects if it is accepted. Never leaves the transaction watched.
 */
export async function expectPoolRejection(api, tx, { what, signer, ms = 30_000 } = {}) {
  let accepted = false;
  const onStatus = (result) => {
    if (!result.status.isFuture) accepted = true;
  };
  const attempt = signer ? tx.signAndSend(signer, onStatus) : tx.send(onStatus);
  const outcome = await withDeadline(
    attempt.then(
      (unsub) => {
        unsub();
        return { accepted: true };
      },
      (error) => ({ accepted: false, error }),
    ),
    ms,
    `the pool's answer to ${what}`,
  );
  if (outcome.accepted || accepted) throw new Error(`${what}: the pool accepted it`);
  return outcome.error;
}
