/**
 * What `Import` asks the person to confirm before any row is sent: the sheet as it reads now and, when
 * the last dry run was of these same rows with the same options, what that dry run found. "The same
 * rows" is the fingerprint the import itself uses to notice rows that changed (importPlan).
 */
import { OBJECT_LABELS } from "../core/catalogue";
import type { DryRunFigures, ImportChoice, ImportReview } from "./contract";
import { planSheetImport, type SheetImportPlan } from "./importPlan";
import { type ImportState, lastImportState, refuseWhileUnfinished } from "./importRun";

export function reviewSheetImport(input: ImportChoice): ImportReview {
  refuseWhileUnfinished();
  const plan = planSheetImport(input);
  const { choice } = plan;
  return {
    choice,
    label: OBJECT_LABELS[choice.object],
    sheetId: plan.sheetId,
    sheetName: plan.sheetName,
    rows: plan.chunks.reduce((sum, c) => sum + c.rows, 0),
    groupName: choice.groupKey === null ? null : (plan.groupNames.get(choice.groupKey) ?? choice.groupKey),
    fingerprint: plan.fingerprint,
    dryRun: matchingDryRun(lastImportState(), plan),
  };
}

/**
 * The dry run's figures when it finished over exactly these rows with the options that change its
 * outcome (object, group, repeats, mode); invite emails change nothing a dry run counts.
 */
function matchingDryRun(last: ImportState | null, plan: SheetImportPlan): DryRunFigures | null {
  if (!last?.dryRun || last.status !== "completed" || !last.choice || !last.finishedAt) return null;
  const same =
    last.sheetId === plan.sheetId &&
    last.fingerprint === plan.fingerprint &&
    last.choice.object === plan.choice.object &&
    last.choice.groupKey === plan.choice.groupKey &&
    last.choice.allowRepeats === plan.choice.allowRepeats &&
    (last.choice.mode ?? "create_and_update") === (plan.choice.mode ?? "create_and_update");
  if (!same) return null;
  return {
    importId: last.importId,
    finishedAt: last.finishedAt,
    counts: { ...last.counts, repeats: last.counts.repeats ?? 0 },
    issuedUsdCents: last.issuedUsdCents,
    changeCounts: last.changeCounts ?? [],
  };
}
