/**
 * Dates to text in the spreadsheet's time zone through Apps Script's own formatter: the add-on never
 * relies on `Intl` time-zone data, which Apps Script's V8 is not documented to carry.
 * https://developers.google.com/apps-script/reference/utilities/utilities#formatDate(Date,String,String)
 */
import { cachedFormatter, type DateFormatter } from "../core/values";

export function sheetDateFormatter(timeZone: string): DateFormatter {
  return cachedFormatter((date) => Utilities.formatDate(date, timeZone, "yyyy-MM-dd"));
}
