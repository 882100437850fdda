#!/usr/bin/env node
// What `@huggingface/hub` does with the cases `model pull` must handle, run against the stand-in hub
// of test/hub (resume after a cut connection, a corrupted file, a stalled body, a server that
// ignores Range, the token on the CDN redirect, named network errors, a dtype subset). Not a test:
// the measurement behind the README's "Why not @huggingface/hub". The library is not a dependency,
// so install it aside and pass its folder (this repository's node_modules stays as it is):
//   (mkdir -p /tmp/hf-hub && cd /tmp/hf-hub && npm init -y >/dev/null && npm i --save-exact @huggingface/hub@2.17.5)
//   npm run build && node scripts/measure-hf-hub-library.mjs /tmp/hf-hub/node_modules/@huggingface/hub
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { StandInHub } from '../dist/test/hub/support/standInHub.js';
import { tinyModelDir } from '../dist/test/helpers/models.js';

const libraryDir = process.argv[2];
if (!libraryDir) {
  console.error(
    'usage: node scripts/measure-hf-hub-library.mjs PATH/node_modules/@huggingface/hub (see the header for how to install it aside)',
  );
  process.exit(2);
}
const hf = await import(pathToFileURL(join(resolve(libraryDir), 'dist', 'index.mjs')).href);
const { version } = JSON.parse(readFileSync(join(libraryDir, 'package.json'), 'utf8'));

const REPO = 'onnx-community/Florence-2-base-ft';
const DECODER = 'onnx/decoder_model_merged.onnx';
const TOKEN = 'hf_measure_token';
/** Longer than any answer from 127.0.0.1 takes; a call still pending then is waiting for nothing. */
const HANG_MS = 4000;

const report = (check, result) => console.log(`${check.padEnd(58)} ${result}`);
const describe = (error) => {
  const cause = error?.cause;
  const code = cause?.code ?? cause?.cause?.code;
  return `${error?.constructor?.name ?? typeof error}: ${error?.message ?? String(error)}${code ? ` (cause ${code})` : ''}`;
};
/** Runs `fn`, reporting its result, its error, or that it was still pending after HANG_MS. */
async function measure(check, fn) {
  const hang = Symbol('hang');
  try {
    const result = await Promise.race([fn(), delay(HANG_MS).then(() => hang)]);
    report(check, result === hang ? `still pending after ${HANG_MS / 1000} s` : result);
  } catch (error) {
    report(check, `threw ${describe(error)}`);
  }
}
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const streamLength = async (stream) => {
  let length = 0;
  for await (const chunk of stream) length += chunk.byteLength;
  return length;
};

/**
 * The stand-in lacks POST /api/models/{repo}/paths-info/{rev}, which downloadFileToCacheDir asks
 * first; answered here from the stand-in's own files so the download itself can be measured.
 */
