import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../config';
import { directorySchema, schemaProblems, type Directory, type Person } from '../domain';
import type { KeyedRegistryClient } from './keyed-registry-client';
import { problems } from './problem';

/** The people directory (`CONTRACT.md` v2.3): who each subject is, their manager and chat ids. */
export class PeopleService {
  constructor(private readonly registry: KeyedRegistryClient<Person>) {}

  async list(): Promise<{ people: Array<Person & { subject: string }> }> {
    const all = await this.registry.list();
    return {
      people: Object.keys(all)
        .sort()
        .map((subject) => ({ subject, ...all[subject] })),
    };
  }

  async get(subject: string): Promise<Person & { subject: string }> {
    const person = await this.registry.get(subject);
    if (!person) throw problems.notFound(`Nobody with subject "${subject}" is in the people directory.`);
    return { subject, ...person };
  }

  /** Creates or replaces the entry; answers whether it is new. */
  async put(subject: string, person: Person): Promise<{ created: boolean; person: Person & { subject: string } }> {
    if (person.manager === subject) {
      throw problems.validation([{ path: 'manager', message: 'a person cannot be their own manager' }]);
    }
    const created = (await this.registry.get(subject)) === null;
    await this.registry.put(subject, person);
    return { created, person: { subject, ...person } };
  }

  async delete(subject: string): Promise<void> {
    if (!(await this.registry.delete(subject))) throw problems.notFound(`Nobody with subject "${subject}" is in the people directory.`);
  }

  /** `PEOPLE_FILE` at start: every entry written (the file wins over edits to the same subjects); answers how many changed. */
  async load(file: string): Promise<number> {
    return this.registry.putAll(readPeopleFile(file));
  }
}

/** A YAML or JSON map of subject → entry; bad configuration (`PEOPLE_FILE`) naming every problem with its path. */
const fileProblem = (message: string) => new ConfigError([{ variable: 'PEOPLE_FILE', message }]);

export function readPeopleFile(file: string): Directory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw fileProblem(`cannot read "${file}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw fileProblem(`"${file}" is not YAML or JSON: ${(error as Error).message}`);
  }
  const parsed = directorySchema.safeParse(data ?? {});
  if (!parsed.success) {
    const list = schemaProblems(parsed.error).map((p) => `  ${p.path || '(root)'}: ${p.message}`);
    throw fileProblem(`"${file}" is not a people directory:\n${list.join('\n')}`);
  }
  return parsed.data;
}
