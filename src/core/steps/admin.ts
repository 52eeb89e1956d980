import type { TurnStep } from '../pipeline.ts';

/** Administrators' chat commands (`/hopthu`, `/nhapsolieu`), answered by the registered admin skill. */
export const adminCommandStep: TurnStep = {
  name: 'admin',
  run({ ctx }) {
    return ctx.services.admin?.command(ctx) ?? null;
  },
};

/** "thống kê câu hỏi tuần này": aggregated usage figures, from the registered admin skill. */
export const usageReportStep: TurnStep = {
  name: 'usage',
  run({ ctx }) {
    return ctx.services.admin?.usageReport(ctx) ?? null;
  },
};