const withPathsInfo = (standIn) => async (url, init) => {
  if (!/\/paths-info\//.test(String(url))) return fetch(url, init);
  const paths = JSON.parse(String(init?.body)).paths;
  const entries = paths.map((path) => {
    const file = standIn.files.get(path);
    const lfs = file.lfs ? { lfs: { oid: file.sha256, size: file.bytes.length, pointerSize: 134 } } : {};
    return {
      type: 'file',
      path,
      size: file.bytes.length,
      oid: file.gitOid,
      ...lfs,
      lastCommit: { id: standIn.commit, title: '', date: '' },
    };
  });
  return new Response(JSON.stringify(entries), { headers: { 'content-type': 'application/json' } });
};

const work = await mkdtemp(join(tmpdir(), 'hf-hub-measure-'));
const hub = await StandInHub.start({ sourceDir: await tinyModelDir(), redirectLfs: true, requiredToken: TOKEN });
const decoder = hub.files.get(DECODER);
const common = { repo: REPO, hubUrl: hub.endpoint, accessToken: TOKEN };
console.log(
  `@huggingface/hub ${version} against the stand-in hub; ${DECODER} is ${decoder.bytes.length} bytes, LFS, redirected to a CDN\n`,
);
try {
  await measure('listFiles (tree API)', async () => {
    let files = 0;
    for await (const entry of hf.listFiles({ ...common, recursive: true })) if (entry.type === 'file') files++;
    return `${files} files`;
  });
  await measure(
    'modelInfo (revision → commit)',
    async () => (await hf.modelInfo({ ...common, name: REPO, revision: 'main', additionalFields: ['sha'] })).sha,
  );
  await measure('listFiles without the token (a gated repository)', async () => {
    for await (const entry of hf.listFiles({ ...common, accessToken: undefined, recursive: true })) void entry;
    return 'no error';
  });

  hub.reset();
  await measure('fileDownloadInfo of a redirected LFS file: etag', async () => {
    const info = await hf.fileDownloadInfo({ ...common, path: DECODER });
    return `${info.etag} (${info.etag.replaceAll('"', '') === decoder.sha256 ? 'the sha256' : 'not the sha256'})`;
  });

  hub.reset();
  await measure('downloadFile: where the token went', async () => {
    await (await hf.downloadFile({ ...common, path: DECODER })).arrayBuffer();
    const of = (server) => hub.requests.filter((r) => r.server === server);
    const withToken = (server) => of(server).filter((r) => r.authorization !== undefined).length;
    return `hub ${withToken('hub')} of ${of('hub').length}, CDN ${withToken('cdn')} of ${of('cdn').length}`;
  });

  // Two drops: the library's first request (a `Range: bytes=0-0` probe) takes one.
  const cacheDir = join(work, 'cut');
  hub.reset();
  hub.dropAfter(DECODER, Math.floor(decoder.bytes.length / 3), 2);
  await measure('downloadFileToCacheDir, connection cut at a third', () =>
    hf.downloadFileToCacheDir({ ...common, path: DECODER, revision: hub.commit, cacheDir, fetch: withPathsInfo(hub) }),
  );
  const blobs = join(cacheDir, `models--${REPO.replace('/', '--')}`, 'blobs');
  report('  left behind', (await readdir(blobs)).map((name) => name.replace(/^[0-9a-f]{64}/, '<sha256>')).join(', '));
  hub.reset();
  await measure('  the same call again', async () => {
    await hf.downloadFileToCacheDir({ ...common, path: DECODER, revision: hub.commit, cacheDir, fetch: withPathsInfo(hub) });
    const whole = hub.requests.filter((r) => r.server === 'cdn' && r.range === undefined);
    return `${whole.length} whole-file GET (no Range), ${whole.reduce((sum, r) => sum + r.bytesSent, 0)} bytes sent again`;
  });

  hub.reset();
  await measure('downloadFile + Blob.slice(1000): a hand-made resume', async () => {
    const length = await streamLength((await hf.downloadFile({ ...common, path: DECODER })).slice(1000).stream());
    return `${length} bytes, asked with ${hub.requests.at(-1)?.range}`;
  });
  hub.ignoreRange = true;
  await measure('downloadFile on a server that ignores Range', async () =>
    streamLength((await hf.downloadFile({ ...common, path: DECODER })).stream()),
  );
  hub.ignoreRange = false;

  hub.reset();
  hub.corrupt(DECODER);
  await measure('downloadFileToCacheDir of a file with one byte flipped', async () => {
    const path = await hf.downloadFileToCacheDir({
      ...common,
      path: DECODER,
      revision: hub.commit,
      cacheDir: join(work, 'corrupt'),
      fetch: withPathsInfo(hub),
    });
    const matches = sha256(await readFile(path)) === decoder.sha256;
    return `stored under its final name, sha256 ${matches ? 'matches' : 'does not match'}, no error`;
  });

  hub.reset();
  hub.stallAfter(DECODER, Math.floor(decoder.bytes.length / 2), 2);
  await measure('downloadFile, body stalls at half', async () =>
    streamLength((await hf.downloadFile({ ...common, path: DECODER })).stream()),
  );

  hub.reset();
  hub.dropAfter(DECODER, Math.floor(decoder.bytes.length / 3), 2);
  await measure('downloadFile, connection cut: the error a caller sees', async () =>
    streamLength((await hf.downloadFile({ ...common, path: DECODER })).stream()),
  );
  hub.reset();
  const cdn = hub.cdnOrigin;
  await hub.closeCdn();
  await measure('downloadFile, the CDN refuses connections', async () =>
    (await hf.downloadFile({ ...common, path: DECODER })).arrayBuffer(),
  );
  await measure('listFiles, the hub refuses connections', async () => {
    for await (const entry of hf.listFiles({ ...common, hubUrl: cdn, recursive: true })) void entry;
  });
} finally {
  await hub.close();
}

// snapshotDownload takes no file filter: everything of every dtype comes down.
const q8Hub = await StandInHub.start({ sourceDir: await tinyModelDir({ q8: true }) });
try {
  const total = [...q8Hub.files.values()].reduce((sum, file) => sum + file.bytes.length, 0);
  const fp32 = [...q8Hub.files.values()]
    .filter((file) => !file.path.includes('_quantized'))
    .reduce((sum, file) => sum + file.bytes.length, 0);
  const logged = [];
  const debug = console.debug;
  console.debug = (...args) => void logged.push(args.join(' '));
  try {
    await measure('snapshotDownload of a repository with fp32 and q8 graphs', async () => {
      await hf.snapshotDownload({ repo: REPO, hubUrl: q8Hub.endpoint, cacheDir: join(work, 'snapshot'), fetch: withPathsInfo(q8Hub) });
      const whole = q8Hub.requests.filter((r) => r.method === 'GET' && r.file !== undefined && r.range === undefined);
      return `${whole.length} files, ${whole.reduce((sum, r) => sum + r.bytesSent, 0)} bytes (an fp32 pull needs ${fp32} of the ${total})`;
    });
  } finally {
    console.debug = debug;
  }
  report('  console.debug lines (stdout) during it', `${logged.length}, e.g. "${logged[0]?.replace(work, '<tmp>')}"`);
} finally {
  await q8Hub.close();
  await rm(work, { recursive: true, force: true });
}
