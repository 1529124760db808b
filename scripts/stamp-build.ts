/** Run by `npm run build`: stamps version, commit and build time beside the compiled code. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gitHead, packageVersion } from '../core/build-info';

const root = path.resolve(__dirname, '..');
const stamp = { version: packageVersion(), commit: gitHead(root), build_time: new Date().toISOString() };
writeFileSync(path.join(root, 'dist/build-info.json'), `${JSON.stringify(stamp, null, 2)}\n`);
console.log(`stamped dist/build-info.json: ${JSON.stringify(stamp)}`);
