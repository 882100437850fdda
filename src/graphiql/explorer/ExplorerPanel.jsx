// The explorer: a GraphiQL plugin panel that shows the picture of the current tab's last answer
// with every box, quad and polygon of that answer drawn over it, one colour and one toggle per
// path pattern, and hover that names a shape's JSON path, label and score. It reads the tab
// (response, variables, headers) through @graphiql/react's useGraphiQL store hook.
//
// The answer and the variables are read together, when the answer arrives: editing the variables
// afterwards does not move the drawing onto another picture until the next run.
import { useGraphiQL, useGraphiQLActions } from '@graphiql/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { parseEditorJson, requestHeadersOf, withImageId } from './editorText.js';
import { imageSourceOf } from './imageSource.js';
import { uploadImage } from './imagesClient.js';
import { ImagePicker } from './ImagePicker.jsx';
import { findResponseImage, findShapes } from './shapes.js';
import { ShapeOverlay } from './ShapeOverlay.jsx';
import { rememberUploadedImage, storedImageUrl } from './storedImages.js';
import './explorer.css';

/** One colour per path pattern, in order of appearance (d3's category10 without its grey). */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf'];

export const EXPLORER_PLUGIN = {
  title: 'Image explorer',
  icon: ExplorerIcon,
  content: ExplorerPanel,
};

