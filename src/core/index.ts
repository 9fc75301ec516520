/** The import spec: one catalogue, and the header, row and template logic every part reads from it. */
export * from "./catalogue";
export * from "./fields";
export * from "./fixes";
export * from "./headers";
export * from "./issues";
export * from "./mapping";
export type { CustomField, Group, ProgramCatalogue, ProgramConfig, ProgramUser } from "./program";
export * from "./rows";
export * from "./spec";
export * from "./template";
export * from "./text";
export {
  cachedFormatter,
  cellText,
  dateFormatter,
  isBlank,
  isIsoDate,
  quote,
  utcDateFormatter,
} from "./values";
