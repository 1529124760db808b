/** What nvidia-smi prints for a value it does not have. */
const MISSING =
  /^\[?(N\/A|Not Supported|Unknown Error|Insufficient Permissions|Requested functionality has been deprecated)\]?$/i;

/** A cell as a string, or null when nvidia-smi says it has no value. */
export const cell = (v: string | undefined): string | null => {
  const t = (v ?? '').trim();
  return t === '' || MISSING.test(t) ? null : t;
};

/** The number a cell starts with ("81920 MiB" → 81920), or null. */
export const num = (v: string | null | undefined): number | null => {
  const m = /^-?\d+(\.\d+)?/.exec((v ?? '').trim());
  return m ? Number(m[0]) : null;
};

export const int = (v: string | null | undefined): number | null => {
  const n = num(v);
  return n !== null && Number.isInteger(n) ? n : null;
};

/** Terminal colour and underline codes newer drivers put in `topo -m`. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');
export const stripAnsi = (s: string) => s.replace(ANSI, '');

/** nvidia-smi answered, but not in a shape we know: the message says which command and why. */
export class NvidiaSmiParseError extends Error {}
