/**
 * Removes a PostgreSQL connection string and its password from any text before it is logged or shown. Why:
 * driver errors, stack traces and operator typos can carry `DATABASE_URL`, and a password in a log file is a
 * leak. Every connection URL (`postgres://user:pass@host/db`) is reduced to `postgres://user:***@host/db`, the
 * configured URL and its password are removed wherever they appear (also URL-decoded), and `password=…`
 * key/value pairs are blanked.
 */
export function redactDatabaseUrl(text: string, url?: string): string {
  let out = text;
  if (url) {
    const secrets = new Set<string>();
    secrets.add(url);
    try {
      const u = new URL(url);
      if (u.password) {
        secrets.add(u.password);
        try {
          secrets.add(decodeURIComponent(u.password));
        } catch {
          // not decodable: the raw form is removed
        }
      }
    } catch {
      // not a URL: only the whole string is removed
    }
    for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
      if (s.length >= 3) out = out.split(s).join(s === url ? redactedForm(url) : '***');
    }
  }
  return out
    .replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@')
    .replace(/(password\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi, '$1***');
}

/** The URL as it may be shown: scheme, user, host, port and database, never the password. */
export function describeDatabaseUrl(url: string): string {
  return redactedForm(url);
}

function redactedForm(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}${u.password ? ':***' : ''}@` : '';
    return `${u.protocol}//${user}${u.host}${u.pathname}`;
  } catch {
    return 'postgres://***';
  }
}
