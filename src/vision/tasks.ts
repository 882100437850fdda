/**
 * The Florence-2 task table: the one place that knows each task's token, prompt, input kind and
 * post-processing type (INTERFACE.md §8, identical in Microsoft's, HF's and transformers.js' code).
 * Order matters: prompt construction checks tasks that take no input first, then the others, each
 * in table order, and the first match wins.
 */

/** How a task's generated text is parsed (the names HF and transformers.js use). */
export type ParseType =
  | 'pure_text'
  | 'description_with_bboxes'
  | 'bboxes'
  | 'phrase_grounding'
  | 'ocr'
  | 'polygons'
  | 'description_with_bboxes_or_polygons';

/** What follows the task token: nothing, free text, or a region `<loc_x1><loc_y1><loc_x2><loc_y2>`. */
export type InputKind = 'none' | 'text' | 'region';

export interface TaskSpec {
  readonly token: TaskToken;
  /** The English prompt; `{input}` is replaced by the (trimmed) input for tasks that take one. */
  readonly prompt: string;
  readonly input: InputKind;
  readonly parse: ParseType;
}

export const TASK_TOKENS = [
  '<OCR>',
  '<OCR_WITH_REGION>',
  '<CAPTION>',
  '<DETAILED_CAPTION>',
  '<MORE_DETAILED_CAPTION>',
  '<OD>',
  '<DENSE_REGION_CAPTION>',
  '<REGION_PROPOSAL>',
  '<CAPTION_TO_PHRASE_GROUNDING>',
  '<REFERRING_EXPRESSION_SEGMENTATION>',
  '<REGION_TO_SEGMENTATION>',
  '<OPEN_VOCABULARY_DETECTION>',
  '<REGION_TO_CATEGORY>',
  '<REGION_TO_DESCRIPTION>',
  '<REGION_TO_OCR>',
] as const;

export type TaskToken = (typeof TASK_TOKENS)[number];

export const TASKS: readonly TaskSpec[] = [
  { token: '<OCR>', prompt: 'What is the text in the image?', input: 'none', parse: 'pure_text' },
  { token: '<OCR_WITH_REGION>', prompt: 'What is the text in the image, with regions?', input: 'none', parse: 'ocr' },
  { token: '<CAPTION>', prompt: 'What does the image describe?', input: 'none', parse: 'pure_text' },
  { token: '<DETAILED_CAPTION>', prompt: 'Describe in detail what is shown in the image.', input: 'none', parse: 'pure_text' },
  { token: '<MORE_DETAILED_CAPTION>', prompt: 'Describe with a paragraph what is shown in the image.', input: 'none', parse: 'pure_text' },
  { token: '<OD>', prompt: 'Locate the objects with category name in the image.', input: 'none', parse: 'description_with_bboxes' },
  { token: '<DENSE_REGION_CAPTION>', prompt: 'Locate the objects in the image, with their descriptions.', input: 'none', parse: 'description_with_bboxes' },
  { token: '<REGION_PROPOSAL>', prompt: 'Locate the region proposals in the image.', input: 'none', parse: 'bboxes' },
  { token: '<CAPTION_TO_PHRASE_GROUNDING>', prompt: 'Locate the phrases in the caption: {input}', input: 'text', parse: 'phrase_grounding' },
  { token: '<REFERRING_EXPRESSION_SEGMENTATION>', prompt: 'Locate {input} in the image with mask', input: 'text', parse: 'polygons' },
  { token: '<REGION_TO_SEGMENTATION>', prompt: 'What is the polygon mask of region {input}', input: 'region', parse: 'polygons' },
  { token: '<OPEN_VOCABULARY_DETECTION>', prompt: 'Locate {input} in the image.', input: 'text', parse: 'description_with_bboxes_or_polygons' },
  { token: '<REGION_TO_CATEGORY>', prompt: 'What is the region {input}?', input: 'region', parse: 'pure_text' },
  { token: '<REGION_TO_DESCRIPTION>', prompt: 'What does the region {input} describe?', input: 'region', parse: 'pure_text' },
  { token: '<REGION_TO_OCR>', prompt: 'What text is in the region {input}?', input: 'region', parse: 'pure_text' },
];

const TASKS_BY_TOKEN: ReadonlyMap<string, TaskSpec> = new Map(TASKS.map((task) => [task.token, task]));

export function isTaskToken(value: string): value is TaskToken {
  return TASKS_BY_TOKEN.has(value);
}

/** The spec of a known task token, or undefined. */
export function findTask(token: string): TaskSpec | undefined {
  return TASKS_BY_TOKEN.get(token);
}

/** The post-processing type of any task string; unknown strings are pure text (INTERFACE.md §8). */
export function parseTypeOf(task: string): ParseType {
  return TASKS_BY_TOKEN.get(task)?.parse ?? 'pure_text';
}
