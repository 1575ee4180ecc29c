/** The end of a benchmark page's run: status and error into its results object, the JSON shown. */
export interface PageRunResults {
  status: 'running' | 'done' | 'failed';
  error?: string;
}

/** Runs `main`, then marks `results` done or failed and prints them into `out`. */
export function runPage(main: () => Promise<void>, results: PageRunResults, out: HTMLElement): void {
  main()
    .then(() => {
      results.status = 'done';
    })
    .catch((err: unknown) => {
      results.status = 'failed';
      results.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    })
    .finally(() => {
      out.textContent = JSON.stringify(results, null, 2);
    });
}
