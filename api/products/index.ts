import type { ProductName } from '../../core/config';
import { createAcademy } from './academy';
import { createGpuLab } from './gpu-lab';
import { createBilling } from './billing';
import { createPanel } from './panel';
import type { ProductFactory } from './types';

/** The products built so far; a configured mount for any other is reported and skipped. */
export const productFactories: Partial<Record<ProductName, ProductFactory>> = {
  panel: createPanel,
  'gpu-lab': createGpuLab,
  billing: createBilling,
  academy: createAcademy,
};
