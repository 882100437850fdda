/**
 * The example tabs GraphiQL opens with at `/`. Plain data with no DOM types, so the main tsc build
 * compiles it too and tests can check every example against the schema (test/browser/examples).
 * The page bundle (src/graphiql/main.jsx) imports it through esbuild.
 */

/**
 * The sha256 of src/graphiql/example.jpg, the bundled 1024×768 street scene every image tab opens
 * with (drawn by scripts/make-example-image.mjs). The page uploads the picture itself before it
 * runs an operation with this id (see exampleUpload in main.jsx); a test checks the two agree.
 */
export const EXAMPLE_IMAGE_ID = 'sha256:a05d7c921ce0945c44689d0aca6011df06ad8f6b92cf9be683fec22b124e487b';

/** The picture the Florence-2 model card uses; the server fetches it, not the browser. */
export const EXAMPLE_IMAGE_URL = 'https://huggingface.co/datasets/huggingface/documentation-images/resolve/main/transformers/tasks/car.jpg';

export interface ExampleTab {
  readonly query: string;
  /** The variables editor's content, as JSON text. */
  readonly variables: string;
}

// Repeated at the top of each image tab: where the image comes from and how to use another one.
const IMAGE_NOTE = `# The image: set exactly one of the variables: id (from
# POST /images, or drop, paste or pick a file in the Explorer
# panel: the picture icon on the left), base64 (plain or a data: URL)
# or url (fetched by the gateway; private and loopback addresses
# are refused unless allowed). The default id is the bundled
# example picture, uploaded by this page when you run a tab.
# Run: Ctrl+Enter (⌘+Enter) or the ▶ button.`;

/** The image arguments of every image tab: any one source, so a pasted url or base64 just works. */
const IMAGE_VARIABLES = '$id: ID, $base64: String, $url: String';
const IMAGE_ARGUMENTS = 'id: $id, base64: $base64, url: $url';

/** The variables editor's text for the example picture plus `extra` variables. */
function exampleVariables(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ id: EXAMPLE_IMAGE_ID, ...extra }, null, 2);
}

const cascade = `# THE CASCADE: a caption, the regions each of its phrases
# refers to and each region's outline: three tasks, one query.
${IMAGE_NOTE}
query Cascade(${IMAGE_VARIABLES}) {
  image(${IMAGE_ARGUMENTS}) {
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
query Objects(${IMAGE_VARIABLES}) {
  image(${IMAGE_ARGUMENTS}) {
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
query Text(${IMAGE_VARIABLES}) {
  image(${IMAGE_ARGUMENTS}) {
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
query FindAndSegment(${IMAGE_VARIABLES}, $query: String!) {
  image(${IMAGE_ARGUMENTS}) {
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
query Region(${IMAGE_VARIABLES}, $box: BoxInput!) {
  image(${IMAGE_ARGUMENTS}) {
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
query Task(${IMAGE_VARIABLES}) {
  image(${IMAGE_ARGUMENTS}) {
    detection: task(name: OD) { prompt text result score }
    grounding: task(name: CAPTION_TO_PHRASE_GROUNDING, input: "a red car") { text result }
  }
}
`;

// Served over graphql-ws on /graphql (ws:// of this page's origin); GraphiQL shows each event.
const streamCaption = `# A detailed caption streamed as it is generated: an event per
# token with the text so far, then a last one with done: true
# and the score. Runs over a WebSocket (graphql-ws) on /graphql.
${IMAGE_NOTE}
subscription StreamCaption(${IMAGE_VARIABLES}) {
  generation(${IMAGE_ARGUMENTS}, task: MORE_DETAILED_CAPTION) {
    text
    tokens
    done
    score
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
  { query: cascade, variables: exampleVariables() },
  { query: objects, variables: exampleVariables() },
  { query: text, variables: exampleVariables() },
  { query: findAndSegment, variables: exampleVariables({ query: 'red car' }) },
  // The red car of the example picture.
  { query: region, variables: exampleVariables({ box: { x1: 148, y1: 566, x2: 472, y2: 706 } }) },
  { query: task, variables: exampleVariables() },
  { query: streamCaption, variables: exampleVariables() },
  { query: byUrl, variables: JSON.stringify({ url: EXAMPLE_IMAGE_URL }, null, 2) },
  { query: model, variables: '{}' },
];
