// The engine's thread. Everything that touches the GPU runs here; the page talks to it through
// Comlink (see client.ts). Progress callbacks arrive as Comlink proxies and are called as-is.

import * as Comlink from 'comlink';
import { LocalEngine } from '../engine/engine.ts';
import { openGpu } from '../gpu/gpu.ts';
import { browserSources } from './browserSources.ts';
import { registerErrorTransfer } from './errors.ts';

registerErrorTransfer();
Comlink.expose(new LocalEngine(() => openGpu(navigator.gpu), browserSources(import.meta.env.BASE_URL)));
