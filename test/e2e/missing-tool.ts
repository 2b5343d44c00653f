/**
 * Inside a describe whose tool is missing: one loud skip, or with LEDGER_REQUIRE_SERVICES=1 (CI) a
 * failing test, so a suite never passes by not running.
 */
export const reportMissingTool = (tool: string, message: string): void => {
  if (process.env.LEDGER_REQUIRE_SERVICES === '1')
    it(`requires ${tool} (LEDGER_REQUIRE_SERVICES=1)`, () => {
      throw new Error(message);
    });
  else {
    process.stderr.write(`[ledger] skipping: ${message}\n`);
    it.skip(message, () => undefined);
  }
};
