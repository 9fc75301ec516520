import { EnumMember, enumeration } from "../services/enumeration";
import type { ValidationRule } from "./cell";
import type { ServiceContext } from "./context";
import { countCalls } from "./counting";

/** SpreadsheetApp.DataValidationCriteria: an enum of objects, as Apps Script's are (enumeration.ts). */
export const DataValidationCriteria = enumeration([
  "DATE_AFTER",
  "DATE_BEFORE",
  "DATE_BETWEEN",
  "DATE_EQUAL_TO",
  "DATE_IS_VALID_DATE",
  "DATE_NOT_BETWEEN",
  "DATE_ON_OR_AFTER",
  "DATE_ON_OR_BEFORE",
  "NUMBER_BETWEEN",
  "NUMBER_EQUAL_TO",
  "NUMBER_GREATER_THAN",
  "NUMBER_GREATER_THAN_OR_EQUAL_TO",
  "NUMBER_LESS_THAN",
  "NUMBER_LESS_THAN_OR_EQUAL_TO",
  "NUMBER_NOT_BETWEEN",
  "NUMBER_NOT_EQUAL_TO",
  "TEXT_CONTAINS",
  "TEXT_DOES_NOT_CONTAIN",
  "TEXT_EQUAL_TO",
  "TEXT_IS_VALID_EMAIL",
  "TEXT_IS_VALID_URL",
  "VALUE_IN_LIST",
  "VALUE_IN_RANGE",
  "CUSTOM_FORMULA",
  "CHECKBOX",
]);

/** The member for a rule's criteria name. */
function criteriaMember(name: string): EnumMember {
  return (DataValidationCriteria as Record<string, EnumMember>)[name] ?? new EnumMember(name, -1);
}

/** A built rule, as Range.getDataValidation(s) returns it. */
export class DataValidation {
  constructor(
    readonly ctx: ServiceContext,
    readonly rule: ValidationRule,
  ) {}

  getCriteriaType(): EnumMember {
    return criteriaMember(this.rule.criteria);
  }

  getCriteriaValues(): unknown[] {
    return copyValues(this.rule.values);
  }

  getAllowInvalid(): boolean {
    return this.rule.allowInvalid;
  }

  getHelpText(): string {
    return this.rule.helpText;
  }

  copy(): DataValidationBuilder {
    return new DataValidationBuilder(this.ctx, { ...this.rule, values: copyValues(this.rule.values) });
  }
}

/** SpreadsheetApp.newDataValidation(): the criteria the add-on uses (a list, a checkbox) and any by name. */
export class DataValidationBuilder {
  private criteria: string | undefined;
  private values: unknown[];
  private allowInvalid: boolean;
  private helpText: string;

  constructor(
    readonly ctx: ServiceContext,
    from?: Partial<ValidationRule>,
  ) {
    this.criteria = from?.criteria;
    this.values = from?.values ? [...from.values] : [];
    this.allowInvalid = from?.allowInvalid ?? true;
    this.helpText = from?.helpText ?? "";
  }

  requireValueInList(values: unknown[], showDropdown = true): this {
    this.criteria = "VALUE_IN_LIST";
    this.values = [[...values], showDropdown];
    return this;
  }

  requireCheckbox(...values: unknown[]): this {
    this.criteria = "CHECKBOX";
    this.values = values.slice(0, 2);
    return this;
  }

  withCriteria(criteria: string, args: unknown[]): this {
    this.criteria = String(criteria);
    this.values = [...args];
    return this;
  }

  setAllowInvalid(allowInvalid: boolean): this {
    this.allowInvalid = Boolean(allowInvalid);
    return this;
  }

  setHelpText(helpText: string): this {
    this.helpText = String(helpText ?? "");
    return this;
  }

  getCriteriaType(): EnumMember | null {
    return this.criteria === undefined ? null : criteriaMember(this.criteria);
  }

  getCriteriaValues(): unknown[] {
    return copyValues(this.values);
  }

  getAllowInvalid(): boolean {
    return this.allowInvalid;
  }

  getHelpText(): string {
    return this.helpText;
  }

  copy(): DataValidationBuilder {
    return new DataValidationBuilder(this.ctx, this.#snapshot());
  }

  build(): DataValidation {
    return new DataValidation(this.ctx, this.#snapshot());
  }

  #snapshot(): ValidationRule {
    if (!this.criteria) throw new Error("You must specify a validation criteria before building the rule.");
    return Object.freeze({
      criteria: this.criteria,
      values: Object.freeze(copyValues(this.values)),
      allowInvalid: this.allowInvalid,
      helpText: this.helpText,
    });
  }
}

/** The rule of a DataValidation given back to setDataValidation(s); null clears. */
export function ruleOf(validation: unknown): ValidationRule | undefined {
  if (validation === null || validation === undefined) return undefined;
  if (validation instanceof DataValidation) return validation.rule;
  throw new Error(
    "The parameters don't match the method signature for SpreadsheetApp.Range.setDataValidation.",
  );
}

function copyValues(values: readonly unknown[]): unknown[] {
  return values.map((v) => (Array.isArray(v) ? [...v] : v));
}

countCalls(DataValidation, "DataValidation");
countCalls(DataValidationBuilder, "DataValidationBuilder");
