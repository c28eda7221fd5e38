// Resolves on the first Ctrl-C (SIGINT) or SIGTERM, for the commands that run until stopped (serve, web, start).

/**
 * Installs the handlers at once, so call it before printing the line that says the command is ready:
 * whoever reads that line may stop the process straight away. Both handlers go once either fires.
 */
export function untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
