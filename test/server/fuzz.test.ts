import { describeRequest, runCampaign } from "../../fuzz/campaign";
import { engines } from "./harness";

/** A slice of `npm run fuzz`: a few hundred generated requests per engine, a new seed each run. */
const RUNS = 300;

describe.each(engines())("generated hostile requests (%s)", (engine) => {
  it(`${RUNS} requests across every route: none is answered 5xx`, async () => {
    const seed = Date.now() % 1_000_000;
    const figures = await runCampaign(engine, { runs: RUNS, seed });
    expect(figures.sent).toBe(RUNS);
    // The seed and each request that got a 5xx, to replay with FUZZ_SEED.
    expect(figures.failures.map((f) => `seed ${seed}: ${f.status} ${describeRequest(f.request)}`)).toEqual(
      [],
    );
  }, 600_000);
});
