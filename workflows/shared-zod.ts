// Loaded once per worker, before any workflow (`preloadModules` in worker/workflow-bundle.ts), so
// zod's modules are evaluated in the shared context and every workflow's schemas use that one copy.
import * as zod from 'zod';

// zod sets its defaults on the first schema it builds, and learns whether it may compile parsers
// on the first object it parses. By then the SDK has deep-frozen the shared modules (zod's config
// and that cached answer with them), so all three are settled here, while loading.
zod.config(zod.locales.en());
zod.config({ memoizer: zod.core.memoizer() });
void zod.core.util.allowsEval.value;

/** Reading the namespace keeps webpack from dropping the import: zod is marked free of side effects. */
export const ZOD_EXPORT_COUNT = Object.keys(zod).length;
