// The fault run, bounded (scripts/fault-run is the full size): 60 batches from three servers
// through two racing stations, each linked to two satellites, one station SIGKILLed every few
// seconds, satellite 0 restarted twice and the node once, 30 % packet loss and gaps between
// passes. Nothing may be lost or certified twice, both satellites certify, and every equivocation
// must be refused. e2e/lib/fault.js says what each part does.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { faultRun, formatReport } from '../lib/fault.js';

test('fault run (bounded): nothing lost, nothing certified twice, equivocations refused', async () => {
  const report = await faultRun({
    batches: 60,
    servers: 3,
    rate: 1,
    passPeriodS: 20,
    passDurationS: 14,
    killEveryS: [4, 10],
    equivocations: 3,
    drainMs: 300_000,
    seed: Number(process.env.FAULT_SEED ?? 7),
  });
  console.log(formatReport(report));
  // The faults happened: a run that injected none proves nothing.
  assert.ok(report.faults.bridgeKills >= 2, `bridge A killed ${report.faults.bridgeKills} times`);
  assert.equal(report.faults.emulatorRestarts, 2, 'emulator restarts');
  assert.equal(report.faults.nodeRestarts, 1, 'node restarts');
  assert.equal(report.submitted, 60, 'every batch landed on chain');
  assert.equal(report.lost, 0, 'lost');
  assert.equal(report.certifiedTwice, 0, 'certified twice');
  assert.ok((report.bySatellite[0] ?? 0) > 0 && (report.bySatellite[1] ?? 0) > 0, `both satellites certify: ${JSON.stringify(report.bySatellite)}`);
  assert.equal(report.certifiedForeign, 0, 'certified batches nobody submitted');
  assert.equal(report.certified + report.expired, report.submitted, 'every batch final');
  assert.equal(report.equivocations.attempted, 3, 'equivocations attempted');
  assert.equal(report.equivocations.refused, 3, `equivocations refused (${JSON.stringify(report.equivocations.reasons)})`);
  assert.equal(report.equivocations.signed, 0, 'equivocations countersigned');
});
