/**
 * `florence-gateway model synth --size tiny|base --out DIR [--seed N] [--q8] [--bias [structured|text]] [--tokenizer FILE]`
 * Writes a random-weight Florence-2 model folder (see src/synth) and prints what it wrote.
 */
import { BIAS_PATTERNS } from '../synth/bias.js';
import type { BiasPattern } from '../synth/bias.js';
import { MODEL_SIZES, REAL_BASE } from '../synth/sizes.js';
import type { ModelSize } from '../synth/sizes.js';
import { DEFAULT_SEED, synthesizeModel } from '../synth/synthesize.js';
import type { SynthReport } from '../synth/synthesize.js';
import { EXIT_FAILED, EXIT_OK, parseCommandLine, usageError, type CommandSpec } from './commandLine.js';
import { MODEL_SYNTH } from './commands.js';

/** Florence-2-base figures must be matched within this fraction. */
const BASE_TOLERANCE = 0.2;

const SYNTH_OPTIONS = {
  size: {
    type: 'string',
    value: 'tiny|base',
    help: 'tiny (tests: d_model 64, 2+2 layers) or base (Florence-2-base dimensions and compute)',
    default: 'none: required',
  },
  out: { type: 'string', value: 'DIR', help: 'the output folder (created; existing files are overwritten)', default: 'none: required' },
  seed: {
    type: 'string',
    value: 'N',
    help: 'a non-negative integer; the same seed gives byte-identical files',
    default: String(DEFAULT_SEED),
  },
  q8: { type: 'boolean', help: 'also write onnx/<name>_quantized.onnx (dynamic uint8 MatMul weights)', default: 'off' },
  bias: {
    type: 'string',
    value: `[${BIAS_PATTERNS.join('|')}]`,
    help:
      'steer outputs so every post-processor is exercised and sequences end in </s>: word + <loc_*> runs, <sep>, <poly> spans ' +
      '(structured), or plain text',
    default: 'off; a bare --bias is structured',
  },
  tokenizer: {
    type: 'string',
    value: 'FILE',
    help: 'copy this tokenizer.json instead of synthesising one',
    default: 'a synthesised tokenizer',
  },
} as const;

export const MODEL_SYNTH_SPEC: CommandSpec<typeof SYNTH_OPTIONS> = { ...MODEL_SYNTH, options: SYNTH_OPTIONS };

interface Parsed {
  readonly size: ModelSize;
  readonly out: string;
  readonly seed: number;
  readonly q8: boolean;
  readonly bias?: BiasPattern;
  readonly tokenizer?: string;
}

export async function modelSynthCommand(argv: string[]): Promise<number> {
  const parsed = parse(argv);
  if (typeof parsed === 'number') return parsed;
  try {
    const report = await synthesizeModel({
      size: parsed.size,
      outDir: parsed.out,
      seed: parsed.seed,
      q8: parsed.q8,
      ...(parsed.bias ? { bias: parsed.bias } : {}),
      ...(parsed.tokenizer ? { tokenizerFile: parsed.tokenizer } : {}),
      log: (line) => console.error(line),
    });
    console.log(formatReport(report));
    return EXIT_OK;
  } catch (error) {
    console.error(`model synth failed: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILED;
  }
}

/** `--bias` takes an optional value, which parseArgs cannot express: rewrite it to `--bias=…`. */
function normaliseBias(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg !== '--bias') {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('-')) {
      out.push(`--bias=${next}`);
      i++;
    } else {
      out.push('--bias=structured');
    }
  }
  return out;
}

/** The checked settings, or the exit code (help printed, or a usage error). */
function parse(argv: readonly string[]): Parsed | number {
  const parsed = parseCommandLine(MODEL_SYNTH_SPEC, normaliseBias(argv));
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const size = values.size;
  if (size === undefined) return usageError(MODEL_SYNTH_SPEC, '--size is required');
  if (!isSize(size)) return usageError(MODEL_SYNTH_SPEC, `--size must be one of ${MODEL_SIZES.join(', ')}, got "${size}"`);
  if (!values.out) return usageError(MODEL_SYNTH_SPEC, '--out is required');
  let seed = DEFAULT_SEED;
  if (values.seed !== undefined) {
    if (!/^\d+$/.test(values.seed) || !Number.isSafeInteger(Number(values.seed)))
      return usageError(MODEL_SYNTH_SPEC, `--seed must be a non-negative integer, got "${values.seed}"`);
    seed = Number(values.seed);
  }
  const bias = values.bias;
  if (bias !== undefined && !isBias(bias))
    return usageError(MODEL_SYNTH_SPEC, `--bias must be one of ${BIAS_PATTERNS.join(', ')}, got "${bias}"`);
  return {
    size,
    out: values.out,
    seed,
    q8: values.q8 === true,
    ...(bias !== undefined ? { bias } : {}),
    ...(values.tokenizer !== undefined ? { tokenizer: values.tokenizer } : {}),
  };
}

function isSize(value: string): value is ModelSize {
  return (MODEL_SIZES as readonly string[]).includes(value);
}

function isBias(value: string): value is BiasPattern {
  return (BIAS_PATTERNS as readonly string[]).includes(value);
}

const MIB = 1024 * 1024;

export function formatReport(r: SynthReport): string {
  const lines: string[] = [
    `synthetic Florence-2 (${r.size}, seed ${r.seed}, ${r.tokenizer} tokenizer) in ${r.outDir} — ${(r.elapsedMs / 1000).toFixed(1)} s`,
  ];
  const width = Math.max(...r.files.map((f) => f.path.length));
  for (const f of r.files) lines.push(`  ${f.path.padEnd(width)}  ${(f.bytes / MIB).toFixed(2).padStart(9)} MiB`);
  const total = r.files.reduce((n, f) => n + f.bytes, 0);
  lines.push(`  ${'total'.padEnd(width)}  ${(total / MIB).toFixed(2).padStart(9)} MiB`);
  lines.push(`parameters: ${millions(r.parameters)} (tied embedding once); ${millions(r.parametersInFiles)} stored in the fp32 files`);
  lines.push(
    `vision encoder: ${r.visionGflops.toFixed(1)} GFLOP per 768² image (${Object.entries(r.visionGflopsByStage)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')})`,
  );
  lines.push(`text encoder (577 + 8 tokens): ${r.encoderGflops.toFixed(1)} GFLOP; decoder step: ${r.decoderStepGflops.toFixed(2)} GFLOP`);
  if (r.size === 'base') {
    lines.push('compared with Florence-2-base:');
    lines.push(compare('parameters', r.parameters, REAL_BASE.parameters, millions));
    lines.push(compare('parameters in files', r.parametersInFiles, REAL_BASE.parametersInFiles, millions));
    lines.push(compare('vision GFLOP', r.visionGflops, REAL_BASE.visionGflops, (v) => v.toFixed(0)));
  }
  if (r.bias) {
    const s = r.bias.settings;
    lines.push(
      `bias: ${s.pattern}; EOS allowed after ${r.bias.cuts.join(', ')} content tokens (centre ${s.centre}), forced at ${r.bias.hardStop}`,
    );
  }
  return lines.join('\n');
}

function millions(n: number): string {
  return `${(n / 1e6).toFixed(1)} M`;
}

function compare(label: string, ours: number, real: number, fmt: (v: number) => string): string {
  const ratio = ours / real;
  const ok = Math.abs(ratio - 1) <= BASE_TOLERANCE ? 'ok' : 'OUT OF RANGE';
  return `  ${label}: ${fmt(ours)} vs ${fmt(real)} (${(ratio * 100).toFixed(1)}%, ${ok})`;
}
