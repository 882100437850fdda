/**
 * The configuration table is the one list of environment variables: README.md's "Configuration"
 * table is rendered from it, and every variable the source reads by name is in it.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { currentConfigTable, renderConfigTable, spliceConfigTable } from '../../src/server/configDocs.js';
import { CONFIG_VARIABLES, HUB_VARIABLES } from '../../src/server/configVariables.js';
import { repoRoot } from '../helpers/paths.js';

test("README.md's configuration table is the one rendered from the table (npm run docs:config rewrites it)", async () => {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const expected = renderConfigTable();
  assert.equal(currentConfigTable(readme), expected, `README.md's table differs; run npm run docs:config. Expected:\n${expected}`);
});

test('the renderer replaces exactly the first table under the heading, and refuses a README without one', () => {
  const readme = ['# x', '## Configuration', '', '| a |', '| --- |', '| old |', '', 'GPU hosts: after the table.', '| other |'].join('\n');
  assert.equal(
    spliceConfigTable(readme, '| new |'),
    ['# x', '## Configuration', '', '| new |', '', 'GPU hosts: after the table.', '| other |'].join('\n'),
  );
  assert.throws(() => spliceConfigTable('# x\n## Usage\n| a |', '| new |'), /^Error: README\.md has no "## Configuration" heading$/);
  assert.throws(
    () => spliceConfigTable('## Configuration\ntext\n## Next\n| a |', '| new |'),
    /^Error: README\.md has no table under "## Configuration"$/,
  );
});

test('a cell with a | is escaped, so the row keeps its four columns', () => {
  for (const line of renderConfigTable().split('\n')) {
    assert.equal(line.replaceAll('\\|', '').split('|').length, 6, line);
  }
});

test('every environment variable src/ reads by name is in the table', async () => {
  const read = new Set<string>();
  for (const file of await sourceFiles(join(repoRoot, 'src'))) {
    const source = await readFile(file, 'utf8');
    for (const match of source.matchAll(/\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]|process\.env\.([A-Z][A-Z0-9_]*)/g))
      read.add(match[1] ?? match[2] ?? '');
  }
  // The scan must see the variables other modules read themselves, or it would prove nothing.
  for (const name of ['HF_ENDPOINT', 'HF_HUB_OFFLINE', 'XDG_CACHE_HOME']) assert.ok(read.has(name), `the scan finds ${name}`);
  const listed = new Set([...Object.keys(CONFIG_VARIABLES), ...Object.keys(HUB_VARIABLES)]);
  assert.deepEqual([...read].filter((name) => !listed.has(name)).sort(), []);
});

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name)).map((entry) => join(entry.parentPath, entry.name));
}
