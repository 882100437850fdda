#!/usr/bin/env node
/**
 * `florence-gateway` command line: dispatches to one module per command (src/cli/commands.ts).
 * `--help` works on the program, on each group and on each command; a mistake is one line with the
 * usage and exit code 2, and an error the user can fix is one line too, never a stack trace.
 */
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, usageLine } from './commandLine.js';
import { COMMANDS, GROUPS, PROGRAM, type CommandEntry } from './commands.js';
import type { CommandHeader } from './commandLine.js';
import { CodedError } from '../shared/errors.js';

const PROGRAM_USAGE: CommandHeader = {
  name: PROGRAM,
  positionals: '<command>',
  summary: "A GraphQL gateway and command line for Microsoft's Florence-2 vision model.",
};

const TASKS = `tasks: <CAPTION> <DETAILED_CAPTION> <MORE_DETAILED_CAPTION> <OD> <DENSE_REGION_CAPTION> <REGION_PROPOSAL>
       <OCR> <OCR_WITH_REGION> <CAPTION_TO_PHRASE_GROUNDING> <REFERRING_EXPRESSION_SEGMENTATION>
       <OPEN_VOCABULARY_DETECTION> <REGION_TO_SEGMENTATION> <REGION_TO_CATEGORY> <REGION_TO_DESCRIPTION> <REGION_TO_OCR>`;

/** The command list for `florence-gateway --help` (or of one group). */
function listing(header: CommandHeader, entries: readonly CommandEntry[]): string {
  const rows = entries.map((entry) => [usageLine(entry).slice(PROGRAM.length + 1), entry.summary] as const);
  const width = Math.max(...rows.map(([left]) => left.length));
  const commands = rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
  const more =
    `\`${header.name === PROGRAM ? `${PROGRAM} <command>` : `${header.name} <command>`} --help\` prints a command's options ` +
    `and their defaults.`;
  return [`usage: ${usageLine(header)}`, header.summary, `commands:\n${commands}`, more].join('\n\n');
}

function isHelp(arg: string | undefined): boolean {
  return arg === '--help' || arg === '-h' || arg === 'help';
}

export async function main(argv: string[]): Promise<number> {
  const [first, second] = argv;
  const all = [...COMMANDS.values()];
  if (first === undefined) {
    console.error(`a command is needed; usage: ${usageLine(PROGRAM_USAGE)}\n\n${listing(PROGRAM_USAGE, all)}`);
    return EXIT_USAGE;
  }
  if (isHelp(first)) {
    console.log(`${listing(PROGRAM_USAGE, all)}\n\n${TASKS}`);
    return EXIT_OK;
  }
  if (first.startsWith('-')) {
    console.error(`unknown option ${first}; usage: ${usageLine(PROGRAM_USAGE)}`);
    return EXIT_USAGE;
  }
  const group = GROUPS.get(first);
  if (group !== undefined) {
    const members = all.filter((entry) => entry.name.startsWith(`${group.name} `));
    const entry = second === undefined ? undefined : COMMANDS.get(`${first} ${second}`);
    if (entry) return (await entry.load())(argv.slice(2));
    if (isHelp(second)) {
      console.log(listing(group, members));
      return EXIT_OK;
    }
    console.error(
      `${second === undefined ? `${group.name} needs a command` : `unknown command "${first} ${second}"`}; usage: ${usageLine(group)}`,
    );
    return EXIT_USAGE;
  }
  const entry = COMMANDS.get(first);
  if (!entry) {
    console.error(`unknown command "${first}"; usage: ${usageLine(PROGRAM_USAGE)} (\`${PROGRAM} --help\` lists the commands)`);
    return EXIT_USAGE;
  }
  return (await entry.load())(argv.slice(1));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Typed runtime errors are the user's to fix: print the message, not a stack trace.
    console.error(error instanceof CodedError ? `error: ${error.message}` : error);
    process.exitCode = EXIT_FAILED;
  },
);
