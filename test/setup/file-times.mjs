// Loaded first in every ava worker process (ava.config.js adds it to nodeArguments when `npm test`
// sets VBA_FILE_TIMES): appends one JSON line {file, start, end} to that file when the worker ends, so
// the runner knows each test file's real wall time, from the worker's start (loading tsx and the file's
// imports included) to its exit, and not only the span between its first and last results.
// The worker learns which file it runs from ava's own 'options' message on the IPC channel; the
// listener is removed as soon as it has been seen, so the channel's reference count is ava's again.
import { appendFileSync } from 'node:fs';

const out = process.env.VBA_FILE_TIMES;
if (out && typeof process.send === 'function') {
  const start = Date.now();
  let file = null;
  const onMessage = (m) => {
    const options = m?.ava?.type === 'options' ? m.ava.options : null;
    if (!options) return;
    file = options.file;
    process.off('message', onMessage);
  };
  process.on('message', onMessage);
  // When ava frees the worker (its tests and hooks are over) the process should end by itself. If
  // something the file started still holds it open, say what, once, after 30 s: otherwise ava's
  // inactivity timeout ends the run minutes later with exit code 1 and no failed test to show for it.
  const onFree = (m) => {
    if (m?.ava?.type !== 'free-worker') return;
    process.off('message', onFree);
    setTimeout(() => {
      const handles = typeof process._getActiveHandles === 'function' ? process._getActiveHandles() : [];
      const described = handles.map((h) => {
        const name = h?.constructor?.name ?? typeof h;
        if (typeof h?.spawnfile === 'string') return `${name} ${h.spawnfile} pid ${h.pid}`;
        if (typeof h?.remotePort === 'number' || typeof h?.localPort === 'number') return `${name} ${h.localAddress ?? ''}:${h.localPort ?? ''} -> ${h.remoteAddress ?? ''}:${h.remotePort ?? ''}`;
        if (typeof h?.address === 'function') { try { return `${name} ${JSON.stringify(h.address())}`; } catch { return name; } }
        return name;
      });
      process.stderr.write(`\n# ${file ?? 'a test file'} is still running 30 s after its tests ended; it holds: ${JSON.stringify(process.getActiveResourcesInfo())}; handles: ${described.join('; ')}\n`);
    }, 30_000).unref();
  };
  process.on('message', onFree);
  // A worker ava stops with a signal (timeout, fail-fast) writes nothing: the runner falls back to the
  // span between the file's first and last results.
  process.once('exit', () => {
    if (!file) return;
    try {
      appendFileSync(out, `${JSON.stringify({ file: file.startsWith('file:') ? new URL(file).pathname : file, start, end: Date.now() })}\n`);
    } catch { /* the timing is advice; never fail a test file over it */ }
  });
}
