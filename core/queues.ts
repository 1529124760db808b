// Task queue names, in a module with no imports so workflow code can use them too.

export const CONTROL_QUEUE = 'dermaga-control';
/** The queue a host's worker polls for work on that machine. */
export const hostQueue = (hostId: string) => `dermaga-host-${hostId}`;
