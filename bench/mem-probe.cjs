/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload, loaded by node --require */
// Preloaded into the bench's worker (NODE_OPTIONS=--require): on SIGUSR2 it collects garbage and
// writes process.memoryUsage() to $BENCH_MEM_DIR/mem-<pid>.json, so the bench can read heap per
// cached deal without the worker's code knowing about it.
'use strict';
const dir = process.env.BENCH_MEM_DIR;
if (dir) {
  const fs = require('node:fs');
  const path = require('node:path');
  require('node:v8').setFlagsFromString('--expose-gc');
  const gc = require('node:vm').runInNewContext('gc');
  process.on('SIGUSR2', () => {
    gc();
    gc();
    const file = path.join(dir, `mem-${process.pid}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ at: Date.now(), ...process.memoryUsage() }));
    fs.renameSync(`${file}.tmp`, file);
  });
}
