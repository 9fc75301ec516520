import type { Browser } from "playwright-core";
import { startTestService, type TestService } from "../server/harness";
import { describeInChromium, launchChromium } from "./previewPage";

describeInChromium("the API's page, /docs, in Chromium", () => {
  let s: TestService;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    s = await startTestService("pglite", { limits: {} });
    url = await s.app.listen({ port: 0, host: "127.0.0.1" });
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  }, 30_000);

  it("shows every operation under the service's security headers, nothing refused by its content policy", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
    });
    page.on("pageerror", (error) => problems.push(String(error)));
    const answer = await page.goto(`${url}/docs`);
    expect(answer?.headers()["content-security-policy"]).toContain("default-src 'self'");
    await page.locator(".swagger-ui .info .title").getByText("Channel Importer").waitFor();
    await page.locator(".opblock").first().waitFor();
    const operations = await page.locator(".opblock").count();
    expect(operations).toBe(Object.values((await s.app.swagger()).paths ?? {}).flatMap(Object.keys).length);
    expect(problems).toEqual([]);
  }, 60_000);
});
