// The picture with the answer's shapes drawn over it in SVG. The SVG's user units are the image's
// own pixels (viewBox 0 0 width height, stretched over the displayed picture), so every shape is
// drawn at the coordinates the response gives, whatever size the panel shows the picture at.
import { useEffect, useRef, useState } from 'react';

/** Screen pixels of a label's text, whatever the picture's scale. */
const LABEL_FONT_PX = 12;
/** Longest label drawn on the picture; the hover line shows all of it. */
const MAX_LABEL_CHARACTERS = 32;

/**
 * @param {{
 *   url: string,
 *   size: { width: number, height: number } | undefined,
 *   shapes: { key: string, shape: import('./shapes.js').Shape, colour: string }[],
 *   hovered: string | undefined,
 *   onHover: (key: string | undefined) => void,
 *   onNaturalSize: (size: { width: number, height: number }) => void,
 * }} props
 */
export function ShapeOverlay({ url, size, shapes, hovered, onHover, onNaturalSize }) {
  const image = useRef(null);
  const shownWidth = useShownWidth(image);
  const scale = size && shownWidth ? shownWidth / size.width : undefined;

  return (
    <div className="explorer-picture">
      <img
        ref={image}
        src={url}
        alt="the image of the last query"
        data-explorer-image=""
        draggable={false}
        onLoad={(event) => onNaturalSize({ width: event.currentTarget.naturalWidth, height: event.currentTarget.naturalHeight })}
      />
      {size && scale && (
        <svg
          className="explorer-overlay"
          data-explorer-overlay=""
          viewBox={`0 0 ${size.width} ${size.height}`}
          preserveAspectRatio="none"
          onMouseLeave={() => onHover(undefined)}
        >
          {largestFirst(shapes).map(({ key, shape, colour }) => (
            <ShapeMark
              key={key}
              id={key}
              shape={shape}
              colour={colour}
              active={hovered === key}
              dimmed={hovered !== undefined && hovered !== key}
              onHover={onHover}
            />
          ))}
          {shapes.map(({ key, shape, colour }) => (
            <Label key={key} shape={shape} colour={colour} scale={scale} dimmed={hovered !== undefined && hovered !== key} />
          ))}
        </svg>
      )}
    </div>
  );
}

function ShapeMark({ id, shape, colour, active, dimmed, onHover }) {
  const common = {
    'data-shape': '',
    'data-path': shape.path,
    'data-part': shape.part ?? '',
    'data-kind': shape.kind,
    className: `explorer-shape${active ? ' is-active' : ''}${dimmed ? ' is-dimmed' : ''}`,
    stroke: colour,
    fill: colour,
    // Strokes keep their screen width however much the picture is scaled down.
    vectorEffect: 'non-scaling-stroke',
    onMouseEnter: () => onHover(id),
  };
  // Boxes too are polygons of their four corners in the answer's order, so a box whose x2 is left
  // of its x1 (a model may say so) is drawn exactly as given.
  return (
    <polygon {...common} points={shape.points.map((point) => `${point.x},${point.y}`).join(' ')}>
      <title>{shape.part === undefined ? shape.path : `${shape.path} (polygon ${shape.part + 1})`}</title>
    </polygon>
  );
}

function Label({ shape, colour, scale, dimmed }) {
  const text = labelText(shape);
  const fontSize = LABEL_FONT_PX / scale;
  const left = Math.min(...shape.points.map((point) => point.x));
  const top = Math.min(...shape.points.map((point) => point.y));
  // Above the shape when there is room, else just inside its top edge.
  const above = top >= fontSize * 1.2;
  return (
    <text
      className={`explorer-label${dimmed ? ' is-dimmed' : ''}`}
      x={left}
      y={above ? top - fontSize * 0.25 : top + fontSize}
      fontSize={fontSize}
      fill={colour}
      strokeWidth={3 / scale}
    >
      {text}
    </text>
  );
}

/** The shape's label, else the last step of its path (`box`, `quad`, `svgPath 2`). */
function labelText(shape) {
  const fallback = `${shape.path.slice(shape.path.lastIndexOf('.') + 1)}${shape.part === undefined ? '' : ` ${shape.part + 1}`}`;
  const text = shape.label ?? fallback;
  return text.length > MAX_LABEL_CHARACTERS ? `${text.slice(0, MAX_LABEL_CHARACTERS - 1)}…` : text;
}

/** Big shapes first, so a small one inside a big one stays on top and can be hovered. */
function largestFirst(shapes) {
  return [...shapes].sort((a, b) => area(b.shape) - area(a.shape));
}

function area(shape) {
  const xs = shape.points.map((point) => point.x);
  const ys = shape.points.map((point) => point.y);
  return (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys));
}

/** The displayed width of `element`, following window and panel resizes. */
function useShownWidth(element) {
  const [width, setWidth] = useState(undefined);
  useEffect(() => {
    const target = element.current;
    if (!target) return undefined;
    const observer = new ResizeObserver(() => setWidth(target.getBoundingClientRect().width || undefined));
    observer.observe(target);
    return () => observer.disconnect();
  }, [element]);
  return width;
}
