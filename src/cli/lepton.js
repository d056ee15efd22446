#!/usr/bin/env node
// `lepton` command: registers tsx so the TypeScript sources run as they are, then hands over
// to src/cli/main.ts. Kept in plain JavaScript because npm bins must be runnable by node.
"use strict";
require("tsx/cjs/api").register();
require("./main.ts")
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exitCode = 2;
    },
  );
