/**
 * Eligibility: poverty classification as dated rules (standards in `knowledge/standards`),
 * the guided chat check (`createEligibilityFlow`, name `elig`) and the batch checker used by
 * `src/cli/check.ts`.
 */
export { createEligibilityFlow, type EligibilityFlowOptions } from './flow.ts';
export { isStartRequest } from './intent.ts';
export { loadEligLexicon, type EligLexicon } from './lexicon.ts';
export {
  loadStandards,
  loadEntitlementMap,
  standardFor,
  legalBasisFor,
  legalBasisText,
  Standards,
  StandardsError,
} from './standards.ts';
export {
  classify,
  categoryLabel,
  CATEGORIES,
  DISCLAIMER,
  NoStandardError,
  FactsError,
  type Category,
  type Classification,
  type HouseholdFacts,
} from './classify.ts';
export { entitlementsFor, DEFAULT_STANDARDS_DIR, type Entitlement, type Extras } from './entitlements.ts';
export { checkLine, checkRecord, type BatchOutput } from './batch.ts';
export { INDICATOR_IDS, type Standard, type Indicator, type Area } from './schema.ts';
