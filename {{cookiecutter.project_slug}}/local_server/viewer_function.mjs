// Runs the CloudFront viewer-request function (infra/viewer_request.js) for
// `make local`, one node process for every request, as CloudFront keeps its
// functions warm: one JSON line in ({event, rawQueryString}), one out
// ({request} or {response} as the function returned it, or {error}).
//
// The file is compiled as plain script source with `new Function`, as
// tests/viewer_request.test.mjs does: CloudFront Functions have no modules.

import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const source = readFileSync(process.argv[2], "utf8");
const handler = new Function(`${source}\nreturn handler;`)();

async function answer(line) {
    const { event, rawQueryString } = JSON.parse(line);
    // Runtime 2.0's helper: the query string as received, without "?".
    event.request.rawQueryString = () => rawQueryString;
    try {
        const result = await handler(event);
        return "statusCode" in result ? { response: result } : { request: result };
    } catch (error) {
        return { error: String((error && error.stack) || error) };
    }
}

// One request at a time, in order: the caller waits for each answer.
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on("line", (line) => {
    queue = queue.then(async () => process.stdout.write(JSON.stringify(await answer(line)) + "\n"));
});
