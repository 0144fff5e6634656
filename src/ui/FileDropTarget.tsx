// Drag and drop of a model folder (or its files) anywhere on the page: while files are dragged over
// the window an overlay says what dropping does; a drop loads them as a model.

import { useEffect, useRef, useState } from 'react';
import { loadModel, reportLoadError } from '../store/index.ts';
import { dragHasFiles, filesFromDrop } from './localFiles.ts';

export function FileDropTarget() {
  const [over, setOver] = useState(false);
  const depth = useRef(0); // dragenter/dragleave fire for every element crossed

  useEffect(() => {
    const enter = (e: DragEvent) => {
      if (!dragHasFiles(e.dataTransfer)) return;
      e.preventDefault();
      depth.current++;
      setOver(true);
    };
    const overHandler = (e: DragEvent) => {
      if (!dragHasFiles(e.dataTransfer)) return;
      e.preventDefault(); // allows the drop
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!dragHasFiles(e.dataTransfer)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setOver(false);
    };
    const drop = (e: DragEvent) => {
      if (!dragHasFiles(e.dataTransfer) || !e.dataTransfer) return;
      e.preventDefault(); // else the browser opens the file
      depth.current = 0;
      setOver(false);
      void filesFromDrop(e.dataTransfer).then(
        (local) => {
          if (local) void loadModel(local);
        },
        (err: unknown) => reportLoadError('the dropped files', err),
      );
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', overHandler);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', overHandler);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);

  if (!over) return null;
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-card">
        <p className="drop-title">Drop to load the model</p>
        <p className="note">A model folder, or its config.json, model.safetensors and tokenizer.json</p>
      </div>
    </div>
  );
}
