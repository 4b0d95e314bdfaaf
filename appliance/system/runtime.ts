// How the box's Node process is started: the V8 flags and the environment that `systemd/appliance.service`,
// `npm start` and `bin/appliance.js` (its `#!` line) all give it, and bench/scale gives the box it measures
// (test/systemd/runtime.test.ts checks that they agree). Both are for a box that carries live calls and a
// list of a million contacts on one event loop, measured with bench/scale (1M contacts, Dec 2026):
// - A young generation of 2 MB semi-spaces instead of V8's 16 MB: a scavenge copies what survived in
//   it, and on this machine the default one held the loop 17-50 ms at a time (138 ms under load), while
//   the small one mostly 2-10 ms (the longest GC pause of a bench run is still 12-37 ms on the loaded
//   machine); the box also keeps ~30 MB less memory for it.
// - At most 2 malloc arenas: each thread that allocates (the import's parser thread, libuv's pool) gets an
//   arena of its own, which glibc keeps when the thread ends; the box held ~50 MB more after an import.
//   (Glibc only, as on Raspberry Pi OS and Debian; elsewhere the variable is ignored.)

/** V8 flags of the box's process (they must be given when Node starts: V8 sizes its heap at start). */
export const BOX_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/** Environment of the box's process (read by the C library when the process starts). */
export const BOX_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
