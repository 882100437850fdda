/** Where the browser tests leave their screenshots for a person to look at: git-ignored. */
import { join } from 'node:path';
import { repoRoot } from '../../helpers/paths.js';

export const SCREENSHOTS = join(repoRoot, 'test-output', 'screenshots');
