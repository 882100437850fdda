/** GraphQL enums: the Florence-2 tasks by name, and caption detail levels. */
import 'reflect-metadata';
import { registerEnumType } from 'type-graphql';
import type { TaskToken } from '../../vision/tasks.js';

/** Every Florence-2 task; the value is the task token the model is prompted with. */
export enum TaskName {
  CAPTION = '<CAPTION>',
  DETAILED_CAPTION = '<DETAILED_CAPTION>',
  MORE_DETAILED_CAPTION = '<MORE_DETAILED_CAPTION>',
  OD = '<OD>',
  DENSE_REGION_CAPTION = '<DENSE_REGION_CAPTION>',
  REGION_PROPOSAL = '<REGION_PROPOSAL>',
  OCR = '<OCR>',
  OCR_WITH_REGION = '<OCR_WITH_REGION>',
  CAPTION_TO_PHRASE_GROUNDING = '<CAPTION_TO_PHRASE_GROUNDING>',
  REFERRING_EXPRESSION_SEGMENTATION = '<REFERRING_EXPRESSION_SEGMENTATION>',
  OPEN_VOCABULARY_DETECTION = '<OPEN_VOCABULARY_DETECTION>',
  REGION_TO_SEGMENTATION = '<REGION_TO_SEGMENTATION>',
  REGION_TO_CATEGORY = '<REGION_TO_CATEGORY>',
  REGION_TO_DESCRIPTION = '<REGION_TO_DESCRIPTION>',
  REGION_TO_OCR = '<REGION_TO_OCR>',
}

/** Compiles only while `T` is `true`: a check with no run-time trace. */
type Holds<T extends true> = T;

/**
 * The enum's values are exactly the task table's tokens (vision/tasks.ts): a task added to one and
 * not the other stops the build here. The enum stays its own declaration because its member names,
 * order and descriptions are the schema's, and a TypeScript enum cannot be computed.
 */
export type TaskNamesAreTableTokens = Holds<
  [`${TaskName}`] extends [TaskToken] ? ([TaskToken] extends [`${TaskName}`] ? true : false) : false
>;

/** The enum member of a task token (the same string; see TaskNamesAreTableTokens). */
export function taskNameOf(token: TaskToken): TaskName {
  return token as TaskName;
}

registerEnumType(TaskName, {
  name: 'Task',
  description:
    'A Florence-2 task. Tasks marked "takes input" need `input`: free text, or for REGION_TO_* a region ' +
    '`<loc_x1><loc_y1><loc_x2><loc_y2>` (bins 0–999).',
  valuesConfig: {
    CAPTION: { description: 'A one-sentence caption.' },
    DETAILED_CAPTION: { description: 'A few sentences.' },
    MORE_DETAILED_CAPTION: { description: 'A paragraph.' },
    OD: { description: 'Object detection: boxes with category names.' },
    DENSE_REGION_CAPTION: { description: 'Boxes with a short description each.' },
    REGION_PROPOSAL: { description: 'Boxes of likely objects, without labels.' },
    OCR: { description: 'The text in the image.' },
    OCR_WITH_REGION: { description: 'Lines of text with their quadrilaterals.' },
    CAPTION_TO_PHRASE_GROUNDING: { description: 'Boxes for the phrases of a caption (takes input: the caption).' },
    REFERRING_EXPRESSION_SEGMENTATION: { description: 'Polygons of what an expression refers to (takes input).' },
    OPEN_VOCABULARY_DETECTION: { description: 'Boxes or polygons of a named thing (takes input).' },
    REGION_TO_SEGMENTATION: { description: 'Polygons of the object in a region (takes input: a region).' },
    REGION_TO_CATEGORY: { description: 'The category of a region (takes input: a region).' },
    REGION_TO_DESCRIPTION: { description: 'A description of a region (takes input: a region).' },
    REGION_TO_OCR: { description: 'The text in a region (takes input: a region).' },
  },
});

export enum CaptionDetail {
  BRIEF = 'BRIEF',
  DETAILED = 'DETAILED',
  MORE_DETAILED = 'MORE_DETAILED',
}

registerEnumType(CaptionDetail, {
  name: 'CaptionDetail',
  description: 'How much a caption says.',
  valuesConfig: {
    BRIEF: { description: 'One sentence (<CAPTION>).' },
    DETAILED: { description: 'A few sentences (<DETAILED_CAPTION>).' },
    MORE_DETAILED: { description: 'A paragraph (<MORE_DETAILED_CAPTION>).' },
  },
});

/** The task of each detail level; `as const`, so a caption's answer is typed as text. */
export const CAPTION_TASKS = {
  [CaptionDetail.BRIEF]: TaskName.CAPTION,
  [CaptionDetail.DETAILED]: TaskName.DETAILED_CAPTION,
  [CaptionDetail.MORE_DETAILED]: TaskName.MORE_DETAILED_CAPTION,
} as const satisfies Readonly<Record<CaptionDetail, TaskName>>;
