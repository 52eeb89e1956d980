import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../util/project-root.ts';
import type { HttpApp } from '../../http/http-app.ts';

// Found from the project root, so the bundled server (dist/main.mjs) reads the same files as the sources.
const DIR = path.join(PROJECT_ROOT, 'src', 'channels', 'web', 'static');

const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Serves the web chat page, its assets and its icon, read once at start, with strict security headers. */
export function registerWebPage(app: HttpApp): void {
  const files: Array<[string, string, string]> = [
    ['/', 'index.html', 'text/html; charset=utf-8'],
    ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
    ['/app.css', 'app.css', 'text/css; charset=utf-8'],
    // Browsers ask for /favicon.ico on every page load: answer it instead of a 404.
    ['/favicon.svg', 'favicon.svg', 'image/svg+xml'],
    ['/favicon.ico', 'favicon.svg', 'image/svg+xml'],
  ];
  for (const [route, file, type] of files) {
    const body = readFileSync(path.join(DIR, file));
    app.route('GET', route, () => ({
      status: 200,
      headers: {
        'content-type': type,
        'content-security-policy': CSP,
        'cache-control': type.startsWith('image/') ? 'public, max-age=86400' : 'no-cache',
      },
      body,
    }));
  }
}
