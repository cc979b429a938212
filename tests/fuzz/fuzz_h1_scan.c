/*
 * Fuzz target: the HTTP/1.1 fast lane's request scan (common/h1_scan.c).
 * Whatever the bytes: one of the three results; a request ends within the
 * bytes and within H1_SCAN_MAX; scanning just that request again gives the
 * same verdict and end; "more" only below H1_SCAN_MAX; a plain request
 * starts with its exact request line and has a NUL-terminated Accept.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h1_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct h1_request rq, again;
	enum h1_scan_result r = h1_scan(buf, size, "/gossip", &rq);

	switch (r) {
	case H1_SCAN_MORE:
		if (size >= H1_SCAN_MAX)
			abort();
		break;
	case H1_SCAN_OTHER:
		break;
	case H1_SCAN_REQUEST:
		if (rq.len == 0 || rq.len > size || rq.len > H1_SCAN_MAX)
			abort();
		if (memchr(rq.accept_value, '\0', sizeof(rq.accept_value)) ==
		    NULL)
			abort();
		if (memcmp(buf,
			   rq.head ? "HEAD /gossip HTTP/1.1\r\n"
				   : "GET /gossip HTTP/1.1\r\n",
			   rq.head ? 23 : 22) != 0)
			abort();
		if (h1_scan(buf, rq.len, "/gossip", &again) !=
			H1_SCAN_REQUEST ||
		    again.len != rq.len || again.head != rq.head ||
		    again.accept != rq.accept)
			abort();
		break;
	default:
		abort();
	}
	return 0;
}
