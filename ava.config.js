// ava's settings. `npm test` (test/setup/run-tests.js) runs the suite in two passes chosen by
// VBA_TEST_PASS: "main" (everything but test/engines, two files at a time) and then "realtime"
// (test/engines alone, one test at a time: they drive drachtio-server and FreeSWITCH in real time, and
// answering-machine and keypad timing must not compete with browsers and encoders for two cores).
// A plain `npx ava` runs every file in one pass.
const REALTIME = 'test/engines/**/*.test.ts';
const ALL = 'test/**/*.test.ts';

const pass = process.env.VBA_TEST_PASS;
const files = pass === 'realtime' ? [REALTIME] : pass === 'main' ? [ALL, `!${REALTIME}`] : [ALL];

// `npm test` names a file in VBA_FILE_TIMES: each worker then appends its test file's wall time there
// (test/setup/file-times.mjs), loaded before tsx so the time of loading counts too.
const fileTimes = process.env.VBA_FILE_TIMES ? [`--import=${new URL('./test/setup/file-times.mjs', import.meta.url).href}`] : [];

export default {
  extensions: { ts: 'module' },
  nodeArguments: [...fileTimes, '--import=tsx'],
  files,
  timeout: '120s',
  concurrency: pass === 'realtime' ? 1 : 2,
  serial: pass === 'realtime',
  workerThreads: false,
};
