#!/usr/bin/env node
/**
 * `florence-gateway` command line: dispatches to one module per command, loaded on demand so a
 * command only pays for what it uses.
 */
import { FlorenceError } from '../vision/errors.js';

const USAGE = `Usage: florence-gateway <command> [options]

Commands:
  serve [--model DIR] [--port N] [--synthetic tiny|base]
                      serve the GraphQL API (settings from the environment: MODEL_DIR, PORT, CACHE_URL, ALLOW_HOSTS, …)
  run TASK IMAGE [--input TEXT] [--model DIR] [--beams N] [--max-new-tokens N] [--dtype D] [--json] [--draw OUT.png]
                      run one Florence-2 task on an image file and print the answer
  model pull [REPO] [--dtype D] [--revision REV] [--out DIR]
                      download an onnx-community Florence-2 export (default onnx-community/Florence-2-base-ft) into the cache folder
  model synth --size tiny|base --out DIR [--seed N] [--q8] [--bias [structured|text]] [--tokenizer FILE]
                      write a synthetic model with random weights and the real file layout
  help                this text

Tasks: <CAPTION> <DETAILED_CAPTION> <MORE_DETAILED_CAPTION> <OD> <DENSE_REGION_CAPTION> <REGION_PROPOSAL>
       <OCR> <OCR_WITH_REGION> <CAPTION_TO_PHRASE_GROUNDING> <REFERRING_EXPRESSION_SEGMENTATION>
       <OPEN_VOCABULARY_DETECTION> <REGION_TO_SEGMENTATION> <REGION_TO_CATEGORY> <REGION_TO_DESCRIPTION> <REGION_TO_OCR>`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.js')).serveCommand,
  run: async () => (await import('./runTask.js')).runTaskCommand,
  'model synth': async () => (await import('./modelSynth.js')).modelSynthCommand,
  'model pull': async () => (await import('./modelPull.js')).modelPullCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [first, second] = argv;
  if (!first || first === 'help' || first === '--help' || first === '-h') {
    console.log(USAGE);
    return first ? 0 : 2;
  }
  const twoWords = `${first} ${second ?? ''}`;
  const name = COMMANDS[twoWords] ? twoWords : first;
  const load = COMMANDS[name];
  if (!load) {
    console.error(`unknown command "${argv.join(' ')}"\n\n${USAGE}`);
    return 2;
  }
  const command = await load();
  return command(argv.slice(name.split(' ').length));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Typed runtime errors are the user's to fix: print the message, not a stack trace.
    console.error(error instanceof FlorenceError ? `error: ${error.message}` : error);
    process.exitCode = 1;
  },
);
