/*
 * Fuzz target: httpc's response reader. The input is everything a server
 * sent before closing the connection; it is parsed once whole
 * (httpc_parse_response) and once fed in uneven pieces through the
 * incremental parser, with a small body limit so that the bounds are
 * reached. Both must agree on success and on the body.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httpc.h"
#include "httpc_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
parse_in_pieces(const char *in, size_t len, size_t max_body,
		struct httpc_response *resp)
{
	struct httpc_parser p;
	char err[256];
	size_t off = 0, extra = 0, step = 1;
	int rc = 0;

	memset(resp, 0, sizeof *resp);
	httpc_parser_init(&p, max_body, 0);
	while (off < len && rc == 0) {
		size_t n = step < len - off ? step : len - off;

		rc =
		    httpc_parser_feed(&p, in + off, n, &extra, err, sizeof err);
		off += n;
		step = step * 3 % 17 + 1; /* 1, 4, 13, 6, ... */
	}
	if (rc == 0)
		rc = httpc_parser_eof(&p, err, sizeof err);
	if (rc == 1)
		rc = httpc_parser_take(&p, resp, err, sizeof err) == 0 ? 1 : -1;
	httpc_parser_free(&p);
	return rc == 1 ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpc_response whole, pieces;
	char err[256];
	const size_t max_body = 4096;
	int a, b;

	a = httpc_parse_response((const char *)data, size, max_body, &whole,
				 err, sizeof err);
	b = parse_in_pieces((const char *)data, size, max_body, &pieces);
	if (a != b)
		abort();
	if (a == 0) {
		if (whole.body_len > max_body ||
		    whole.body_len != pieces.body_len ||
		    memcmp(whole.body, pieces.body, whole.body_len) != 0 ||
		    whole.body[whole.body_len] != '\0' ||
		    whole.status != pieces.status)
			abort();
	}
	httpc_response_free(&whole);
	httpc_response_free(&pieces);
	return 0;
}
