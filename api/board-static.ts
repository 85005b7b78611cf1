import path from 'node:path';
import express, { type RequestHandler } from 'express';

export const WEB_DIR = path.resolve(__dirname, '..', 'web');

/** The board's own files only: no inline script or style, no other origin, no framing. */
export const BOARD_CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

/**
 * The pipeline board (`web/`) as static files at `/`; they carry no data, so they need no key: every
 * data call the page makes goes through `/v1` with the signed-in key.
 */
export function serveBoard(dir = WEB_DIR): RequestHandler {
  return express.static(dir, {
    index: 'index.html',
    dotfiles: 'ignore',
    redirect: false,
    // No build step fingerprints the file names, so the browser revalidates (ETag) on every load.
    cacheControl: false,
    setHeaders: (response) => {
      response.setHeader('cache-control', 'no-cache');
      response.setHeader('content-security-policy', BOARD_CSP);
      response.setHeader('x-content-type-options', 'nosniff');
      response.setHeader('referrer-policy', 'no-referrer');
    },
  });
}
