/** The page's calls to the preview server: one typed function a route. */
import type { ActionResult, Block, CellWindow, PreviewState } from "../protocol";

/** A request the server refused or could not answer; the message is the server's. */
export class ApiError extends Error {
  override name = "ApiError";
}

async function request<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const json = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new ApiError(json.error ?? `${method} ${path} failed: ${response.status}`);
  return json as T;
}

export const api = {
  state: () => request<PreviewState>("GET", "/api/state"),
  cells: (sheetId: number, from: number, to: number) =>
    request<CellWindow>("GET", `/api/sheets/${sheetId}/cells?from=${from}&to=${to}`),
  setCell: (sheetId: number, row: number, column: number, input: string) =>
    request<ActionResult>("POST", `/api/sheets/${sheetId}/cell`, { row, column, input }),
  paste: (sheetId: number, row: number, column: number, text: string) =>
    request<ActionResult>("POST", `/api/sheets/${sheetId}/paste`, { row, column, text }),
  clear: (sheetId: number, block: Block) =>
    request<ActionResult>("POST", `/api/sheets/${sheetId}/clear`, block),
  select: (sheetId: number, block?: Block) =>
    request<ActionResult>("POST", `/api/sheets/${sheetId}/select`, block ?? {}),
  openCsv: (name: string, text: string, convert: boolean) =>
    request<ActionResult>("POST", "/api/csv", { name, text, convert }),
  runMenuItem: (functionName: string) => request<ActionResult>("POST", "/api/menu", { functionName }),
  closeSidebar: () => request<ActionResult>("POST", "/api/sidebar/close"),
  addSheet: () => request<ActionResult>("POST", "/api/sheets", {}),
  renameSheet: (sheetId: number, name: string) =>
    request<ActionResult>("POST", `/api/sheets/${sheetId}/name`, { name }),
  deleteSheet: (sheetId: number) => request<ActionResult>("DELETE", `/api/sheets/${sheetId}`),
};
