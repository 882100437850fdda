/**
 * The commands of `florence-gateway`: what the command list and each usage line say, and where each
 * command's code is (loaded on demand, so a command, and `--help`, only pay for what they use).
 */
import type { CommandHeader } from './commandLine.js';

export const PROGRAM = 'florence-gateway';

/** A command's entry point: the exit code for its arguments. */
export type CommandMain = (argv: string[]) => Promise<number>;

export interface CommandEntry extends CommandHeader {
  readonly load: () => Promise<CommandMain>;
}

export const SERVE: CommandEntry = {
  name: `${PROGRAM} serve`,
  summary:
    'Serve the GraphQL API, POST /images and GraphiQL over a Florence-2 model. Every other setting comes from the environment (README, ' +
    '"Configuration").',
  load: async () => (await import('./serve.js')).serveCommand,
};

export const RUN: CommandEntry = {
  name: `${PROGRAM} run`,
  positionals: 'TASK IMAGE',
  summary: 'Run one Florence-2 task on an image file and print the answer.',
  load: async () => (await import('./runTask.js')).runTaskCommand,
};

export const MODEL_PULL: CommandEntry = {
  name: `${PROGRAM} model pull`,
  positionals: '[REPO]',
  summary:
    'Download an onnx-community Florence-2 export from the Hugging Face hub into the cache folder (progress on stderr, the folder on ' +
    'stdout).',
  load: async () => (await import('./modelPull.js')).modelPullCommand,
};

export const MODEL_SYNTH: CommandEntry = {
  name: `${PROGRAM} model synth`,
  required: '--size tiny|base --out DIR',
  summary:
    'Write a synthetic Florence-2 model: random weights in the real file layout and ONNX interface (meaningless answers, real behaviour).',
  load: async () => (await import('./modelSynth.js')).modelSynthCommand,
};

/** Every command, by the words that name it on the command line. */
export const COMMANDS: ReadonlyMap<string, CommandEntry> = new Map([
  ['serve', SERVE],
  ['run', RUN],
  ['model pull', MODEL_PULL],
  ['model synth', MODEL_SYNTH],
]);

/** The command groups: a first word that needs a second (`model pull`). */
export const GROUPS: ReadonlyMap<string, CommandHeader> = new Map([
  [
    'model',
    { name: `${PROGRAM} model`, positionals: 'pull|synth', summary: 'Get a model folder: download a real one, or write a synthetic one.' },
  ],
]);
