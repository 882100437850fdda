/**
 * `florence-gateway run TASK IMAGE`: one task on one image file, printed for a person (or as JSON),
 * optionally drawn over the image.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { drawResult } from '../images/overlay.js';
import { readImageBytes } from '../vision/image.js';
import { Florence2 } from '../vision/florence2.js';
import { isModelDtype } from '../vision/modelFiles.js';
import { resolveModelDir } from './modelDir.js';

export async function runTaskCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      input: { type: 'string' },
      model: { type: 'string' },
      beams: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      dtype: { type: 'string' },
      json: { type: 'boolean', default: false },
      draw: { type: 'string' },
    },
  });
  const [task, imagePath] = positionals;
  if (!task || !imagePath || positionals.length > 2) {
    console.error('usage: florence-gateway run TASK IMAGE [--input TEXT] [--model DIR] [--beams N] [--max-new-tokens N] [--dtype D] [--json] [--draw OUT.png]');
    return 2;
  }
  const dtype = values.dtype ?? 'fp32';
  if (!isModelDtype(dtype)) {
    console.error(`unknown --dtype ${dtype}; expected fp32, fp16, q8, int8, uint8, q4, q4f16 or bnb4`);
    return 2;
  }
  const modelDir = resolveModelDir(values.model);
  if (!modelDir) return 1;

  const florence = await Florence2.load(modelDir, { dtype });
  try {
    const image = await readImageBytes(imagePath);
    const result = await florence.run(image, task, values.input, {
      ...(values.beams ? { numBeams: Number(values.beams) } : {}),
      ...(values['max-new-tokens'] ? { maxNewTokens: Number(values['max-new-tokens']) } : {}),
    });
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log(`task:   ${result.task}\nprompt: ${result.prompt}\ntext:   ${result.text}\nresult: ${JSON.stringify(result.result, null, 1).replace(/\n\s*/g, ' ')}`);
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
