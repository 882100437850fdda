/**
 * The Florence-2 task table: the one place that knows each task's token, prompt, input kind and
 * post-processing type (INTERFACE.md §8, identical in Microsoft's, HF's and transformers.js' code).
 * Everything else derives from it: the token list, the specs, the parse type and the result type of
 * each task (`ResultForTask<'<OD>'>` is `BoxesResult`), and the synthetic model's processor config.
 *
 * Order matters: prompt construction checks tasks that take no input first, then the others, each
 * in table order, and the first match wins. The table is an object keyed by token so that a token
 * indexes its row at the type level; JavaScript keeps the insertion order of string keys that are
 * not array indices, and no task token is one.
 */
import type { ParserType, ResultByParserType, TaskResult } from './results.js';

/** What follows the task token: nothing, free text, or a region `<loc_x1><loc_y1><loc_x2><loc_y2>`. */
export type InputKind = 'none' | 'text' | 'region';

/** One row of the table. */
interface TaskRow {
  /** The English prompt; `{input}` is replaced by the (trimmed) input for tasks that take one. */
  readonly prompt: string;
  readonly input: InputKind;
  /** The parser of the task's answer (the names HF and transformers.js use). */
  readonly parse: ParserType;
}

export const TASK_TABLE = {
  '<OCR>': { prompt: 'What is the text in the image?', input: 'none', parse: 'pure_text' },
  '<OCR_WITH_REGION>': { prompt: 'What is the text in the image, with regions?', input: 'none', parse: 'ocr' },
  '<CAPTION>': { prompt: 'What does the image describe?', input: 'none', parse: 'pure_text' },
  '<DETAILED_CAPTION>': { prompt: 'Describe in detail what is shown in the image.', input: 'none', parse: 'pure_text' },
  '<MORE_DETAILED_CAPTION>': { prompt: 'Describe with a paragraph what is shown in the image.', input: 'none', parse: 'pure_text' },
  '<OD>': { prompt: 'Locate the objects with category name in the image.', input: 'none', parse: 'description_with_bboxes' },
  '<DENSE_REGION_CAPTION>': {
    prompt: 'Locate the objects in the image, with their descriptions.',
    input: 'none',
    parse: 'description_with_bboxes',
  },
  '<REGION_PROPOSAL>': { prompt: 'Locate the region proposals in the image.', input: 'none', parse: 'bboxes' },
  '<CAPTION_TO_PHRASE_GROUNDING>': { prompt: 'Locate the phrases in the caption: {input}', input: 'text', parse: 'phrase_grounding' },
  '<REFERRING_EXPRESSION_SEGMENTATION>': { prompt: 'Locate {input} in the image with mask', input: 'text', parse: 'polygons' },
  '<REGION_TO_SEGMENTATION>': { prompt: 'What is the polygon mask of region {input}', input: 'region', parse: 'polygons' },
  '<OPEN_VOCABULARY_DETECTION>': { prompt: 'Locate {input} in the image.', input: 'text', parse: 'description_with_bboxes_or_polygons' },
  '<REGION_TO_CATEGORY>': { prompt: 'What is the region {input}?', input: 'region', parse: 'pure_text' },
  '<REGION_TO_DESCRIPTION>': { prompt: 'What does the region {input} describe?', input: 'region', parse: 'pure_text' },
  '<REGION_TO_OCR>': { prompt: 'What text is in the region {input}?', input: 'region', parse: 'pure_text' },
} as const satisfies Readonly<Record<`<${string}>`, TaskRow>>;

type TaskTable = typeof TASK_TABLE;

export type TaskToken = keyof TaskTable;

/** How a task's generated text is parsed: the parsers the table selects. */
export type ParseType = TaskTable[TaskToken]['parse'];

/** The parser of one task (`ParseTypeOf<'<OD>'>` is `'description_with_bboxes'`). */
export type ParseTypeOf<T extends TaskToken> = TaskTable[T]['parse'];

/** A row of the table with its token. */
export interface TaskSpec extends TaskRow {
  readonly token: TaskToken;
  readonly parse: ParseType;
}

/** Every task token, in table order. */
export const TASK_TOKENS: readonly TaskToken[] = Object.freeze(Object.keys(TASK_TABLE).filter(isTaskToken));

/** Every task, in table order. */
export const TASKS: readonly TaskSpec[] = Object.freeze(TASK_TOKENS.map((token) => Object.freeze({ token, ...TASK_TABLE[token] })));

export function isTaskToken(value: string): value is TaskToken {
  return Object.hasOwn(TASK_TABLE, value);
}

/** The spec of a known task token, or undefined. */
export function findTask(token: string): TaskSpec | undefined {
  return isTaskToken(token) ? { token, ...TASK_TABLE[token] } : undefined;
}

/** The post-processing type of any task string; unknown strings are pure text (INTERFACE.md §8). */
export function parseTypeOf(task: string): ParseType {
  return isTaskToken(task) ? TASK_TABLE[task].parse : 'pure_text';
}

/**
 * The answer for a task string: precise for a literal task token (or a string enum member whose
 * value is one), `string` for any other literal (unknown tasks are pure text), and the union when
 * the task is only known as `string`.
 */
export type ResultForTask<T extends string> = string extends T
  ? TaskResult
  : T extends TaskToken
    ? ResultByParserType[ParseTypeOf<T>]
    : string;
