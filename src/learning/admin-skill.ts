import type { AdminSkill } from '../core/context.ts';
import { adminCommand } from './admin-commands.ts';
import { usageReport } from './usage-report.ts';
import type { LearningStore } from './types.ts';

/**
 * The learning loop's face in the chat: administrators' commands and the usage report. Registered by
 * the app in `Services.admin`; the core asks it at its place in the route and knows nothing else of it.
 */
export function createAdminSkill(learning: LearningStore): AdminSkill {
  return { command: (ctx) => adminCommand(ctx, learning), usageReport: (ctx) => usageReport(ctx, learning) };
}
