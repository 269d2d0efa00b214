/** Set by scripts/build-tracker.mjs: true in `s.cmp.js`, which reads the page's CMP, false in `s.js`. */
declare const READ_CMP: boolean;
