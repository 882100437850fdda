/**
 * The Dockerfile, checked without a Docker engine. The build stage's instructions are replayed here
 * with the very scripts the Dockerfile RUNs: the context is the working tree (tracked and untracked,
 * not git-ignored, as a fresh clone would hold) filtered by .dockerignore; WORKDIR, ARG, COPY and RUN
 * act on temp folders standing in for /app and /runtime. The runtime stage's COPY --from gives the
 * runtime folder, which must hold production packages only and the native binaries; its CMD is started
 * there with its ENV (MODEL_DIR: the tiny synthetic model), its HEALTHCHECK command runs until it
 * passes, one GraphQL query is answered, and SIGTERM ends the server with exit code 0.
 *
 * Slow by nature: `npm ci` (from the npm cache) of ~900 MB of packages, tsc, the GraphiQL bundle and
 * `npm prune` take 1.5 to 2.5 minutes on 2 cores. The static checks of both Dockerfiles take
 * milliseconds.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { after, describe, test } from 'node:test';
import { patternPng } from '../helpers/images.js';
import { tinyModelDir } from '../helpers/models.js';
import { repoRoot } from '../helpers/paths.js';
import { freePort } from '../helpers/ports.js';

// ---------------------------------------------------------------------------------------------
// A small Dockerfile reader: enough for our files (exec-form JSON and shell-form arguments,
// line continuations, comments, parser directives), not a general implementation.

interface Instruction {
  readonly keyword: string;
  /** Everything after the keyword, continuations joined. */
  readonly args: string;
}

interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

interface Dockerfile {
  /** ARGs before the first FROM (usable in FROM lines). */
  readonly globalArgs: Record<string, string>;
  readonly stages: Stage[];
}

function parseDockerfile(text: string): Dockerfile {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    // Comments (and parser directives such as `# syntax=`) are whole lines; inside a continued
    // instruction they are skipped, as Docker does.
    if (/^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full) lines.push(full);
  }
  assert.equal(pending, '', 'the Dockerfile ends inside a continued line');
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const match = /^(\w+)\s+([\s\S]*)$/.exec(line);
    assert.ok(match, `cannot read the instruction ${JSON.stringify(line)}`);
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    if (keyword === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      assert.ok(from, `cannot read FROM ${args}`);
      stages.push({ from: expandArgs(from[1]!, globalArgs), name: from[2], instructions: [] });
    } else if (stages.length === 0) {
      assert.equal(keyword, 'ARG', `only ARG may come before the first FROM; got ${keyword}`);
      Object.assign(globalArgs, keyValues(args));
    } else {
      stages.at(-1)!.instructions.push({ keyword, args });
    }
  }
  return { globalArgs, stages };
}

/** `A=1 B="two words"` (ENV, ARG) as a record; `ARG NAME` without a default gives ''. */
function keyValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of args.matchAll(/(\w+)(?:=("[^"]*"|\S*))?/g)) {
    out[match[1]!] = (match[2] ?? '').replace(/^"(.*)"$/, '$1');
  }
  return out;
}

function expandArgs(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args[(a ?? b)!] ?? '');
}

/** `CMD ["node", "x"]` (exec form) as argv; shell form is refused, since it needs /bin/sh -c. */
function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  assert.ok(Array.isArray(parsed) && parsed.every((part) => typeof part === 'string'), `not exec form: ${args}`);
  return parsed as string[];
}

/** Leading `--flag=value` options of an instruction, and the rest. */
function options(args: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args;
  for (let match = /^--([\w-]+)(?:=(\S*))?\s+/.exec(rest); match; match = /^--([\w-]+)(?:=(\S*))?\s+/.exec(rest)) {
    flags[match[1]!] = match[2] ?? '';
    rest = rest.slice(match[0].length);
  }
  return { flags, rest };
}

function only(stage: Stage, keyword: string): Instruction {
  const found = stage.instructions.filter((instruction) => instruction.keyword === keyword);
  assert.equal(found.length, 1, `stage ${stage.name ?? stage.from}: exactly one ${keyword}`);
  return found[0]!;
}

