import { relative, duration, untilDeadline } from './format.js';

/**
 * Relative times are elements that carry their instant; `tick` rewrites their text every second,
 * so the board needs no API call to stay current between refreshes.
 *   data-since: "12 s" since the instant; data-until: "in 3 s" / "overdue by 2 s"; data-relative: "in 3 s" / "3 s ago"
 */
/**
 * @param {ParentNode} root
 * @param {number} now
 */
export function tick(root, now) {
  for (const element of root.querySelectorAll('[data-since]')) {
    element.textContent = duration(now - Date.parse(element.getAttribute('data-since') ?? ''));
  }
  for (const element of root.querySelectorAll('[data-until]')) {
    const iso = element.getAttribute('data-until') ?? '';
    element.textContent = untilDeadline(iso, now);
    element.classList.toggle('overdue', Date.parse(iso) < now);
  }
  for (const element of root.querySelectorAll('[data-relative]')) {
    element.textContent = relative(element.getAttribute('data-relative') ?? '', now);
  }
}
