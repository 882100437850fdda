/**
 * Settings that arrive as text (environment variables, command-line flags), and the parsers that
 * read them. Every parser keeps one contract: unset or blank means the default; anything else is
 * trimmed, then parsed or refused with a SettingError whose message names the setting, says what it
 * accepts and its real default, and echoes what arrived ("MAX_BATCH_JOBS must be a whole number from
 * 1 to 1024 (default 32); got "0""). The gateway's table of settings (src/server/configVariables.ts)
 * is built from these, and so are the README's configuration table and the CLI's help.
 */

export type Environment = Readonly<Record<string, string | undefined>>;

/** A setting's text that cannot be used; `setting` is the variable (or `--flag`) at fault. */
export class SettingError extends Error {
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(message);
    this.setting = setting;
    this.name = new.target.name;
  }
}

/** How one setting is read from its text, and what the docs say about it. */
export interface SettingParser<T> {
  /** What the text may be, in Markdown (the README's accepts column): `0–65535`, `` `cpu`, `cuda` or `webgpu` ``. */
  readonly accepts: string;
  /** The default in words (the README's default column): `4000`, `all cores`, `none`. */
  readonly defaultText: string;
  /** Whether `defaultText` is a value to type (shown as code) rather than a description. */
  readonly defaultIsValue: boolean;
  /** The value for `raw`; unset or blank gives the default, which may depend on `env` (NODE_ENV…). */
  read(name: string, raw: string | undefined, env: Environment): T;
}

/** A default: a value, or one worked out from the environment or the machine. */
export type Default<T> = T | ((env: Environment) => T);

/** Most characters of a bad value a message echoes: enough to recognise it, never a wall of text. */
const MAX_ECHO_LENGTH = 40;

/** The text of a bad value for a message: quoted, cut at 40 characters with an ellipsis. */
export function echoSetting(text: string): string {
  return JSON.stringify(text.length > MAX_ECHO_LENGTH ? `${text.slice(0, MAX_ECHO_LENGTH)}…` : text);
}

/** `a`, `a or b`, `a, b or c`. */
export function listOfChoices(values: readonly string[]): string {
  return values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values.at(-1) ?? ''}`;
}

export interface WholeNumberSpec<D extends number | undefined> {
  readonly min: number;
  readonly max: number;
  /** The value when unset; `undefined` leaves it to the module that owns the setting (say which in `defaultText`). */
  readonly default: Default<D>;
  /** The default in words when it is not one fixed number (`all cores`, `a tenth of memory`). */
  readonly defaultText?: string;
  /** What the number counts (`bytes`, `milliseconds`), for the message and the docs. */
  readonly unit?: string;
}

/** Digits only: `1e3`, `0x100`, `2.5`, `-1` and `Infinity` are refused, not reinterpreted. */
export function wholeNumber<D extends number | undefined>(spec: WholeNumberSpec<D>): SettingParser<number | D> {
  const unit = spec.unit ? ` ${spec.unit}` : '';
  const unitWords = spec.unit ? ` of ${spec.unit}` : '';
  const fixedDefault = typeof spec.default === 'function' ? undefined : spec.default;
  return {
    accepts: `${spec.min}–${spec.max}${unit}`,
    defaultText: spec.defaultText ?? String(fixedDefault),
    defaultIsValue: spec.defaultText === undefined,
    read(name, raw, env) {
      const fallback = valueOf(spec.default, env);
      const text = raw?.trim() ?? '';
      if (text === '') return fallback;
      const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      if (!(value >= spec.min && value <= spec.max)) {
        const shownDefault = fallback === undefined ? spec.defaultText : String(fallback);
        throw new SettingError(
          name,
          `${name} must be a whole number${unitWords} from ${spec.min} to ${spec.max} (default ${shownDefault}); got ${echoSetting(text)}`,
        );
      }
      return value;
    },
  };
}

export interface ChoiceSpec<T extends string> {
  readonly values: readonly T[];
  readonly default: T;
  /** Accept `BATCH` for `batch`. Default false: the values are names to type exactly. */
  readonly ignoreCase?: boolean;
}

/** One of a fixed list of words. */
export function choice<T extends string>(spec: ChoiceSpec<T>): SettingParser<T> {
  const expected = listOfChoices(spec.values);
  return {
    accepts: listOfChoices(spec.values.map((value) => `\`${value}\``)),
    defaultText: spec.default,
    defaultIsValue: true,
    read(name, raw) {
      const text = raw?.trim() ?? '';
      if (text === '') return spec.default;
      const wanted = spec.ignoreCase ? text.toLowerCase() : text;
      const found = spec.values.find((value) => value === wanted);
      if (found === undefined)
        throw new SettingError(name, `${name} must be ${expected} (default ${spec.default}); got ${echoSetting(text)}`);
      return found;
    },
  };
}

