import { DefaultLogger, Runtime } from '@temporalio/worker';

// In-process workers (replay, host workers) log through the SDK's runtime: warnings only, as the worker process does.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  /* already installed in this jest worker process */
}
