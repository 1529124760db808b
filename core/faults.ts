/**
 * TEST ONLY fault points. DERMAGA_FAULT (core/config.ts) is armed by the API process's entrypoint
 * (api/server.ts); nothing else arms it, so tests running the API in-process never trip it.
 * `after-commit:<name>`: the process dies at once (SIGKILL, as `kill -9` would) right after the
 * rows of a `<name>` workflow start are committed and before the workflow is started.
 */
let armed: string | undefined;

export function armFaults(fault: string | undefined): void {
  armed = fault;
}

export function faultPoint(where: 'after-commit', name: string): void {
  if (armed && armed === `${where}:${name}`) process.kill(process.pid, 'SIGKILL');
}
