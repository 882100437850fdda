/**
 * The example tabs GraphiQL opens with at `/`. Plain data with no DOM types, so the main tsc build
 * compiles it too and tests can check every example against the schema (test/browser/examples).
 * The page bundle (src/graphiql/main.jsx) imports it through esbuild.
 */

/** A 16×16 PNG, a red square on blue, so "run" works at once against a local gateway. */
export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQAQMAAAAlPW0iAAAABlBMVEXcKChGgsi8sce2AAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAFElEQVQI12P4/58BGX3gx4KQFAAAY38Y6NGWj1sAAAAASUVORK5CYII=';

/** The picture the Florence-2 model card uses; the server fetches it, not the browser. */
export const EXAMPLE_IMAGE_URL = 'https://huggingface.co/datasets/huggingface/documentation-images/resolve/main/transformers/tasks/car.jpg';

export interface ExampleTab {
  readonly query: string;
  /** The variables editor's content, as JSON text. */
  readonly variables: string;
}

// Repeated at the top of each tab: where the image comes from and how to use another one.
const IMAGE_NOTE = `# $base64: the image inline, plain base64 or a data: URL; the
# default is a 16×16 PNG. Other sources: image(url: "https://…"),
# fetched by the gateway (it refuses private and loopback
# addresses unless allowed), or image(id: "sha256:…") after
# POST /images. Run: Ctrl+Enter (⌘+Enter) or the ▶ button.`;

const base64Variables = JSON.stringify({ base64: TINY_PNG_BASE64 }, null, 2);

const cascade = `# THE CASCADE: a caption, the regions each of its phrases
# refers to and each region's outline: three tasks, one query.
${IMAGE_NOTE}
query Cascade($base64: String) {
  image(base64: $base64) {
    id
    width
    height
    format
    caption {
      text
      phrases {
        phrase
        regions {
          box { x1 y1 x2 y2 }
          segment { area svgPath }
        }
      }
    }
  }
}
`;

const objects = `# Objects (<OD>), then a category and a description of each
# object's box.
${IMAGE_NOTE}
query Objects($base64: String) {
  image(base64: $base64) {
    width
    height
    objects {
      label
      box { x1 y1 x2 y2 }
      category
      description
    }
  }
}
`;

const text = `# OCR: all the text (<OCR>), and lines with their
# quadrilaterals (<OCR_WITH_REGION>).
${IMAGE_NOTE}
query Text($base64: String) {
  image(base64: $base64) {
    text
    textRegions {
      text
      quad { x y }
      box { x1 y1 x2 y2 }
    }
  }
}
`;

const findAndSegment = `# Open-vocabulary detection and referring-expression
# segmentation.
${IMAGE_NOTE}
query FindAndSegment($base64: String, $query: String!) {
  image(base64: $base64) {
    find(query: $query) {
      label
      box { x1 y1 x2 y2 }
      segment { area }
    }
    segment(query: $query) {
      box { x1 y1 x2 y2 }
      area
      svgPath
    }
  }
}
`;

const region = `# A box you name (pixels of the original image) and the
# region tasks on it.
${IMAGE_NOTE}
query Region($base64: String, $box: BoxInput!) {
  image(base64: $base64) {
    region(box: $box) {
      category
      description
      text
      segment { svgPath }
    }
  }
}
`;

const task = `# Any Florence-2 task by name: the raw generation and its parsed form.
# Tasks that take input (grounding, segmentation, detection,
# REGION_TO_*) read it from input:.
${IMAGE_NOTE}
query Task($base64: String) {
  image(base64: $base64) {
    detection: task(name: OD) { prompt text result score }
    grounding: task(name: CAPTION_TO_PHRASE_GROUNDING, input: "a red square") { text result }
  }
}
`;

const byUrl = `# An image by URL, fetched by the gateway (http/https only).
# This is the Florence-2 model card's picture, so it needs a
# gateway that can reach the internet.
query ByUrl($url: String) {
  image(url: $url) {
    id
    width
    height
    caption(detail: DETAILED) { text }
    objects { label box { x1 y1 x2 y2 } }
  }
}
`;

const model = `# The model this gateway serves and the tasks it knows.
query Model {
  model {
    id
    fingerprint
    dtype
    device
    hiddenSize
    decoderLayers
    tasks
  }
}
`;

/** In the order GraphiQL shows them; the first (the cascade) is the open tab. */
export const EXAMPLE_TABS: readonly ExampleTab[] = [
  { query: cascade, variables: base64Variables },
  { query: objects, variables: base64Variables },
  { query: text, variables: base64Variables },
  { query: findAndSegment, variables: JSON.stringify({ base64: TINY_PNG_BASE64, query: 'red square' }, null, 2) },
  { query: region, variables: JSON.stringify({ base64: TINY_PNG_BASE64, box: { x1: 4, y1: 5, x2: 12, y2: 12 } }, null, 2) },
  { query: task, variables: base64Variables },
  { query: byUrl, variables: JSON.stringify({ url: EXAMPLE_IMAGE_URL }, null, 2) },
  { query: model, variables: '{}' },
];
