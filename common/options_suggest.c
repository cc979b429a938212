/*
 * options_suggest: "did you mean" for a misspelt option name, whichever
 * way it was spelt (YAML key, flag, environment variable).
 */
#include "options_impl.h"

#include <ctype.h>
#include <string.h>

#define NAME_MAX_LEN 64

/* Edit distance (insert, delete, substitute, swap of neighbours), case
 * and '_'/'-' differences ignored; len-bounded inputs. */
static size_t
distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[NAME_MAX_LEN + 1][NAME_MAX_LEN + 1];

	if (la > NAME_MAX_LEN || lb > NAME_MAX_LEN)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t best, cost = ca == cb ||
						    (ca == '-' && cb == '_') ||
						    (ca == '_' && cb == '-')
						? 0
						: 1;

			best = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 &&
			    tolower((unsigned char)a[i - 1]) ==
				tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) ==
				tolower((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

const struct opt_def *
opt_suggest(const char *name, size_t len, enum opt_spelling how)
{
	const struct opt_def *defs, *best = NULL, *prefix_of = NULL;
	size_t n, best_d = (size_t)-1, n_prefix = 0;

	defs = opt_defs(&n);
	for (size_t i = 0; i < n; i++) {
		const char *s = how == OS_KEY ? defs[i].key
				: how == OS_FLAG
				    ? defs[i].flag
				    : defs[i].env + strlen(OPT_ENV_PREFIX);
		size_t dd = distance(name, len, s, strlen(s));

		/* a name cut short ("gossip-interval") */
		if (len >= 4 && strlen(s) > len &&
		    distance(name, len, s, len) == 0) {
			prefix_of = &defs[i];
			n_prefix++;
		}
		if (dd < best_d) {
			best_d = dd;
			best = &defs[i];
		}
	}
	/* Close enough to be a slip: 1 edit in a short name, up to 3 in a
	 * long one; a name that matches exactly is not a misspelling. */
	if (best != NULL && best_d > 0 && best_d <= 1 + len / 8)
		return best;
	return n_prefix == 1 ? prefix_of : NULL;
}
