import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;

/** In-process workers (replay, host workers) log warnings only, as the worker process does. Call before creating one. */
export function quietTemporal(): void {
  if (installed) return;
  installed = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* a runtime already exists in this process */
  }
}
