"""The same small app in every framework the runtime is tested with.

Endpoints: GET /hello (text), ANY /echo/<path> (JSON describing the request as the
framework sees it), GET /cookies (two Set-Cookie), GET /binary (PNG bytes), GET /error
(raises). ``echo`` keys: method, path (relative to the mount point), root (SCRIPT_NAME or
root_path), query {key: [values]}, multi [X-Multi values], cookies, body (base64),
client, url (absolute URL the framework builds for /hello), content_type.
"""

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
