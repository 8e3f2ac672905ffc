#!/usr/bin/env node
// The full-size fault run (scripts/fault-run builds first, then runs this): batches from several
// servers certified through two racing stations, each linked to two satellites, while one is
// SIGKILLed at random points, a satellite and the node are restarted, and the links lose packets
// with gaps between passes.
// e2e/lib/fault.js says exactly what it does. Exits 0 when nothing was lost or certified twice
// and every equivocation was refused, 1 otherwise, 2 for bad flags.
//
//   node tools/fault-run.js [--batches 1000] [--servers 5] [--rate 4] [--loss 0.3]
//                           [--pass-period 40] [--pass-duration 28] [--kill-every 5,20]
//                           [--equivocations 10] [--seed N] [--json]

import { parseArgs } from 'node:util';

import { DEFAULTS, faultRun, formatReport, validate } from '../lib/fault.js';

const USAGE = 'usage: fault-run.js [--batches N] [--servers N] [--rate R] [--loss P] [--pass-period S] ' +
  '[--pass-duration S] [--kill-every MIN,MAX] [--equivocations N] [--seed N] [--json]';

function options() {
  const { values } = parseArgs({
    options: {
      batches: { type: 'string' },
      servers: { type: 'string' },
      rate: { type: 'string' },
      loss: { type: 'string' },
      'pass-period': { type: 'string' },
      'pass-duration': { type: 'string' },
      'kill-every': { type: 'string' },
      equivocations: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (flag, fallback) => {
    if (values[flag] === undefined) return fallback;
    const n = Number(values[flag]);
    if (values[flag].trim() === '' || !Number.isFinite(n)) throw new Error(`--${flag}: not a number: ${values[flag]}`);
    return n;
  };
  const killEvery = values['kill-every'] === undefined ? DEFAULTS.killEveryS : values['kill-every'].split(',').map(Number);
  if (killEvery.length !== 2 || killEvery.some((n) => !Number.isFinite(n))) throw new Error(`--kill-every: MIN,MAX seconds, got ${values['kill-every']}`);
  return {
    json: values.json,
    run: validate({
      batches: number('batches', DEFAULTS.batches),
      servers: number('servers', DEFAULTS.servers),
      rate: number('rate', DEFAULTS.rate),
      loss: number('loss', DEFAULTS.loss),
      passPeriodS: number('pass-period', DEFAULTS.passPeriodS),
      passDurationS: number('pass-duration', DEFAULTS.passDurationS),
      killEveryS: killEvery,
      equivocations: number('equivocations', DEFAULTS.equivocations),
      seed: number('seed', undefined),
    }),
  };
}

let parsed;
try {
  parsed = options();
} catch (e) {
  console.error(`fault-run: ${e.message}\n${USAGE}`);
  process.exit(2);
}
const report = await faultRun(parsed.run);
console.log(parsed.json ? JSON.stringify(report, null, 2) : formatReport(report));
const e = report.equivocations;
const ok = report.lost === 0 && report.certifiedTwice === 0 && report.certifiedForeign === 0 && e.signed === 0 && e.refused === e.attempted;
process.exit(ok ? 0 : 1);
