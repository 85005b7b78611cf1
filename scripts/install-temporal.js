#!/usr/bin/env node
// `npm ci` runs this: puts the pinned Temporal dev server and time-skipping test server on disk.
'use strict';
const { cliPath, testServerPath } = require('./temporal-binaries');

if (process.env.TEMPORAL_SKIP_BINARIES === '1') {
  console.log('[temporal] TEMPORAL_SKIP_BINARIES=1: not installing the Temporal binaries');
  process.exit(0);
}
const log = (line) => console.log(`[temporal] ${line}`);
try {
  log(`dev server: ${cliPath({ install: true, log })}`);
  log(`test server: ${testServerPath({ install: true, log })}`);
} catch (error) {
  console.error(`[temporal] ${error.message}`);
  process.exit(1);
}
