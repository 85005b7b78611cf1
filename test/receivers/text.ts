import { isRecord } from './json';

/** Small text helpers the receivers share: sizes, links and a readable first line. */

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

const URL_PATTERN = /https?:\/\/[^\s)<>|"'\]]+/;

/** The first http(s) URL in a text: a markdown link's target, a Slack `<url|text>`, or a bare one. */
export function firstUrlIn(text: string): string | undefined {
  return URL_PATTERN.exec(text)?.[0];
}

/** The first http(s) URL among values, depth first in key order. */
export function firstUrl(...values: unknown[]): string | undefined {
  for (const value of values) {
    if (typeof value === 'string') {
      const found = firstUrlIn(value);
      if (found) return found;
    } else if (Array.isArray(value) || isRecord(value)) {
      const found = firstUrl(...(Array.isArray(value) ? value : Object.values(value)));
      if (found) return found;
    }
  }
  return undefined;
}

/** The first non-blank line, without markdown's heading, emphasis and quote marks or HTML-like tags. */
export function titleLine(text: string): string | undefined {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '');
  if (line === undefined) return undefined;
  const plain = line
    .replace(/<[^>]*>/g, '')
    .replace(/^[#>\s]+/, '')
    .replace(/[*_~`]/g, '')
    .trim();
  return plain || undefined;
}

/** Every match of a pattern's first group, in order, without repeats. */
export function capturesOf(pattern: RegExp, text: string): string[] {
  const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
  const found = [...text.matchAll(new RegExp(pattern.source, flags))].map((match) => match[1]).filter((id): id is string => !!id);
  return [...new Set(found)];
}
