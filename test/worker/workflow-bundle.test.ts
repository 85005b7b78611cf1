// The workflow bundle loads its heavy, stateless dependencies once per worker: zod and js-joda are
// preloaded into the shared context, and zod exists in one build only (a second copy would be
// evaluated again for every workflow that checks a message).
import { bundleWorkflows } from '../helpers/temporal';

let code: string;
beforeAll(async () => {
  ({ code } = await bundleWorkflows());
}, 120_000);

function preloaded(): string[] {
  const body = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1] ?? '';
  // Module ids are paths from the bundler's root: `./node_modules/…`, or wherever node_modules resolves.
  return [...body.matchAll(/"([^"]+)"\)/g)].map((m) => m[1].replace(/^.*node_modules\//, ''));
}

test('js-joda and zod are preloaded once per worker', () => {
  expect(preloaded()).toEqual([
    '@js-joda/core/dist/js-joda.esm.js',
    '@js-joda/timezone/dist/js-joda-timezone.esm.js',
    './workflows/shared-zod.ts',
  ]);
  expect(code).toMatch(
    /"\.\/workflows\/shared-zod\.ts"[\s\S]{0,800}__webpack_require__\(\/\*! zod \*\/ "[^"]*node_modules\/zod\/index\.js"\)/,
  );
});

test('the bundle holds one build of zod: its ES build, which the workflows import', () => {
  const zodModules = [...new Set([...code.matchAll(/"[^"]*node_modules\/(zod\/[^"]+)"/g)].map((m) => m[1]))];
  expect(zodModules).toContain('zod/v4/core/core.js');
  expect(zodModules.filter((id) => id.endsWith('.cjs'))).toEqual([]);
});
