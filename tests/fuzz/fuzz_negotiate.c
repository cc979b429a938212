/*
 * Fuzz target: GET /gossip's negotiation and the identity rules. The
 * input is split at the first NUL: the ?format= value, then the Accept
 * header. The first two bytes also pick a rule, an identity and the
 * switches for access_check, whose verdict must be one of the three and
 * keep the fixed points of the rules (nodes, the admin socket, anyone).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "negotiate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char format[256], accept[4096];
	const uint8_t *nul = memchr(data, 0, size);
	size_t flen = nul != NULL ? (size_t)(nul - data) : size;
	size_t alen = nul != NULL ? size - flen - 1 : 0;
	enum negotiate_result r;

	if (flen < sizeof(format) && alen < sizeof(accept)) {
		memcpy(format, data, flen);
		format[flen] = '\0';
		if (nul != NULL)
			memcpy(accept, nul + 1, alen);
		accept[alen] = '\0';
		r = negotiate_gossip(nul != NULL ? format : NULL,
				     nul != NULL ? accept : NULL);
		if (r != NEGOTIATE_JSON && r != NEGOTIATE_BAD_FORMAT &&
		    r != NEGOTIATE_NOT_ACCEPTABLE)
			abort();
		/* the format alone decides a bad format */
		if ((r == NEGOTIATE_BAD_FORMAT) !=
		    (negotiate_gossip(nul != NULL ? format : NULL, NULL) ==
		     NEGOTIATE_BAD_FORMAT))
			abort();
		(void)(negotiate_gossip(NULL, format) == NEGOTIATE_JSON);
	}
	if (size >= 2) {
		enum access_rule rule =
		    (enum access_rule)(data[0] % (ACCESS_ADMIN_CHANGE + 1));
		enum node_identity id = (enum node_identity)(data[1] % 4);
		struct access_switches sw = {
		    .gossip_requires_client_cert = (data[0] & 0x10) != 0,
		    .metrics_requires_node = (data[0] & 0x20) != 0,
		    .admin_over_https = (data[0] & 0x40) != 0,
		    .metrics_requires_client_cert = (data[0] & 0x80) != 0,
		};
		enum access_verdict v = access_check(rule, id, &sw);

		if (v != ACCESS_OK && v != ACCESS_UNAUTHENTICATED &&
		    v != ACCESS_FORBIDDEN)
			abort();
		/* a node may do everything but change state over HTTPS
		 * without AdminOverHttps; the admin socket everything but
		 * the node-only endpoints; anyone ACCESS_ANY */
		if ((rule != ACCESS_ADMIN_CHANGE || sw.admin_over_https) &&
		    access_check(rule, ID_NODE, &sw) != ACCESS_OK)
			abort();
		if (rule != ACCESS_NODE &&
		    access_check(rule, ID_LOCAL_ADMIN, &sw) != ACCESS_OK)
			abort();
		if (access_check(ACCESS_ANY, id, &sw) != ACCESS_OK)
			abort();
		/* a verdict of 401 is only ever for the anonymous */
		if (v == ACCESS_UNAUTHENTICATED && id != ID_ANONYMOUS)
			abort();
	}
	return 0;
}