function stageEnv(stage: Stage): Record<string, string> {
  return Object.assign({}, ...stage.instructions.filter((i) => i.keyword === 'ENV').map((i) => keyValues(i.args))) as Record<
    string,
    string
  >;
}

// ---------------------------------------------------------------------------------------------
// .dockerignore, as Docker reads it: last matching rule wins, `!` re-includes, a rule that matches a
// folder excludes everything under it, `*` and `?` stay within one path segment, `**` spans any.

function dockerignoreFilter(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const pattern = posix.normalize((negate ? line.slice(1) : line).trim()).replace(/^\/+|\/+$/g, '');
      const source = pattern
        .split(/(\*\*\/?|\*|\?)/)
        .map((part) =>
          part === '**' || part === '**/'
            ? '(?:.*/)?'
            : part === '*'
              ? '[^/]*'
              : part === '?'
                ? '[^/]'
                : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
        )
        .join('');
      // `**` alone (or at the end) matches everything below.
      return { negate, regex: new RegExp(`^${source.replace(/\(\?:\.\*\/\)\?$/, '.*')}$`) };
    });
  return (path: string) => {
    const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    let included = true;
    for (const rule of rules) {
      if (prefixes.some((prefix) => rule.regex.test(prefix))) included = rule.negate;
    }
    return included;
  };
}

// ---------------------------------------------------------------------------------------------

const dockerfile = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const cudaDockerfile = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile.cuda'), 'utf8'));

/** `node:22-bookworm-slim`, `node:24-slim`, …: an official slim Node image of an even (LTS) major ≥ 22. */
function isSlimLtsNode(image: string): boolean {
  const match = /^node:(\d+)(?:\.[\d.]+)?-(?:[a-z]+-)?slim$/.exec(image);
  return match !== null && Number(match[1]) >= 22 && Number(match[1]) % 2 === 0;
}

