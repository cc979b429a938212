/*
 * Fuzz target: KurrentDB connection strings (discovery_uri_parse). Any
 * input is parsed within its bounds; an accepted string yields at least
 * one seed, every seed with a port in 1..65535 and a non-empty host, and
 * a reason is always a terminated string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "discovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct discovery_uri *u;
	char *s, err[256];
	size_t i;

	if (size > 8192)
		return 0;
	s = malloc(size + 1);
	u = malloc(sizeof(*u));
	if (s == NULL || u == NULL)
		goto out;
	memcpy(s, data, size);
	s[size] = '\0';
	err[0] = 'x';
	if (discovery_uri_parse(s, u, err, sizeof(err)) == 0) {
		if (u->n_seeds == 0 || u->n_seeds > OPT_MAX_SEEDS)
			abort();
		for (i = 0; i < u->n_seeds; i++)
			if (u->seeds[i].port < 1 || u->seeds[i].port > 65535 ||
			    u->seeds[i].host[0] == '\0')
				abort();
	} else if (memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
out:
	free(s);
	free(u);
	return 0;
}
