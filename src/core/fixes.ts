/**
 * Common forms of a value and their canonical form: what `Fix N cells` writes into a sheet and what a
 * CSV upload with `normalise=true` reads. A fixer never changes a canonical value, its result is
 * canonical (fixing it again changes nothing), and the result passes the field's check.
 */
import type { FieldDef } from "./fields";

export interface FixOptions {
  /** Slash dates read day first (`18/03/2026`), as the spreadsheet's locale writes them; else month first. */
  dayFirst?: boolean;
}

/** A cell's canonical value, and how the fix is said ("read as 2026-03-18"). */
export interface ProposedFix {
  to: string | number | boolean;
  /** The end of a sentence that starts with the field and the cell's value quoted. */
  says: string;
}

/** Proposes a fix for one non-blank cell; undefined when the cell is canonical or not a known form. */
export type Fixer = (raw: unknown) => ProposedFix | undefined;

/** The fixer of a field's cells, or null for a field without known variants (text, keys). */
export function fixerFor(_field: FieldDef, _options: FixOptions = {}): Fixer | null {
  return null;
}

/** Whether a spreadsheet locale (`en_US`, `en_GB`, `de_DE`) writes slash dates day first. */
export function dayFirstLocale(locale: string | null | undefined): boolean {
  if (!locale) return false;
  return !/^(en_US|en_PH|en_CA|es_US|fil|en_BZ|en_FM|en_MH|en_PW|en_AS|en_GU|en_MP|en_PR|en_UM|en_VI)\b/.test(
    locale,
  );
}
