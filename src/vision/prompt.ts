/**
 * Prompt construction: a task token (plus its input) to the English prompt the model was trained
 * on (INTERFACE.md §8), under the gateway rules of `../shared/vectors/README.md` ("Prompt
 * construction", HF native: the input is trimmed; extra text after a no-input task is an error).
 */
import { TaskInputError, UnknownTaskError } from './errors.js';
import { trimPython } from './postprocess/whitespace.js';
import { TASKS, TASK_TOKENS, findTask, type TaskSpec } from './tasks.js';

const INPUT_PLACEHOLDER = '{input}';

/** Tasks that take no input, then those that do, each in table order: the order matches are tried in. */
const NO_INPUT_TASKS: readonly TaskSpec[] = TASKS.filter((task) => task.input === 'none');
const INPUT_TASKS: readonly TaskSpec[] = TASKS.filter((task) => task.input !== 'none');

/** Longest piece of a caller's text echoed in an error message. */
const MAX_ECHOED_CHARS = 80;

/**
 * The prompt for `text`, a task token followed by its input or free text:
 * 1. text containing a no-input task token must be exactly that token;
 * 2. otherwise the first input task whose token occurs takes the text with every occurrence of
 *    its token removed, trimmed, as `{input}` (an empty input is an error);
 * 3. text without a task token is the prompt unchanged.
 * Throws TaskInputError for the errors of 1 and 2.
 */
export function promptFromText(text: string): string {
  if (typeof text !== 'string') throw new TaskInputError(`prompt text must be a string; got ${typeof text}`);
  for (const task of NO_INPUT_TASKS) {
    if (!text.includes(task.token)) continue;
    if (text !== task.token) {
      throw new TaskInputError(`task ${task.token} takes no input: expected exactly ${JSON.stringify(task.token)}; got ${echo(text)}`);
    }
    return task.prompt;
  }
  for (const task of INPUT_TASKS) {
    if (!text.includes(task.token)) continue;
    const input = trimPython(text.replaceAll(task.token, ''));
    if (input === '') {
      throw new TaskInputError(`task ${task.token} needs ${inputDescription(task)} after the token; got ${echo(text)}`);
    }
    // split/join rather than replace(): a string replacement would interpret `$&`, `$1`… in the input.
    return task.prompt.split(INPUT_PLACEHOLDER).join(input);
  }
  return text;
}

/**
 * The public form: `task` is one of the 15 task tokens, with `input` for the tasks that take one,
 * or free text used as the prompt as is (then without `input`). The result equals
 * `promptFromText(task + input)`. Throws UnknownTaskError for a token-looking task that is not a
 * Florence-2 task (`<FOO>`), and TaskInputError for input given to a task that takes none, a
 * missing or blank input, an input that holds a task token, blank free text, or input given
 * with free text.
 */
export function constructPrompt(task: string, input?: string): string {
  if (typeof task !== 'string') throw new TaskInputError(`task must be a string; got ${typeof task}`);
  if (input !== undefined && typeof input !== 'string') {
    throw new TaskInputError(`input must be a string or omitted; got ${input === null ? 'null' : typeof input}`);
  }
  const spec = findTask(task);
  if (spec === undefined) {
    if (looksLikeTaskToken(task)) {
      throw new UnknownTaskError(`unknown task ${echo(task)}: expected one of ${TASK_TOKENS.join(', ')}, or free text`);
    }
    if (trimPython(task) === '') {
      throw new TaskInputError(`expected a task token (${TASK_TOKENS[0]}, …) or a non-blank free-text prompt; got ${echo(task)}`);
    }
    if (input !== undefined) {
      throw new TaskInputError(
        `input is only taken by a task token; got task ${echo(task)}, which is free text, with input ${echo(input)}`,
      );
    }
    return promptFromText(task);
  }
  if (spec.input === 'none') {
    if (input !== undefined && input !== '') {
      throw new TaskInputError(`task ${spec.token} takes no input; got ${echo(input)}`);
    }
    return spec.prompt;
  }
  if (input === undefined || trimPython(input) === '') {
    throw new TaskInputError(`task ${spec.token} needs ${inputDescription(spec)}; got ${input === undefined ? 'no input' : echo(input)}`);
  }
  const embedded = TASK_TOKENS.find((token) => input.includes(token));
  if (embedded !== undefined) {
    throw new TaskInputError(`the input of ${spec.token} must not contain a task token; got ${echo(input)}, which contains ${embedded}`);
  }
  return promptFromText(spec.token + input);
}

/** `<FOO>`, `<od>`, `< OD >`: one pair of angle brackets around the whole (trimmed) text. */
function looksLikeTaskToken(task: string): boolean {
  return /^<[^<>]+>$/.test(trimPython(task));
}

function inputDescription(task: TaskSpec): string {
  return task.input === 'region' ? 'a region input (`<loc_x1><loc_y1><loc_x2><loc_y2>`, see regionToLocTokens)' : 'a text input';
}

/** The caller's text quoted for a message, shortened when long. */
function echo(text: string): string {
  if (text.length <= MAX_ECHOED_CHARS) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, MAX_ECHOED_CHARS))}… (${text.length} characters)`;
}
