// What a workflow evaluates when the worker creates it: no zod, no domain index (see workflows/lazy-validation.ts).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Modules a file imports for their values (type-only imports are erased and cost nothing at run time). */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause &&
          !clause.name &&
          clause.namedBindings &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return found;
}

/** Every module reachable through value imports from `entry`: our files by path, packages by name. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    for (const specifier of valueImports(file)) {
      if (!specifier.startsWith('.')) {
        seen.add(specifier);
        continue;
      }
      const base = path.resolve(path.dirname(file), specifier);
      const resolved = [`${base}.ts`, path.join(base, 'index.ts')].find(existsSync) as string;
      const key = path.relative(process.cwd(), resolved);
      if (!seen.has(key)) {
        seen.add(key);
        queue.push(resolved);
      }
    }
  }
  return seen;
}

test('creating a workflow evaluates no zod schema: only lazy-validation.ts reaches them, on first use', () => {
  const modules = reachable(path.resolve('workflows/index.ts'));
  expect(modules.has('workflows/deal-workflow.ts')).toBe(true);
  expect(modules.has('domain/decide.ts')).toBe(true);
  expect([...modules].filter((m) => m === 'zod' || m.startsWith('zod/'))).toEqual([]);
  expect([...modules].filter((m) => m.endsWith('-schema.ts') || m === 'domain/index.ts' || m === 'workflows/validation.ts')).toEqual([]);
});

test('the lazily loaded validation module does hold the schemas', () => {
  expect(reachable(path.resolve('workflows/validation.ts')).has('zod')).toBe(true);
});
