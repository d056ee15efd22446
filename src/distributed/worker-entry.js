// Entry of a data-parallel worker thread (src/distributed/pool.ts): registers tsx, as
// src/cli/lepton.js does, so the TypeScript worker and the library it imports load as they are.
"use strict";
require("tsx/cjs/api").register();
require("./worker.ts");
