/**
 * The format check `npm test` runs (`npm run format:check`): Prettier, then scripts/check-line-length.mjs,
 * which catches the lines Prettier leaves long (strings, comments, Markdown). Here the script runs on a
 * small tree in a temp folder: a line of 141 characters fails, 140 passes, and what .prettierignore
 * leaves alone is skipped.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

const SCRIPT = join(repoRoot, 'scripts', 'check-line-length.mjs');

function checkLineLength(root: string): { readonly status: number | null; readonly output: string } {
  const run = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('the line-length check (npm run format:check)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'line-length-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  function tree(name: string, files: Record<string, string>): string {
    const root = join(scratch, name);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it('runs in npm test, after Prettier', () => {
    const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(scripts['format:check'], 'prettier --check . && node scripts/check-line-length.mjs');
    assert.match(scripts['test'] ?? '', / && npm run format:check && node scripts\/run-tests\.mjs$/);
  });

  it('passes lines of 140 characters, wherever they are', () => {
    const line = `// ${'x'.repeat(137)}\n`;
    const root = tree('at-limit', { 'src/a.ts': line, 'test/b.test.ts': line, 'scripts/c.mjs': line, 'src/d/README.md': line });
    const { status, output } = checkLineLength(root);
    assert.equal(status, 0, output);
    assert.match(output, /4 files, no line over 140 characters/);
  });

  it('fails on a line of 141, naming each file and line, in code and in Markdown alike', () => {
    const long = `'${'y'.repeat(139)}'`;
    const root = tree('over', {
      'src/a.ts': `const ok = 1;\nexport const text = ${long};\n`,
      'examples/notes.md': `# notes\n\n${'z'.repeat(141)}\n`,
      'bench/b.ts': `// ${'w'.repeat(140)}\n`,
    });
    const { status, output } = checkLineLength(root);
    assert.equal(status, 1);
    assert.match(output, /^3 lines over 140 characters/);
    assert.match(output, /src\/a\.ts:2: 162 characters/);
    assert.match(output, /examples\/notes\.md:3: 141 characters/);
    assert.match(output, /bench\/b\.ts:1: 143 characters/);
  });

  it('counts characters as people do: an accented letter or an emoji is one', () => {
    const root = tree('unicode', { 'src/a.ts': `// ${'é'.repeat(130)}${'🙂'.repeat(7)}\n` });
    assert.equal(checkLineLength(root).status, 0);
  });

  it('skips what .prettierignore leaves as it is (plain paths, anchored or not), and binary files', () => {
    const long = `${'v'.repeat(200)}\n`;
    const root = tree('ignored', {
      '.prettierignore': '# generated\nexamples/gql/\n/bench/\nsrc/generated.ts\n*.md\n',
      'examples/gql/graphql.ts': long,
      'bench/results.ts': long,
      'src/generated.ts': long,
      'src/picture.jpg': long,
      'src/README.md': long,
    });
    const { status, output } = checkLineLength(root);
    assert.equal(status, 1, 'Markdown is checked even though Prettier ignores it');
    assert.match(output, /^1 line over 140 characters/);
    assert.match(output, /src\/README\.md:1: 200 characters/);
  });
});
