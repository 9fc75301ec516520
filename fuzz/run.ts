import { engines } from "../test/server/harness";
import { describeRequest, runCampaign } from "./campaign";

/**
 * `npm run fuzz`: generated requests, hostile and careless, across every route, on each engine (PGlite;
 * PostgreSQL too when DATABASE_URL is set). Fails on any 5xx, printing the requests that got one.
 * FUZZ_RUNS (default 10,000 per engine) and FUZZ_SEED change the campaign.
 */
async function main() {
  const runs = Number(process.env.FUZZ_RUNS ?? 10_000);
  const seed = Number(process.env.FUZZ_SEED ?? 20_261_201);
  let failed = 0;
  for (const engine of engines()) {
    const started = Date.now();
    const figures = await runCampaign(engine, { runs, seed });
    const classes = Object.entries(figures.classes)
      .sort()
      .map(([c, n]) => `${c}: ${n}`)
      .join(", ");
    console.log(
      `${engine}: ${figures.sent} requests (seed ${seed}); ${classes}; ${figures.failures.length} 5xx; ${Math.round((Date.now() - started) / 1000)} s`,
    );
    for (const f of figures.failures.slice(0, 20))
      console.log(`  ${f.status} ${f.body}\n    ${describeRequest(f.request)}`);
    failed += figures.failures.length;
  }
  process.exit(failed ? 1 : 0);
}

void main();
