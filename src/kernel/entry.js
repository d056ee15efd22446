#!/usr/bin/env node
// The kernelspec's entry point: registers tsx (cells' `../src` imports and this kernel load as
// TypeScript, no build step) and starts src/kernel/main.ts with the connection file.
"use strict";
require("tsx/cjs/api").register();
require("./main.ts")
  .main(process.argv.slice(2))
  .catch((error) => {
    process.stderr.write(`lepton kernel: ${error instanceof Error ? error.stack || error.message : String(error)}\n`);
    process.exit(1);
  });
