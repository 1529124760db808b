/**
 * Prints one plain closing line after jest's own summary, e.g. "tests: 357 passed, 0 failed, 0 skipped",
 * on stdout: the form CI readers recognise in any language (jest's "Tests: 357 passed, 357 total" is not).
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(
      `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
