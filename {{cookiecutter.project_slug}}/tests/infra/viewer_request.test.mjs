// Tests for infra/viewer_request.js, the CloudFront viewer-request function.
// Run with `node --test tests/infra/viewer_request.test.mjs` (`make test` does,
// through pytest).
//
// The function file is plain script source, as CloudFront runs it: it is
// compiled with `new Function` (not `vm`, whose objects come from another realm
// and fail deepStrictEqual), which also rejects any module syntax in it.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const source = readFileSync(new URL("../../infra/viewer_request.js", import.meta.url), "utf8");
const handler = new Function(`${source}\nreturn handler;`)();

// With a custom domain the stack writes it into this line at synth (cdn.py).
const UNSET_DOMAIN = 'var CANONICAL_HOST = "";';
const DOMAIN = "www.example.com";
const withDomain = source.replace(UNSET_DOMAIN, `var CANONICAL_HOST = ${JSON.stringify(DOMAIN)};`);
const domainHandler = new Function(`${withDomain}\nreturn handler;`)();

// A viewer-request event shaped like the ones CloudFront passes to functions.
function viewerRequest(headers) {
    return {
        version: "1.0",
        context: {
            distributionDomainName: "d111111abcdef8.cloudfront.net",
            distributionId: "EDFDVBD6EXAMPLE",
            eventType: "viewer-request",
            requestId: "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==",
        },
        viewer: { ip: "198.51.100.11" },
        request: {
            method: "GET",
            uri: "/api/time",
            querystring: {
                page: { value: "2" },
                tag: { value: "a", multiValue: [{ value: "a" }, { value: "b,c" }] },
                empty: { value: "" },
            },
            headers,
            cookies: {
                session: { value: "eyJhIjoxfQ.abc" },
                theme: { value: "dark", multiValue: [{ value: "dark" }, { value: "light" }] },
            },
            // Runtime 2.0's helper: the query string as received, without "?".
            rawQueryString: () => "page=2&tag=a&tag=b%2Cc&empty=",
        },
    };
}

function browserHeaders(extra) {
    return {
        host: { value: "www.example.com" },
        "user-agent": { value: "Mozilla/5.0 (X11; Linux x86_64)" },
        accept: { value: "text/html,application/xhtml+xml" },
        "accept-language": { value: "en-GB,en;q=0.9" },
        "x-custom": { value: "one", multiValue: [{ value: "one" }, { value: "two" }] },
        ...extra,
    };
}

test("copies the viewer's host into x-forwarded-host", () => {
    const event = viewerRequest(browserHeaders());
    const result = handler(event);
    assert.equal(result, event.request);
    assert.deepEqual(result.headers["x-forwarded-host"], { value: "www.example.com" });
    assert.deepEqual(result.headers.host, { value: "www.example.com" });
});

test("overwrites an x-forwarded-host sent by the client", () => {
    const spoofed = {
        "x-forwarded-host": {
            value: "evil.example.net",
            multiValue: [{ value: "evil.example.net" }, { value: "other.example.org" }],
        },
    };
    const result = handler(viewerRequest(browserHeaders(spoofed)));
    assert.deepEqual(result.headers["x-forwarded-host"], { value: "www.example.com" });
});

test("removes a client-sent x-forwarded-host when there is no host header", () => {
    const headers = browserHeaders({ "x-forwarded-host": { value: "evil.example.net" } });
    delete headers.host;
    const result = handler(viewerRequest(headers));
    assert.equal("x-forwarded-host" in result.headers, false);
    assert.equal("host" in result.headers, false);
});

test("adds nothing when there is neither host nor x-forwarded-host", () => {
    const result = handler(viewerRequest({ accept: { value: "*/*" } }));
    assert.deepEqual(result.headers, { accept: { value: "*/*" } });
});

test("leaves everything else in the request untouched", () => {
    const event = viewerRequest(browserHeaders({ "x-forwarded-host": { value: "evil" } }));
    const { rawQueryString, ...fields } = event.request;
    const expected = { ...structuredClone(fields), rawQueryString };
    expected.headers["x-forwarded-host"] = { value: "www.example.com" };
    assert.deepEqual(handler(event), expected);
});

test("the file leaves the domain unset, in the one line the stack fills in", () => {
    assert.equal(source.split(UNSET_DOMAIN).length, 2);
    assert.notEqual(withDomain, source);
});

test("with a custom domain, the CloudFront host is redirected there for good", () => {
    const headers = browserHeaders({ host: { value: "d111111abcdef8.cloudfront.net" } });
    const result = domainHandler(viewerRequest(headers));
    assert.deepEqual(result, {
        statusCode: 301,
        statusDescription: "Moved Permanently",
        headers: {
            location: { value: "https://www.example.com/api/time?page=2&tag=a&tag=b%2Cc&empty=" },
        },
    });
});

test("the redirect keeps the path and drops an empty or absent query", () => {
    const headers = { host: { value: "d111111abcdef8.cloudfront.net" } };
    for (const raw of ["", undefined]) {
        const event = viewerRequest(headers);
        event.request.rawQueryString = () => raw;
        const result = domainHandler(event);
        assert.deepEqual(result.headers.location, { value: "https://www.example.com/api/time" });
    }
});

test("with a custom domain, a request without a host is redirected too", () => {
    const result = domainHandler(viewerRequest({ accept: { value: "*/*" } }));
    assert.equal(result.statusCode, 301);
});

test("with a custom domain, its own requests pass (any letter case)", () => {
    for (const host of ["www.example.com", "WWW.Example.COM"]) {
        const event = viewerRequest(browserHeaders({ host: { value: host } }));
        const result = domainHandler(event);
        assert.equal(result, event.request);
        assert.deepEqual(result.headers["x-forwarded-host"], { value: host });
    }
});

test("without a custom domain, the CloudFront host is served, not redirected", () => {
    const event = viewerRequest(browserHeaders({ host: { value: "d111111abcdef8.cloudfront.net" } }));
    assert.equal(handler(event), event.request);
});
