// CloudFront Function (runtime cloudfront-js-2.0), viewer-request event.
//
// API Gateway refuses a request whose Host is not its own, so CloudFront sends
// the API's host to the origin and this function carries the viewer's host in
// X-Forwarded-Host, where the Lambda handler (lambda_handler.py) reads it.
//
// The header is always set from Host, never trusted from the client: a
// viewer-sent X-Forwarded-Host is replaced, or removed when there is no Host.
//
// With a custom domain, every other host (the distribution's own
// *.cloudfront.net name) gets a permanent redirect to the domain. The cache key
// holds no host, so without it both names would share cached pages that
// print or link their host. This runs before the cache is consulted.
//
// Loaded as plain source by the stack (cdn.py): no modules, just a top-level
// `handler`. The stack writes the custom domain into the line below.

var CANONICAL_HOST = "";

function handler(event) {
    var request = event.request;
    var headers = request.headers;
    var host = headers.host;

    if (CANONICAL_HOST && !(host && host.value.toLowerCase() === CANONICAL_HOST)) {
        var query = request.rawQueryString();
        return {
            statusCode: 301,
            statusDescription: "Moved Permanently",
            headers: {
                location: {
                    value: "https://" + CANONICAL_HOST + request.uri + (query ? "?" + query : ""),
                },
            },
        };
    }
    if (host && host.value) {
        headers['x-forwarded-host'] = { value: host.value };
    } else {
        delete headers['x-forwarded-host'];
    }
    return request;
}
