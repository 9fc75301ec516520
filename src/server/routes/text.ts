import { z } from "zod";
import { STORABLE_TEXT, textFault } from "../../core";

/** A string the database can store: one with a NUL or a broken character is the caller's mistake (400). */
export const text = () =>
  z.string().refine((value) => textFault(value) === null, { error: `Expected ${STORABLE_TEXT}` });