/** The spellings a yes/no setting accepts (case-insensitive), as most tools read them. */
const TRUE_WORDS: readonly string[] = ['true', '1', 'yes', 'on'];
const FALSE_WORDS: readonly string[] = ['false', '0', 'no', 'off'];

/** true/false, 1/0, yes/no, on/off. */
export function flag(spec: { readonly default: Default<boolean>; readonly defaultText?: string }): SettingParser<boolean> {
  return {
    accepts: 'true or false (1/0, yes/no, on/off)',
    defaultText: spec.defaultText ?? (typeof spec.default === 'boolean' ? (spec.default ? 'on' : 'off') : ''),
    defaultIsValue: false,
    read(name, raw, env) {
      const fallback = valueOf(spec.default, env);
      const text = raw?.trim() ?? '';
      if (text === '') return fallback;
      if (TRUE_WORDS.includes(text.toLowerCase())) return true;
      if (FALSE_WORDS.includes(text.toLowerCase())) return false;
      throw new SettingError(name, `${name} must be true or false (default ${fallback}); got ${echoSetting(text)}`);
    },
  };
}

export interface TextSpec<D extends string | undefined> {
  readonly default: D;
  /** The default in words when it is not a value to type (`none`, `the cached default model`). */
  readonly defaultText?: string;
  /** What the text may be, in words; default "text". */
  readonly accepts?: string;
  /** Text it must match whole; a mismatch is refused with `accepts` in the message. */
  readonly pattern?: RegExp;
  /** A check by the module that owns the value: throws an Error whose message names the setting. */
  readonly check?: (text: string) => void;
}

/** Free text (trimmed), optionally held to a pattern or the owner's check. */
export function text<D extends string | undefined>(spec: TextSpec<D>): SettingParser<string | D> {
  const accepts = spec.accepts ?? 'text';
  return {
    accepts,
    defaultText: spec.defaultText ?? String(spec.default),
    defaultIsValue: spec.defaultText === undefined,
    read(name, raw) {
      const value = raw?.trim() ?? '';
      if (value === '') return spec.default;
      if (spec.pattern && !spec.pattern.test(value)) {
        throw new SettingError(
          name,
          `${name} must be ${accepts} (default ${spec.defaultText ?? String(spec.default)}); got ${echoSetting(value)}`,
        );
      }
      if (spec.check) rethrowAsSettingError(name, () => spec.check?.(value));
      return value;
    },
  };
}

export interface ParsedSpec<T> {
  /** The owner's parser: takes the raw text (undefined when unset), returns the value, throws an Error naming the setting. */
  readonly parse: (raw: string | undefined) => T;
  readonly accepts: string;
  readonly defaultText: string;
}

/** A setting with a grammar of its own (RATE_LIMIT, TRUST_PROXY…), read by the module that owns it. */
export function parsed<T>(spec: ParsedSpec<T>): SettingParser<T> {
  return {
    accepts: spec.accepts,
    defaultText: spec.defaultText,
    defaultIsValue: false,
    read: (name, raw) => rethrowAsSettingError(name, () => spec.parse(raw)),
  };
}

function valueOf<T>(value: Default<T>, env: Environment): T {
  return typeof value === 'function' ? (value as (env: Environment) => T)(env) : value;
}

/** Runs `parse`; an Error it throws becomes a SettingError for `name` with the same message. */
function rethrowAsSettingError<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SettingError) throw error;
    throw new SettingError(name, error instanceof Error ? error.message : String(error));
  }
}
