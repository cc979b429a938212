/*
 * tls_chain_cache: verified client chains (see tls_chain_cache.h).
 */
#include "tls_chain_cache.h"

#include <mbedtls/sha256.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tls_creds.h"

#define CHAIN_CACHE_SLOTS 1024 /* a power of two */

struct slot {
	unsigned char key[32]; /* SHA-256 of the presented chain */
	time_t not_before;     /* the verified path's latest notBefore */
	time_t not_after;      /* and its earliest notAfter */
	bool used;
};

struct tls_chain_cache {
	pthread_mutex_t lock;
	struct slot *slots; /* allocated with the first entry */
};

struct tls_chain_cache *
tls_chain_cache_new(void)
{
	struct tls_chain_cache *cc = calloc(1, sizeof(*cc));

	if (cc != NULL)
		pthread_mutex_init(&cc->lock, NULL);
	return cc;
}

void
tls_chain_cache_free(struct tls_chain_cache *cc)
{
	if (cc == NULL)
		return;
	pthread_mutex_destroy(&cc->lock);
	free(cc->slots);
	free(cc);
}

/* No certificate's DER is this long: the length that starts the key of a
 * leaf kept alone, whose path the set completed (tls_chain_cache_saved),
 * so that it never names a chain as presented. */
static const unsigned char ALONE_MARK[4] = {0xff, 0xff, 0xff, 0xff};

/* Every certificate's DER, each after its length; alone: the first one
 * only, after ALONE_MARK. */
static int
chain_key(const mbedtls_x509_crt *crt, bool alone, unsigned char key[32])
{
	mbedtls_sha256_context h;
	int ret;

	mbedtls_sha256_init(&h);
	ret = mbedtls_sha256_starts_ret(&h, 0);
	if (ret == 0 && alone)
		ret = mbedtls_sha256_update_ret(&h, ALONE_MARK,
						sizeof(ALONE_MARK));
	for (; ret == 0 && crt != NULL && crt->raw.p != NULL;
	     crt = alone ? NULL : crt->next) {
		unsigned char len[4] = {
		    (unsigned char)(crt->raw.len >> 24),
		    (unsigned char)(crt->raw.len >> 16),
		    (unsigned char)(crt->raw.len >> 8),
		    (unsigned char)crt->raw.len,
		};

		ret = mbedtls_sha256_update_ret(&h, len, sizeof(len));
		if (ret == 0)
			ret = mbedtls_sha256_update_ret(&h, crt->raw.p,
							crt->raw.len);
	}
	if (ret == 0)
		ret = mbedtls_sha256_finish_ret(&h, key);
	mbedtls_sha256_free(&h);
	return ret;
}

/* The verification's callback: revocation (tls_creds), and the validity
 * window of the path, root included. */
struct walk {
	struct tls_creds_vrfy v;
	time_t not_before, not_after;
};

static int
walk_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct walk *w = ctx;
	time_t from = tls_creds_x509_time(&crt->valid_from);
	time_t to = tls_creds_x509_time(&crt->valid_to);

	tls_creds_vrfy_step(&w->v, crt, depth, flags);
	if (from > w->not_before)
		w->not_before = from;
	if (w->not_after == 0 || to < w->not_after)
		w->not_after = to;
	return 0;
}

/* Would a stale CRL refuse every certificate of its issuer now? */
static bool
stale_refuses(const struct tls_creds *c, time_t now)
{
	int i;

	if (!c->crl_stale_refuses_all)
		return false;
	for (i = 0; i < c->n_crls; i++)
		if (tls_creds_crl_stale(&c->crls[i], now))
			return true;
	return false;
}

static struct slot *
slot_of(struct tls_chain_cache *cc, const unsigned char key[32])
{
	unsigned idx =
	    ((unsigned)key[0] << 8 | key[1]) & (CHAIN_CACHE_SLOTS - 1);

	return &cc->slots[idx];
}

/* Is key's entry there, with now in its window? Its notAfter then. */
static bool
lookup(struct tls_chain_cache *cc, const unsigned char key[32], time_t now,
       time_t *not_after)
{
	bool hit = false;
	struct slot *s;

	pthread_mutex_lock(&cc->lock);
	if (cc->slots != NULL) {
		s = slot_of(cc, key);
		hit = s->used && memcmp(s->key, key, 32) == 0 &&
		      now >= s->not_before && now <= s->not_after;
		if (hit)
			*not_after = s->not_after;
	}
	pthread_mutex_unlock(&cc->lock);
	return hit;
}

static void
store(struct tls_chain_cache *cc, const unsigned char key[32],
      time_t not_before, time_t not_after)
{
	struct slot *s;

	pthread_mutex_lock(&cc->lock);
	if (cc->slots == NULL)
		cc->slots = calloc(CHAIN_CACHE_SLOTS, sizeof(*cc->slots));
	if (cc->slots != NULL) {
		s = slot_of(cc, key);
		memcpy(s->key, key, 32);
		s->not_before = not_before;
		s->not_after = not_after;
		s->used = true;
	}
	pthread_mutex_unlock(&cc->lock);
}

uint32_t
tls_chain_cache_verify(struct tls_chain_cache *cc, const struct tls_creds *c,
		       mbedtls_x509_crt *chain, bool *hit, time_t *not_after)
{
	unsigned char key[32];
	time_t now = time(NULL);
	bool keyed = cc != NULL && chain_key(chain, false, key) == 0;
	struct walk w = {.not_before = 0, .not_after = 0};
	uint32_t flags = 0;
	int ret;

	*hit = false;
	*not_after = 0;
	if (keyed && lookup(cc, key, now, not_after)) {
		if (!stale_refuses(c, now)) {
			*hit = true;
			return 0;
		}
		*not_after = 0;
	}
	/* mbedTLS takes the trust list as non-const; it only reads it */
	tls_creds_vrfy_init(&w.v, c);
	ret = mbedtls_x509_crt_verify(chain, (mbedtls_x509_crt *)&c->trusted,
				      NULL, NULL, &flags, walk_cb, &w);
	if (ret != 0 && flags == 0)
		flags = MBEDTLS_X509_BADCERT_OTHER; /* failed, not refused */
	if (flags != 0)
		return flags;
	*not_after = w.not_after;
	if (keyed)
		store(cc, key, w.not_before, w.not_after);
	return 0;
}

uint32_t
tls_chain_cache_saved(struct tls_chain_cache *cc, const struct tls_creds *c,
		      const mbedtls_x509_crt *leaf, uint32_t flags,
		      time_t *not_after)
{
	unsigned char key[32];
	time_t now = time(NULL), na = 0;
	bool keyed;

	if (!(flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED))
		return flags;
	keyed = cc != NULL && chain_key(leaf, true, key) == 0;
	if (keyed && lookup(cc, key, now, &na) && !stale_refuses(c, now)) {
		*not_after = na;
		return flags & ~(uint32_t)MBEDTLS_X509_BADCERT_NOT_TRUSTED;
	}
	flags = tls_creds_leaf_alone_flags(c, leaf, flags, not_after);
	/* the path held at now (every certificate's notBefore included):
	 * its window runs from now to its earliest notAfter */
	if (flags == 0 && keyed)
		store(cc, key, now, *not_after);
	return flags;
}
