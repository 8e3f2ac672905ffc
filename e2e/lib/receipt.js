// The receipt verifier in JS is the console's own (satellite-bridge/console/receipt.js, written
// from docs/receipts.md): the tests check it against the Rust verifier on the vector file and on
// the node's receipts, and against @polkadot's xxhash for its storage-key constants.
export * from '../../satellite-bridge/console/receipt.js';
