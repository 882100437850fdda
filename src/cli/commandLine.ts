/**
 * How every command reads its arguments: node's `parseArgs` in strict mode, `-h`/`--help` on each
 * (usage, every option with its default; exit 0), and a mistake answered with one line that names
 * it and gives the usage (`unknown option --x; usage: florence-gateway serve [options]`; exit 2),
 * never a stack trace.
 */
import { parseArgs } from 'node:util';

/** One `--option` of a command, with what `--help` says about it. */
export interface CliOption {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The value's placeholder in help (`DIR`, `N`); string options only. */
  readonly value?: string;
  readonly help: string;
  /** What applies without the option, in words (`4000`, `$PORT, else 4000`, `off`). */
  readonly default: string;
}

export type CliOptions = Readonly<Record<string, CliOption>>;

/** What the command list shows of a command (src/cli/commands.ts), and the head of its help. */
export interface CommandHeader {
  /** `florence-gateway run`. */
  readonly name: string;
  /** The positional arguments in the usage line (`TASK IMAGE`, `[REPO]`); none when absent. */
  readonly positionals?: string;
  /** Required options that belong in the usage line (`--size tiny|base --out DIR`). */
  readonly required?: string;
  /** One sentence: what the command does. */
  readonly summary: string;
}

/** A command's arguments as `--help` documents them and the parser checks them. */
export interface CommandSpec<O extends CliOptions> extends CommandHeader {
  /** The positional arguments explained, `[name, help]`. */
  readonly arguments?: readonly (readonly [string, string])[];
  readonly options: O;
  /** A closing paragraph: environment variables, an example. */
  readonly notes?: string;
  /** Fewest and most positional arguments; default none. */
  readonly positionalCount?: readonly [min: number, max: number];
}

/** Parsed option values: strings and booleans by the option's type; absent when not given. */
export type OptionValues<O extends CliOptions> = { -readonly [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

export interface CommandLine<O extends CliOptions> {
  readonly values: OptionValues<O>;
  readonly positionals: readonly string[];
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The help option every command has (its line in the help has no default). */
const HELP_OPTION_NAME = 'help';
const HELP_OPTION: CliOption = { type: 'boolean', short: 'h', help: 'print this help and exit', default: '' };

/** `florence-gateway run TASK IMAGE [options]`. */
export function usageLine(spec: CommandHeader): string {
  return [spec.name, spec.positionals, spec.required, '[options]'].filter((part) => part !== undefined && part !== '').join(' ');
}

/** The full help: usage, summary, arguments, every option with its default, notes. */
export function helpText(spec: CommandSpec<CliOptions>): string {
  const options: [string, string][] = Object.entries({ ...spec.options, [HELP_OPTION_NAME]: HELP_OPTION }).map(([name, option]) => [
    `${option.short ? `-${option.short}, ` : '    '}--${name}${option.value ? ` ${option.value}` : ''}`,
    option === HELP_OPTION ? option.help : `${option.help} (default: ${option.default})`,
  ]);
  const sections = [`usage: ${usageLine(spec)}`, spec.summary];
  if (spec.arguments?.length) sections.push(`arguments:\n${table(spec.arguments)}`);
  sections.push(`options:\n${table(options)}`);
  if (spec.notes) sections.push(spec.notes);
  return sections.join('\n\n');
}

/** Prints `message; usage: …` on stderr and gives the usage exit code: for a command's own checks. */
export function usageError(spec: CommandHeader, message: string): number {
  console.error(`${message}; usage: ${usageLine(spec)}`);
  return EXIT_USAGE;
}

/**
 * The parsed arguments, or the exit code when there is nothing to run: help was asked for and
 * printed on stdout (0), or the arguments are wrong and one line on stderr says how (2).
 */
export function parseCommandLine<O extends CliOptions>(spec: CommandSpec<O>, argv: readonly string[]): CommandLine<O> | number {
  if (asksForHelp(argv)) {
    console.log(helpText(spec));
    return EXIT_OK;
  }
  const [fewest, most] = spec.positionalCount ?? [0, 0];
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(spec.options).map(([name, option]) => [
          name,
          { type: option.type, ...(option.short ? { short: option.short } : {}) },
        ]),
      ),
      strict: true,
      // Counted below, so that a stray argument gets the same message as a missing one.
      allowPositionals: true,
    }) as typeof parsed;
  } catch (error) {
    return usageError(spec, describeParseError(error));
  }
  const count = parsed.positionals.length;
  if (count < fewest || count > most) {
    const expected = spec.positionals ?? 'no arguments';
    return usageError(
      spec,
      `expected ${expected}, got ${count === 0 ? 'none' : parsed.positionals.map((arg) => JSON.stringify(arg)).join(' ')}`,
    );
  }
  // parseArgs in strict mode gives exactly the configured options, each of its declared type.
  return { values: parsed.values as OptionValues<O>, positionals: parsed.positionals };
}

/** `-h` or `--help` anywhere before a `--` terminator. */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** parseArgs' errors in our words: "unknown option --x", "option --port needs a value". */
function describeParseError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]*)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /argument missing/.test(message) ? `option ${option} needs a value` : `option ${option} takes no value`;
  }
  return message;
}

function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
}
