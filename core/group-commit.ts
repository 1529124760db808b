/**
 * Group commit: many small requests of the same kind run as few statements. A request that finds
 * a free slot runs at once, alone (so nothing waits when the server is idle); requests arriving
 * while `slots` statements are in flight wait and go together, up to `max`, in the next one.
 * Items with the same `key` never share a statement: the later one waits for the next, so it sees
 * what the earlier one did. `run` answers one result per item, in order; an Error rejects only its
 * own item.
 */
export function groupCommit<T, R>(opts: {
  slots: number;
  max: number;
  key?: (item: T) => string | undefined;
  run: (items: T[]) => Promise<(R | Error)[]>;
}) {
  type Waiting = { item: T; resolve: (r: R) => void; reject: (e: unknown) => void };
  let queue: Waiting[] = [];
  let inFlight = 0;

  function take(): Waiting[] {
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    const keys = new Set<string>();
    for (const w of queue) {
      const k = opts.key?.(w.item);
      if (batch.length >= opts.max || (k !== undefined && keys.has(k))) rest.push(w);
      else {
        if (k !== undefined) keys.add(k);
        batch.push(w);
      }
    }
    queue = rest;
    return batch;
  }

  async function flush(batch: Waiting[]) {
    try {
      const results = await opts.run(batch.map((w) => w.item));
      batch.forEach((w, i) =>
        results[i] instanceof Error ? w.reject(results[i]) : w.resolve(results[i] as R),
      );
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  function pump() {
    while (inFlight < opts.slots && queue.length) {
      inFlight++;
      void flush(take()).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return (item: T): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      pump();
    });
}