function ExplorerPanel() {
  const { tab, variableEditor, headerEditor } = useGraphiQL((state) => ({
    tab: state.tabs[state.activeTabIndex],
    variableEditor: state.variableEditor,
    headerEditor: state.headerEditor,
  }));
  const { updateActiveTabValues } = useGraphiQLActions();
  const answer = useAnswer(tab);
  const [uploaded, setUploaded] = useState(undefined);
  const [status, setStatus] = useState(undefined);
  const [hidden, setHidden] = useState(() => new Set());
  const [hovered, setHovered] = useState(undefined);
  const [naturalSize, setNaturalSize] = useState(undefined);

  // A new answer (or tab) replaces the picture just uploaded and the upload's message: from then
  // on the picture is the answer's.
  useEffect(() => {
    setUploaded(undefined);
    setStatus((current) => (current?.busy ? current : undefined));
    setHovered(undefined);
  }, [answer]);

  const shapes = useMemo(() => colourShapes(findShapes(answer.body)), [answer]);
  const groups = useMemo(() => groupsOf(shapes), [shapes]);
  const answered = useMemo(() => findResponseImage(answer.body), [answer]);
  const source = uploaded ? { kind: 'stored', id: uploaded.id } : imageSourceOf(parseEditorJson(answer.variables), answer.body);
  const picture = usePictureUrl(source, answer);
  // The answer's own size when it has one (pixels after EXIF orientation, as the browser shows
  // the picture); else the picture's, once loaded.
  const loadedSize = naturalSize && naturalSize.url === picture.url ? naturalSize : undefined;
  const size = !uploaded && answered.width && answered.height ? { width: answered.width, height: answered.height } : loadedSize;
  const visible = uploaded ? [] : shapes.filter((item) => !hidden.has(item.shape.group));
  const hoveredShape = visible.find((item) => item.key === hovered)?.shape;

  const upload = useCallback(
    async (file) => {
      setStatus({ busy: true, message: `Uploading ${file.name || 'the pasted image'}…` });
      try {
        const headers = requestHeadersOf(headerEditor ? headerEditor.getValue() : tab?.headers);
        const image = await uploadImage(document.baseURI, file, headers);
        rememberUploadedImage(image.id, file);
        const variables = variableEditor ? variableEditor.getValue() : (tab?.variables ?? '');
        const update = withImageId(variables, image.id);
        if (update.ok) {
          if (variableEditor) variableEditor.setValue(update.text);
          else updateActiveTabValues({ variables: update.text });
        }
        setUploaded(image);
        const what = `${file.name || 'The pasted image'}: ${image.width}×${image.height} ${image.format}`;
        setStatus(
          update.ok
            ? { message: `${what}, now the id variable. Run the query to draw its answer.` }
            : { error: true, message: `${what} was uploaded, but ${update.reason}.` },
        );
      } catch (error) {
        setStatus({ error: true, message: error instanceof Error ? error.message : String(error) });
      }
    },
    [headerEditor, variableEditor, tab?.headers, tab?.variables, updateActiveTabValues],
  );

  return (
    <section className="explorer" aria-label="Image explorer">
      <div className="graphiql-doc-explorer-title">Image explorer</div>
      <ImagePicker onFile={upload} busy={Boolean(status?.busy)} />
      {status && (
        <p className={`explorer-status${status.error ? ' is-error' : ''}`} role="status" data-explorer-status="">
          {status.message}
        </p>
      )}
      {source.kind === 'none' && <p className="explorer-note">{source.reason}</p>}
      {picture.error && (
        <p className="explorer-status is-error" data-explorer-error="">
          {picture.error}
        </p>
      )}
      {picture.url && (
        <ShapeOverlay
          url={picture.url}
          size={size}
          shapes={visible}
          hovered={hovered}
          onHover={setHovered}
          onNaturalSize={(natural) => setNaturalSize({ url: picture.url, ...natural })}
        />
      )}
      <p className="explorer-hover" data-explorer-hover="">
        {hoveredShape ? describeShape(hoveredShape) : summary(visible.length, shapes.length, size)}
      </p>
      {groups.length > 0 && !uploaded && (
        <ul className="explorer-groups" aria-label="Shapes by path">
          {groups.map(({ group, colour, count }) => (
            <li key={group}>
              <label>
                <input
                  type="checkbox"
                  data-explorer-toggle={group}
                  checked={!hidden.has(group)}
                  onChange={(event) => {
                    const checked = event.currentTarget.checked;
                    setHidden((current) => {
                      const next = new Set(current);
                      if (checked) next.delete(group);
                      else next.add(group);
                      return next;
                    });
                  }}
                />
                <span className="explorer-swatch" style={{ background: colour }} />
                <code>{group}</code>
                <span className="explorer-count">{count}</span>
              </label>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * The tab's last answer and the variables and headers it was run with, re-read only when the
 * answer (or the tab) changes.
 */
function useAnswer(tab) {
  const id = tab?.id ?? '';
  const response = tab?.response ?? '';
  const [answer, setAnswer] = useState(() => readAnswer(tab));
  // Derived state, updated during render (React's pattern for "when a prop changes").
  if (answer.tabId !== id || answer.response !== response) {
    const next = readAnswer(tab);
    setAnswer(next);
    return next;
  }
  return answer;
}

function readAnswer(tab) {
  const response = tab?.response ?? '';
  let body = null;
  try {
    body = response ? JSON.parse(response) : null;
  } catch {
    // A half-written or non-JSON response: nothing to draw.
  }
  return { tabId: tab?.id ?? '', response, body, variables: tab?.variables ?? '', headers: tab?.headers ?? '' };
}

/**
 * The object URL or data: URL of the picture to show, or why there is none. Asked again for each
 * answer: a picture refused before (no API key yet, say) may load now; one loaded is remembered.
 */
function usePictureUrl(source, answer) {
  const key = source.kind === 'inline' ? source.url : source.kind === 'stored' ? source.id : '';
  const [loaded, setLoaded] = useState({ key: '' });
  useEffect(() => {
    if (source.kind !== 'stored') return undefined;
    let current = true;
    storedImageUrl(source.id, requestHeadersOf(answer.headers)).then(
      (url) => current && setLoaded({ key, url }),
      (error) => current && setLoaded({ key, error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      current = false;
    };
  }, [key, answer]); // eslint-disable-line react-hooks/exhaustive-deps
  if (source.kind === 'inline') return { url: source.url };
  return loaded.key === key ? loaded : {};
}

function colourShapes(shapes) {
  const colours = new Map();
  return shapes.map((shape) => {
    if (!colours.has(shape.group)) colours.set(shape.group, PALETTE[colours.size % PALETTE.length]);
    return { key: shape.part === undefined ? shape.path : `${shape.path}#${shape.part}`, shape, colour: colours.get(shape.group) };
  });
}

function groupsOf(shapes) {
  const groups = new Map();
  for (const { shape, colour } of shapes) {
    const group = groups.get(shape.group) ?? { group: shape.group, colour, count: 0 };
    group.count++;
    groups.set(shape.group, group);
  }
  return [...groups.values()];
}

function describeShape(shape) {
  const where = shape.part === undefined ? shape.path : `${shape.path}, polygon ${shape.part + 1}`;
  const parts = [where, shape.kind];
  if (shape.label !== undefined) parts.push(`“${shape.label}”`);
  if (shape.score !== undefined) parts.push(`score ${shape.score.toFixed(4)}`);
  if (shape.kind === 'box') {
    const [{ x: x1, y: y1 }, , { x: x2, y: y2 }] = shape.points;
    parts.push(`(${round(x1)}, ${round(y1)}) – (${round(x2)}, ${round(y2)})`);
  } else {
    parts.push(`${shape.points.length} points`);
  }
  return parts.join(' · ');
}

function summary(shown, total, size) {
  const on = size ? ` on ${size.width}×${size.height}` : '';
  if (total === 0) return `No boxes, quads or polygons in the answer${on}.`;
  return `${shown} of ${total} shape${total === 1 ? '' : 's'}${on}. Hover one to see its path.`;
}

function round(value) {
  return Math.round(value * 10) / 10;
}

function ExplorerIcon() {
  return (
    <svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
      <rect x="3" y="4" width="18" height="16" rx="2" />
      <path d="M3 16l5-5 4 4 3-3 6 6" />
      <rect x="12.5" y="6.5" width="6" height="5" strokeDasharray="2 1.5" />
    </svg>
  );
}
