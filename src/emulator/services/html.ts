import type { CallLog } from "../calls";
import { enumeration } from "./enumeration";
import { exception } from "./exception";

export type EmulatedHtmlService = Pick<
  GoogleAppsScript.HTML.HtmlService,
  "SandboxMode" | "XFrameOptionsMode" | "createHtmlOutput" | "createHtmlOutputFromFile"
>;

export type EmulatedHtmlOutput = Pick<
  GoogleAppsScript.HTML.HtmlOutput,
  | "append"
  | "clear"
  | "getContent"
  | "getHeight"
  | "getTitle"
  | "getWidth"
  | "setContent"
  | "setHeight"
  | "setSandboxMode"
  | "setTitle"
  | "setWidth"
  | "setXFrameOptionsMode"
>;

/** A page as the host shows it. */
export interface HtmlPage {
  content: string;
  title: string;
  width: number;
  height: number;
}

const pages = new WeakMap<object, HtmlPage>();

/**
 * HtmlService. `readFile("Sidebar")` gives the project's HTML file of that name (dist/addon/Sidebar.html),
 * or undefined when there is none. Calls are counted under `HtmlService`.
 */
export function createHtmlService(
  calls: CallLog,
  readFile: (name: string) => string | undefined,
): EmulatedHtmlService {
  const record = (method: string) => calls.record("HtmlService", method);
  return {
    SandboxMode: enumeration([
      "EMULATED",
      "IFRAME",
      "NATIVE",
    ]) as unknown as typeof GoogleAppsScript.HTML.SandboxMode,
    XFrameOptionsMode: enumeration([
      "ALLOWALL",
      "DEFAULT",
    ]) as unknown as typeof GoogleAppsScript.HTML.XFrameOptionsMode,

    createHtmlOutput(html?: unknown) {
      record("createHtmlOutput");
      return full(createHtmlOutput(record, html === undefined ? "" : String(html)));
    },

    createHtmlOutputFromFile(filename: string) {
      record("createHtmlOutputFromFile");
      // Apps Script takes the name with or without its .html.
      const name = String(filename).replace(/\.html$/, "");
      const content = readFile(name);
      if (content === undefined) throw exception(`No HTML file named ${name} was found.`);
      return full(createHtmlOutput(record, content));
    },
  };
}

/** What a page holds, read without counting calls; for an HtmlOutput made elsewhere, through its getters. */
export function readHtmlOutput(
  output: Pick<GoogleAppsScript.HTML.HtmlOutput, "getContent" | "getTitle">,
): HtmlPage {
  const page = pages.get(output);
  if (page) return { ...page };
  return { content: output.getContent(), title: output.getTitle(), width: 0, height: 0 };
}

// A dialog's size when the add-on sets none (Google documents no default); a sidebar is 300 px wide whatever is set.
const DEFAULT_WIDTH = 600;
const DEFAULT_HEIGHT = 400;

function createHtmlOutput(record: (method: string) => void, content: string): EmulatedHtmlOutput {
  const page: HtmlPage = { content, title: "", width: DEFAULT_WIDTH, height: DEFAULT_HEIGHT };
  const output: EmulatedHtmlOutput = {
    append(added: string) {
      record("HtmlOutput.append");
      page.content += String(added);
      return self;
    },
    clear() {
      record("HtmlOutput.clear");
      page.content = "";
      return self;
    },
    getContent() {
      record("HtmlOutput.getContent");
      return page.content;
    },
    getHeight() {
      record("HtmlOutput.getHeight");
      return page.height;
    },
    getTitle() {
      record("HtmlOutput.getTitle");
      return page.title;
    },
    getWidth() {
      record("HtmlOutput.getWidth");
      return page.width;
    },
    setContent(value: string) {
      record("HtmlOutput.setContent");
      page.content = String(value);
      return self;
    },
    setHeight(value: number) {
      record("HtmlOutput.setHeight");
      page.height = Number(value);
      return self;
    },
    // Apps Script serves every page in IFRAME mode now, whatever is asked for.
    setSandboxMode() {
      record("HtmlOutput.setSandboxMode");
      return self;
    },
    setTitle(value: string) {
      record("HtmlOutput.setTitle");
      page.title = String(value);
      return self;
    },
    setWidth(value: number) {
      record("HtmlOutput.setWidth");
      page.width = Number(value);
      return self;
    },
    setXFrameOptionsMode() {
      record("HtmlOutput.setXFrameOptionsMode");
      return self;
    },
  };
  const self = full(output);
  pages.set(output, page);
  return output;
}

/** Google's types return their whole HtmlOutput; the emulator's is the part it gives. */
function full(output: EmulatedHtmlOutput): GoogleAppsScript.HTML.HtmlOutput {
  return output as GoogleAppsScript.HTML.HtmlOutput;
}
