/**
 * `florence-gateway run TASK IMAGE`: one task on one image file, printed for a person (or as JSON),
 * optionally drawn over the image.
 */
import { writeFile } from 'node:fs/promises';
import { DEFAULT_MODEL_REPO } from '../hub/modelCache.js';
import { drawResult } from '../images/overlay.js';
import { readImageBytes } from '../vision/image.js';
import { Florence2 } from '../vision/florence2.js';
import { DEFAULT_MAX_NEW_TOKENS } from '../vision/generation/settings.js';
import { DEFAULT_DTYPE, isModelDtype, MODEL_DTYPES } from '../vision/modelFiles.js';
import { parseCommandLine, usageError, type CommandSpec } from './commandLine.js';
import { RUN } from './commands.js';
import { resolveModelDir } from './modelDir.js';

const RUN_OPTIONS = {
  input: {
    type: 'string',
    value: 'TEXT',
    help: "the task's text: a phrase to ground, what to find or segment, or a region as four <loc_N> tokens",
    default: 'none',
  },
  model: { type: 'string', value: 'DIR', help: 'the model folder', default: `$MODEL_DIR, else the cached ${DEFAULT_MODEL_REPO}` },
  beams: { type: 'string', value: 'N', help: 'beams of beam search, 1 to 16: 1 is greedy, 3 the Python reference', default: '1' },
  'max-new-tokens': { type: 'string', value: 'N', help: 'most tokens to generate, 2 to 1024', default: String(DEFAULT_MAX_NEW_TOKENS) },
  dtype: { type: 'string', value: 'D', help: `which ONNX files to load: ${MODEL_DTYPES.join(', ')}`, default: DEFAULT_DTYPE },
  json: { type: 'boolean', help: 'print the whole result object as JSON', default: 'off' },
  draw: { type: 'string', value: 'OUT.png', help: 'also write the image with the boxes, quads and polygons drawn over it', default: 'off' },
} as const;

export const RUN_SPEC: CommandSpec<typeof RUN_OPTIONS> = {
  ...RUN,
  arguments: [
    ['TASK', "a task token, e.g. '<OD>' (quoted: the shell reads < and >); `florence-gateway --help` lists them"],
    ['IMAGE', 'an image file: JPEG, PNG, WebP, GIF, TIFF or AVIF'],
  ],
  options: RUN_OPTIONS,
  positionalCount: [2, 2],
};

export async function runTaskCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(RUN_SPEC, argv);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [task = '', imagePath = ''] = positionals;
  const dtype = values.dtype ?? DEFAULT_DTYPE;
  if (!isModelDtype(dtype)) return usageError(RUN_SPEC, `unknown --dtype ${dtype}; expected ${MODEL_DTYPES.join(', ')}`);
  const numBeams = wholeNumber(values.beams);
  if (numBeams === null) return usageError(RUN_SPEC, `--beams takes a whole number, got ${JSON.stringify(values.beams)}`);
  const maxNewTokens = wholeNumber(values['max-new-tokens']);
  if (maxNewTokens === null)
    return usageError(RUN_SPEC, `--max-new-tokens takes a whole number, got ${JSON.stringify(values['max-new-tokens'])}`);
  const modelDir = resolveModelDir(values.model);
  if (!modelDir) return 1;

  const florence = await Florence2.load(modelDir, { dtype });
  try {
    const image = await readImageBytes(imagePath);
    const result = await florence.run(image, task, values.input, {
      ...(numBeams !== undefined ? { numBeams } : {}),
      ...(maxNewTokens !== undefined ? { maxNewTokens } : {}),
    });
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log(
        `task:   ${result.task}\nprompt: ${result.prompt}\ntext:   ${result.text}\nresult: ` +
          `${JSON.stringify(result.result, null, 1).replace(/\n\s*/g, ' ')}`,
      );
    }
    if (values.draw) {
      await writeFile(values.draw, await drawResult(image, result.result));
      if (!values.json) console.log(`drawn:  ${values.draw}`);
    }
    return 0;
  } finally {
    await florence.dispose();
  }
}

/** The option's number; undefined when not given, null when it is not a whole number (the runtime checks the range). */
function wholeNumber(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  return /^\d{1,9}$/.test(text.trim()) ? Number(text) : null;
}