function assertRuntimeStage(runtime: Stage, label: string): void {
  const user = only(runtime, 'USER').args.split(':')[0]!;
  assert.ok(!['root', '0', ''].includes(user), `${label}: USER must not be root; got ${user}`);
  assert.deepEqual(
    only(runtime, 'VOLUME')
      .args.replace(/[[\]"]/g, '')
      .trim(),
    '/models',
    `${label}: VOLUME /models`,
  );
  assert.equal(only(runtime, 'EXPOSE').args, '4000');
  const env = stageEnv(runtime);
  assert.deepEqual(
    { NODE_ENV: env['NODE_ENV'], MODEL_DIR: env['MODEL_DIR'], PORT: env['PORT'], HOST: env['HOST'] },
    { NODE_ENV: 'production', MODEL_DIR: '/models', PORT: '4000', HOST: '0.0.0.0' },
    `${label}: runtime ENV`,
  );
  const health = options(only(runtime, 'HEALTHCHECK').args);
  assert.match(health.rest, /^CMD\s+\[/, `${label}: HEALTHCHECK CMD in exec form`);
  assert.deepEqual(
    execForm(health.rest.replace(/^CMD\s+/, '')),
    ['node', '/app/healthcheck.mjs'],
    `${label}: HEALTHCHECK runs the script with Node`,
  );
  assert.ok(
    Number.parseInt(health.flags['timeout'] ?? '30', 10) >= 5,
    `${label}: the check's own 4 s fetch timeout fits in HEALTHCHECK --timeout`,
  );
  assert.deepEqual(execForm(only(runtime, 'CMD').args), ['node', 'dist/src/cli/main.js', 'serve'], `${label}: CMD serve`);
  assert.equal(only(runtime, 'WORKDIR').args, '/app');
  // Everything of the app comes from the build stage's runtime layout, nothing from the context.
  const copies = runtime.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
  const appCopies = copies.filter((i) => options(i.args).flags['from'] === 'build');
  assert.deepEqual(
    appCopies.map((i) => options(i.args).rest),
    ['/runtime/ /app/'],
    `${label}: the app is the runtime layout`,
  );
  for (const copy of copies)
    assert.ok(options(copy.args).flags['from'], `${label}: the runtime stage copies nothing from the context (${copy.args})`);
  // The one RUN prepares the user and the model folder; it touches nothing of the app.
  for (const run of runtime.instructions.filter((i) => i.keyword === 'RUN')) {
    assert.doesNotMatch(run.args, /\/app|npm/, `${label}: runtime RUN leaves the app alone: ${run.args}`);
  }
}

/** The build stage without comments, and without the ORT_INSTALL default (the one intended difference). */
function buildSteps(file: Dockerfile): string[] {
  return file.stages[0]!.instructions.filter((i) => !(i.keyword === 'ARG' && i.args.startsWith('ORT_INSTALL='))).map(
    (i) => `${i.keyword} ${i.args}`,
  );
}

describe('Dockerfile (static)', () => {
  test('two stages on node:22+ slim, non-root, /models volume, /readyz health check, serve', () => {
    assert.equal(dockerfile.stages.length, 2, 'a build and a runtime stage');
    const [build, runtime] = dockerfile.stages as [Stage, Stage];
    assert.equal(build.name, 'build');
    assert.ok(isSlimLtsNode(build.from), `build FROM ${build.from}`);
    assert.ok(isSlimLtsNode(runtime.from), `runtime FROM ${runtime.from}`);
    assertRuntimeStage(runtime, 'Dockerfile');
    assert.ok(!stageEnv(build)['NODE_ENV'], 'no NODE_ENV in the build stage: npm ci would skip the dev dependencies the build needs');
    assert.deepEqual(keyValues(build.instructions.find((i) => i.keyword === 'ARG')!.args), { ORT_INSTALL: 'skip' });
    // The healthcheck script asks /readyz.
    assert.match(readFileSync(join(repoRoot, 'scripts', 'docker', 'healthcheck.mjs'), 'utf8'), /\/readyz/);
  });

  test('Dockerfile.cuda: the same build stage with ORT_INSTALL=cuda12, a CUDA + cuDNN runtime, DEVICE=cuda', () => {
    const build = cudaDockerfile.stages[0]!;
    assert.deepEqual(buildSteps(cudaDockerfile), buildSteps(dockerfile), 'the build stages differ only in ORT_INSTALL');
    assert.deepEqual(keyValues(build.instructions.find((i) => i.keyword === 'ARG')!.args), { ORT_INSTALL: 'cuda12' });
    const runtime = cudaDockerfile.stages.at(-1)!;
    assert.match(runtime.from, /^nvidia\/cuda:12\.[\d.]+-cudnn-runtime-ubuntu[\d.]+$/, `CUDA runtime FROM ${runtime.from}`);
    assertRuntimeStage(runtime, 'Dockerfile.cuda');
    assert.equal(stageEnv(runtime)['DEVICE'], 'cuda');
    const nodeCopy = runtime.instructions.find((i) => i.keyword === 'COPY' && /\/usr\/local\/bin\/node/.test(i.args));
    assert.ok(nodeCopy, 'Node comes from the official image');
    const nodeStage = cudaDockerfile.stages.find((stage) => stage.name === options(nodeCopy.args).flags['from']);
    assert.ok(nodeStage && isSlimLtsNode(nodeStage.from), 'the same Node as the CPU image');
  });

  test('.dockerignore keeps installs, build output, local models and VCS out, and the build inputs in', () => {
    const included = dockerignoreFilter(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));
    for (const path of [
      'node_modules/x/index.js',
      'dist/src/index.js',
      '.cache/models/a/config.json',
      '.git/HEAD',
      'models/a.onnx',
      '.scratch-1/x',
      'bench/results/latest.json',
      'test/x.test.ts',
      'server.log',
      'a/b/server.log',
    ]) {
      assert.equal(included(path), false, `${path} stays out of the context`);
    }
    for (const path of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'schema.graphql',
      'src/index.ts',
      'src/graphiql/main.jsx',
      'scripts/build-graphiql.mjs',
      'scripts/docker/build.sh',
    ]) {
      assert.equal(included(path), true, `${path} is in the context`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The replay.

const scratch = mkdtempSync(join(tmpdir(), 'florence-docker-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The environment of a fresh container: no npm_* of an outer `npm test`, no NODE_ENV, no test-runner state. */
function containerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const kept =
    /^(HOME|USER|TMPDIR|LANG|LC_ALL|SSL_CERT_FILE|NODE_EXTRA_CA_CERTS|(https?|no|all)_proxy|npm_config_(cache|registry|userconfig))$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (kept.test(key)) env[key] = value;
  // PATH without an outer npm's node_modules/.bin folders: the build must find its own tools.
  env['PATH'] = (process.env['PATH'] ?? '')
    .split(':')
    .filter((dir) => !dir.includes('node_modules/.bin'))
    .join(':');
  return { ...env, ...extra };
}

function run(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The working tree as a fresh clone holds it: tracked and untracked files that git does not ignore. */
function gitFiles(): string[] | undefined {
  const listed = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' });
  if (listed.status !== 0) return undefined;
  // Deleted-but-tracked files are listed too; a clone would not have them.
  return listed.stdout.split('\0').filter((path) => path && existsSync(join(repoRoot, path)));
}

const files = gitFiles();

describe(
  'Dockerfile (replayed outside Docker)',
  { skip: files ? false : 'not a git checkout: cannot tell which files a clone holds' },
  () => {
    const app = join(scratch, 'build-app');
    const runtimeLayout = join(scratch, 'runtime');
    const runtimeApp = join(scratch, 'runtime-app');
    const context = (files ?? []).filter(dockerignoreFilter(readFileSync(join(repoRoot, '.dockerignore'), 'utf8')));

    test(
      "the build stage: install, build, prune and lay out the runtime with the Dockerfile's scripts",
      { timeout: 10 * 60_000 },
      async () => {
        const [build] = dockerfile.stages as [Stage, Stage];
        // Container paths of the build stage → temp folders.
        const paths: Record<string, string> = { '/app': app, '/runtime': runtimeLayout };
        const toHost = (path: string) => {
          const root = Object.keys(paths).find((p) => path === p || path.startsWith(`${p}/`));
          assert.ok(root, `no stand-in for the container path ${path}`);
          return paths[root]! + path.slice(root.length);
        };
        let cwd: string | undefined;
        const vars: Record<string, string> = {};
        const log: string[] = [];
        for (const { keyword, args } of build.instructions) {
          if (keyword === 'WORKDIR') {
            cwd = toHost(args);
            mkdirSync(cwd, { recursive: true });
          } else if (keyword === 'ARG' || keyword === 'ENV') {
            Object.assign(vars, keyValues(args));
          } else if (keyword === 'COPY') {
            assert.ok(cwd, 'WORKDIR before COPY');
            const { flags, rest } = options(args);
            assert.deepEqual(flags, {}, `COPY from the context only: ${args}`);
            const parts = rest.split(/\s+/);
            const dest = parts.pop()!;
            assert.ok(dest.endsWith('/') || parts.length === 1, `COPY of several sources needs a folder: ${args}`);
            const target = dest.startsWith('/') ? toHost(dest) : join(cwd, dest);
            for (const source of parts) {
              const src = posix.normalize(source).replace(/\/$/, '');
              const picked = src === '.' ? context : context.filter((path) => path === src || path.startsWith(`${src}/`));
              assert.ok(picked.length > 0, `COPY ${source}: not in the build context (check .dockerignore)`);
              for (const path of picked) {
                // A folder's contents land in the destination; a file lands in it (or is it).
                const relative = src === '.' ? path : path === src ? basename(path) : path.slice(src.length + 1);
                const out = dest.endsWith('/') || src === '.' || path !== src ? join(target, relative) : target;
                mkdirSync(dirname(out), { recursive: true });
                cpSync(join(repoRoot, path), out);
              }
            }
          } else if (keyword === 'RUN') {
            assert.ok(cwd, 'WORKDIR before RUN');
            const { rest } = options(args); // --mount=type=cache is a speed-up only
            const command = rest.replace(/(^|\s)(\/[\w./-]+)/g, (match, space: string, path: string) =>
              Object.keys(paths).some((p) => path === p || path.startsWith(`${p}/`)) ? space + toHost(path) : match,
            );
            const started = performance.now();
            const result = await run(['sh', '-c', command], cwd, containerEnv(vars));
            log.push(`RUN ${rest}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
            assert.equal(result.code, 0, `RUN ${rest} failed:\n${result.output.slice(-4000)}`);
          } else {
            assert.fail(`the replay does not know ${keyword} (build stage); teach it or keep the stage simple`);
          }
        }
        console.log(log.join('\n'));
        assert.ok(existsSync(join(app, 'dist', 'graphiql', 'index.html')), 'GraphiQL was bundled at build time');
      },
    );

    test('the runtime stage holds the server, production packages only, and the native binaries', async (t) => {
      if (!existsSync(runtimeLayout)) return t.skip('the build stage did not finish');
      const runtime = dockerfile.stages[1]!;
      // COPY --from=build /runtime/ /app/: the layout, as is (a rename is the cheapest copy).
      assert.deepEqual(
        runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args),
        ['--from=build /runtime/ /app/'],
      );
      renameSync(runtimeLayout, runtimeApp);

      assert.deepEqual(readdirSync(runtimeApp).sort(), ['dist', 'healthcheck.mjs', 'node_modules', 'package.json', 'schema.graphql']);
      assert.deepEqual(readdirSync(join(runtimeApp, 'dist')).sort(), ['graphiql', 'src']);
      const modules = join(runtimeApp, 'node_modules');
      // No dev-only package of the lockfile (typescript, graphiql, react, esbuild, @huggingface/transformers, …).
      const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { dev?: boolean; optional?: boolean }>;
      };
      const devOnly = Object.entries(lock.packages)
        .filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev)
        .map(([path]) => path);
      assert.ok(
        devOnly.includes('node_modules/typescript') && devOnly.includes('node_modules/@huggingface/transformers'),
        'the lockfile marks dev packages',
      );
      const leftovers = devOnly.filter((path) => existsSync(join(runtimeApp, path)));
      assert.deepEqual(leftovers, [], 'dev-only packages in the runtime image');
      for (const name of [
        'typescript',
        'graphiql',
        'react',
        'esbuild',
        'monaco-editor',
        'playwright-core',
        '@huggingface/transformers',
        'onnxruntime-web',
      ]) {
        assert.ok(!existsSync(join(modules, name)), `${name} is not in the runtime image`);
      }
      // Every production dependency is.
      const pkg = JSON.parse(readFileSync(join(runtimeApp, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      for (const name of Object.keys(pkg.dependencies))
        assert.ok(existsSync(join(modules, name, 'package.json')), `${name} is in the runtime image`);
      // Native binaries: onnxruntime-node's for this platform only; sharp's prebuilt package.
      const ortBin = join(modules, 'onnxruntime-node', 'bin', 'napi-v6');
      assert.deepEqual(readdirSync(ortBin), [process.platform]);
      assert.deepEqual(readdirSync(join(ortBin, process.platform)), [process.arch]);
      assert.ok(statSync(join(ortBin, process.platform, process.arch, 'onnxruntime_binding.node')).size > 0);
      assert.ok(
        readdirSync(join(modules, '@img')).some((name) => name.startsWith(`sharp-${process.platform}`)),
        "sharp's prebuilt binary package",
      );

      // Every package the server's code imports, statically or lazily (e.g. @keyv/redis only with a Redis
      // CACHE_URL), loads from the runtime folder.
      const specifiers = new Set<string>();
      const scan = (dir: string): void => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) scan(path);
          else if (entry.name.endsWith('.js')) {
            for (const match of readFileSync(path, 'utf8').matchAll(
              /(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)['"]([^'".\/][^'"]*)['"]/gm,
            )) {
              if (!match[1]!.startsWith('node:')) specifiers.add(match[1]!);
            }
          }
        }
      };
      scan(join(runtimeApp, 'dist', 'src'));
      assert.ok(specifiers.has('onnxruntime-node') && specifiers.has('sharp'), `found the imports: ${[...specifiers].join(', ')}`);
      const load = await run(
        [process.execPath, '--input-type=module', '-e', `for (const s of ${JSON.stringify([...specifiers])}) await import(s);`],
        runtimeApp,
        containerEnv({ NODE_ENV: 'production' }),
      );
      assert.equal(load.code, 0, `a package the server imports does not load from the runtime folder:\n${load.output.slice(-3000)}`);

      // README's try-it-without-a-model path: `model synth` into the (empty) model volume.
      const volume = join(scratch, 'models-volume');
      mkdirSync(volume);
      const synth = await run(
        [process.execPath, 'dist/src/cli/main.js', 'model', 'synth', '--size', 'tiny', '--bias', '--out', volume],
        runtimeApp,
        containerEnv(stageEnv(runtime)),
      );
      assert.equal(synth.code, 0, synth.output.slice(-3000));
      assert.ok(existsSync(join(volume, 'config.json')) && existsSync(join(volume, 'onnx', 'decoder_model_merged.onnx')));
    });

    test('CMD serves, the HEALTHCHECK passes once ready, GraphQL answers, SIGTERM exits 0', { timeout: 3 * 60_000 }, async (t) => {
      if (!existsSync(join(runtimeApp, 'dist'))) return t.skip('the runtime layout was not assembled');
      const runtime = dockerfile.stages[1]!;
      const port = await freePort();
      const env = containerEnv({ ...stageEnv(runtime), MODEL_DIR: await tinyModelDir(), PORT: String(port), LOG_LEVEL: 'warn' });
      const node = (argv: string[]) =>
        argv.map((part, i) => (i === 0 && part === 'node' ? process.execPath : part.replace(/^\/app(?=\/|$)/, runtimeApp)));
      const health = node(execForm(options(only(runtime, 'HEALTHCHECK').args).rest.replace(/^CMD\s+/, '')));

      // Nothing listens yet: the check says "unhealthy" (exit 1) rather than crashing.
      assert.equal((await run(health, runtimeApp, env)).code, 1);

      const cmd = node(execForm(only(runtime, 'CMD').args));
      const server = spawn(cmd[0]!, cmd.slice(1), { cwd: runtimeApp, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
      t.after(() => {
        if (server.exitCode === null) server.kill('SIGKILL');
      });

      const deadline = Date.now() + 90_000;
      let healthy = false;
      while (!healthy && Date.now() < deadline && server.exitCode === null) {
        healthy = (await run(health, runtimeApp, env)).code === 0;
        if (!healthy) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.ok(healthy, `the health check never passed:\n${output.slice(-4000)}`);

      // One query: the model is loaded, and sharp's native binary works (the image is decoded for its size).
      const png = (await patternPng(40, 30)).toString('base64');
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'query($b: String!) { model { id device } image(base64: $b) { width height format } }',
          variables: { b: png },
        }),
      });
      const body = (await response.json()) as {
        data?: { model: { id: string; device: string }; image: { width: number; height: number; format: string } };
        errors?: unknown;
      };
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      assert.equal(body.data?.model.id, basename(env['MODEL_DIR']!));
      assert.equal(body.data?.model.device, 'cpu');
      assert.deepEqual(body.data?.image, { width: 40, height: 30, format: 'png' });

      server.kill('SIGTERM');
      assert.equal(await exited, 0, `SIGTERM: exit code 0\n${output.slice(-4000)}`);
    });
  },
);
