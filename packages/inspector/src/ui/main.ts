/**
 * The page `cairn ui` serves. The access token arrives in the URL fragment (`#token=…`, never sent
 * to any server, kept out of logs and referrers), is kept for this tab only, and goes with every API
 * call as a bearer header.
 */
import { createInspectorApp } from './app.ts';
import { h } from './dom.ts';
import { connectHttpBackend } from './http-backend.ts';

const root = document.getElementById('inspector');
if (!root) throw new Error('index.html has no #inspector');
const fromUrl = /^#token=([A-Za-z0-9_-]{1,200})$/.exec(location.hash)?.[1];
if (fromUrl) {
  sessionStorage.setItem('cairn-inspector-token', fromUrl);
  history.replaceState(null, '', '#/');
}
const token = sessionStorage.getItem('cairn-inspector-token');
if (!token)
  root.replaceChildren(h('p', { class: 'error' }, 'No access token: open the URL cairn ui printed (it ends in #token=…).'));
else
  connectHttpBackend(token).then(
    (backend) => createInspectorApp(root, backend),
    (error: unknown) =>
      root.replaceChildren(
        h('p', { class: 'error', 'data-load-error': '' }, `Cannot reach the inspector API: ${(error as Error).message}`),
      ),
  );
