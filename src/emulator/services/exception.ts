/**
 * Apps Script's error: named `Exception`, so `String(error)` reads `Exception: <message>` as the
 * execution log shows it, while `error.message` is the bare message. The membrane re-makes it in the
 * add-on's realm as it crosses.
 */
export function exception(message: string): Error {
  const error = new Error(message);
  error.name = "Exception";
  return error;
}
