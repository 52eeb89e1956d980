import type { z } from 'zod';
import type { Session } from '../domain/types.ts';

/**
 * A typed slice of `session.memo` owned by one module. Why: the session used to be a bag that every
 * module wrote to and read from; now each skill declares its key and schema once, only it reads and
 * writes that key, and a slice that no longer matches its schema (an older version, a damaged store)
 * is dropped instead of breaking the turn.
 */
export interface SessionSlice<T> {
  readonly key: string;
  read(session: Session): T | undefined;
  write(session: Session, value: T | undefined): void;
}

export function sessionSlice<T>(key: string, schema: z.ZodType<T>): SessionSlice<T> {
  return {
    key,
    read(session) {
      const raw = session.memo?.[key];
      if (raw === undefined) return undefined;
      const parsed = schema.safeParse(raw);
      if (parsed.success) return parsed.data;
      this.write(session, undefined);
      return undefined;
    },
    write(session, value) {
      if (value === undefined) {
        if (!session.memo || !(key in session.memo)) return;
        const { [key]: _drop, ...rest } = session.memo;
        session.memo = Object.keys(rest).length ? rest : undefined;
        return;
      }
      session.memo = { ...(session.memo ?? {}), [key]: value };
    },
  };
}
