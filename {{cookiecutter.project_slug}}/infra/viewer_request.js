// CloudFront Function (runtime cloudfront-js-2.0), viewer-request event.
//
// API Gateway refuses a request whose Host is not its own, so CloudFront sends
// the API's host to the origin and this function carries the viewer's host in
// X-Forwarded-Host, where the Lambda handler (lambda_handler.py) reads it.
//
// The header is always set from Host, never trusted from the client: a
// viewer-sent X-Forwarded-Host is replaced, or removed when there is no Host.
//
// Loaded as plain source by the stack (FunctionCode.from_file): no modules,
// just a top-level `handler`.

function handler(event) {
    var request = event.request;
    var headers = request.headers;
    var host = headers.host;

    if (host && host.value) {
        headers['x-forwarded-host'] = { value: host.value };
    } else {
        delete headers['x-forwarded-host'];
    }
    return request;
}
