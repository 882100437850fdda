// Where a user hands the explorer a picture: a file picker, a drop zone, and paste anywhere on the
// page while the panel is open (only an image on the clipboard is taken; text pastes as usual).
import { useEffect, useRef, useState } from 'react';

/** @param {{ onFile: (file: File) => void, busy: boolean }} props */
export function ImagePicker({ onFile, busy }) {
  const input = useRef(null);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    const onPaste = (event) => {
      const file = [...(event.clipboardData?.files ?? [])].find((candidate) => candidate.type.startsWith('image/'));
      if (!file) return;
      event.preventDefault();
      onFile(file);
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [onFile]);

  return (
    <div
      className={`explorer-drop${dragging ? ' is-dragging' : ''}`}
      data-explorer-drop=""
      onDragOver={(event) => {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        const file = event.dataTransfer.files[0];
        if (file) onFile(file);
      }}
    >
      <button type="button" className="graphiql-button" disabled={busy} onClick={() => input.current?.click()}>
        Pick an image…
      </button>
      <span>or drop or paste one here. It is uploaded (POST /images) and becomes the tab’s id variable.</span>
      <input
        ref={input}
        type="file"
        accept="image/*"
        hidden
        data-explorer-file=""
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          event.currentTarget.value = ''; // picking the same file again still counts
          if (file) onFile(file);
        }}
      />
    </div>
  );
}
