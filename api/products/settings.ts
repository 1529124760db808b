import { academySettings } from './academy/config';
import { billingSettings } from './billing/config';
import { gpuLabSettings } from './gpu-lab/config';
import { panelSettings } from './panel/config';
import { paasSettings } from './paas/config';

/**
 * Each built product's settings (its api/products/<product>/config.ts), composed with the platform's
 * own by loadConfig() in core/config.ts. A new product adds its line here (and its factory in
 * index.ts); no core file changes. Kept apart from index.ts so loading configuration (the worker,
 * scripts) does not load every product's routes.
 */
export const productSettings = [
  panelSettings,
  gpuLabSettings,
  billingSettings,
  paasSettings,
  academySettings,
] as const;
